package trace

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
	dynamicfake "k8s.io/client-go/dynamic/fake"
	k8stesting "k8s.io/client-go/testing"

	"github.com/kubectl-gitops/kubectl-gitops/shared/output"
)

// secretValue is in every Secret of these tests: it must appear in no report.
const secretValue = "aHVudGVyMg==" // hunter2

func secretObj(name string) map[string]any {
	return map[string]any{"data": map[string]any{"password": secretValue}}
}

// externalSecret reads two keys and a find from a ClusterSecretStore, one key from
// another store, and is Ready with a refresh time.
func externalSecret(ready string, message string) map[string]any {
	return map[string]any{
		"spec": map[string]any{
			"secretStoreRef": map[string]any{"kind": "ClusterSecretStore", "name": "vault"},
			"data": []any{
				map[string]any{"secretKey": "password", "remoteRef": map[string]any{"key": "shop/db", "property": "password"}},
				map[string]any{"secretKey": "user", "remoteRef": map[string]any{"key": "shop/db", "property": "user"}},
				map[string]any{"secretKey": "token", "remoteRef": map[string]any{"key": "api-token"}, "sourceRef": map[string]any{"storeRef": map[string]any{"name": "aws"}}},
			},
			"dataFrom": []any{map[string]any{"find": map[string]any{"path": "shop/", "name": map[string]any{"regexp": "^tls-"}}}},
		},
		"status": map[string]any{
			"refreshTime": "2026-01-01T00:00:00Z",
			"conditions": []any{map[string]any{
				"type": "Ready", "status": ready, "reason": "SecretSynced", "message": message, "lastTransitionTime": "2026-01-01T00:00:00Z",
			}},
		},
	}
}

func TestTraceSecretSources(t *testing.T) {
	ctx := context.Background()
	apps := labelled(kustomization("apps", "./apps", "shop_db_external-secrets.io_ExternalSecret", "shop_sealed_bitnami.com_SealedSecret", "shop_plain__Secret"), "flux-system", "apps")
	sopsKs := kustomization("sops", "./secrets", "shop_sops__Secret")
	sopsKs.Object["spec"].(map[string]any)["decryption"] = map[string]any{"provider": "sops", "secretRef": map[string]any{"name": "sops-age"}}
	tests := []struct {
		name  string
		objs  []runtime.Object
		trace string // the object traced
		hops  string
		check func(t *testing.T, r *Report)
	}{
		{
			name: "Secret made by External Secrets: store, keys, Ready, refresh time",
			objs: []runtime.Object{
				owned(obj("v1", "Secret", "shop", "db", secretObj("db")), "external-secrets.io/v1", "ExternalSecret", "db"),
				labelled(obj("external-secrets.io/v1", "ExternalSecret", "shop", "db", externalSecret("True", "secret synced")), "flux-system", "apps"),
			},
			trace: "db",
			hops:  "object:Secret/db owner:ExternalSecret/db(ownerReference) kustomization:Kustomization/apps(kustomize labels) source:GitRepository/flux-system(sourceRef)",
			check: func(t *testing.T, r *Report) {
				s := r.Hops[1].Secret
				refreshed := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
				if s == nil || s.From != SecretFromExternalSecret || s.Store == nil || s.Store.Kind != "ClusterSecretStore" || s.Store.Name != "vault" || s.Store.Namespace != "" ||
					strings.Join(s.RemoteKeys, "|") != "shop/db|api-token (SecretStore aws)|find path shop/, name ^tls-" || s.RefreshTime == nil || !s.RefreshTime.Equal(refreshed) {
					t.Errorf("secret = %+v", s)
				}
				if h := r.Hops[1].Health; h == nil || h.Ready != metav1.ConditionTrue || h.Reason != "SecretSynced" {
					t.Errorf("health = %+v, want the ExternalSecret's Ready condition", h)
				}
				if r.Commit == nil || r.Commit.SHA != shaGood {
					t.Errorf("commit = %+v, want the Kustomization's", r.Commit)
				}
			},
		},
		{
			name: "Secret with the labels External Secrets copied from its ExternalSecret: walked to the owner, not stopped at the labels",
			objs: []runtime.Object{
				labelled(owned(obj("v1", "Secret", "shop", "copied", secretObj("copied")), "external-secrets.io/v1", "ExternalSecret", "db"), "flux-system", "apps"),
				labelled(obj("external-secrets.io/v1", "ExternalSecret", "shop", "db", externalSecret("True", "secret synced")), "flux-system", "apps"),
			},
			trace: "copied",
			hops:  "object:Secret/copied owner:ExternalSecret/db(ownerReference) kustomization:Kustomization/apps(kustomize labels) source:GitRepository/flux-system(sourceRef)",
			check: func(t *testing.T, r *Report) {
				if r.Commit == nil || r.Commit.Status != CommitCurrent || r.Hops[2].Inventory != InventoryListed {
					t.Errorf("commit = %+v, inventory %s: want the ExternalSecret's, listed", r.Commit, r.Hops[2].Inventory)
				}
			},
		},
		{
			name: "Secret unsealed from a SealedSecret: its Synced condition",
			objs: []runtime.Object{
				owned(obj("v1", "Secret", "shop", "sealed", secretObj("sealed")), "bitnami.com/v1alpha1", "SealedSecret", "sealed"),
				labelled(obj("bitnami.com/v1alpha1", "SealedSecret", "shop", "sealed", map[string]any{
					"spec": map[string]any{"encryptedData": map[string]any{"password": "AgBy3i4OJSWK+PiTySYZZA=="}},
					"status": map[string]any{"conditions": []any{map[string]any{
						"type": "Synced", "status": "False", "reason": "ErrUnsealFailed", "message": "no key could decrypt secret (password)", "lastUpdateTime": "2026-01-01T00:00:00Z",
					}}},
				}), "flux-system", "apps"),
			},
			trace: "sealed",
			hops:  "object:Secret/sealed owner:SealedSecret/sealed(ownerReference) kustomization:Kustomization/apps(kustomize labels) source:GitRepository/flux-system(sourceRef)",
			check: func(t *testing.T, r *Report) {
				if s := r.Hops[1].Secret; s == nil || s.From != SecretFromSealedSecret {
					t.Errorf("secret = %+v", s)
				}
				if h := r.Hops[1].Health; h == nil || h.Ready != metav1.ConditionFalse || h.Reason != "ErrUnsealFailed" {
					t.Errorf("health = %+v, want the Synced condition", h)
				}
			},
		},
		{
			name: "Secret applied by a Kustomization that decrypts with SOPS",
			objs: []runtime.Object{
				labelled(obj("v1", "Secret", "shop", "sops", secretObj("sops")), "flux-system", "sops"),
				sopsKs,
			},
			trace: "sops",
			hops:  "object:Secret/sops kustomization:Kustomization/sops(kustomize labels) source:GitRepository/flux-system(sourceRef)",
			check: func(t *testing.T, r *Report) {
				s := r.Hops[0].Secret
				if s == nil || s.From != SecretFromSOPS || s.Decryption == nil || s.Decryption.Name != "sops" || s.KeySecret != "sops-age" {
					t.Errorf("secret = %+v", s)
				}
			},
		},
		{
			name: "plain Secret of a Kustomization without decryption says nothing",
			objs: []runtime.Object{
				labelled(obj("v1", "Secret", "shop", "plain", secretObj("plain")), "flux-system", "apps"),
			},
			trace: "plain",
			hops:  "object:Secret/plain kustomization:Kustomization/apps(kustomize labels) source:GitRepository/flux-system(sourceRef)",
			check: func(t *testing.T, r *Report) {
				for _, h := range r.Hops {
					if h.Secret != nil {
						t.Errorf("hop %s says %+v", h.Ref, h.Secret)
					}
				}
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			objs := append([]runtime.Object{apps.DeepCopy(), gitRepository()}, tt.objs...)
			tr := newTestTracer(objs...)
			start, err := tr.getOwner(ctx, "shop", &metav1.OwnerReference{APIVersion: "v1", Kind: "Secret", Name: tt.trace})
			if err != nil {
				t.Fatal(err)
			}
			r := tr.Trace(ctx, start)
			if r.Result != ResultTraced || hopNames(r) != tt.hops {
				t.Fatalf("result %s (%s), hops:\n got %s\nwant %s", r.Result, r.Error, hopNames(r), tt.hops)
			}
			tt.check(t, r)
			doc, err := json.Marshal(r)
			if err != nil {
				t.Fatal(err)
			}
			var text bytes.Buffer
			if err := writeText(&text, []*Report{r}, false, goldenNow); err != nil {
				t.Fatal(err)
			}
			for _, out := range []string{string(doc), text.String()} {
				if strings.Contains(out, secretValue) || strings.Contains(out, "hunter2") || strings.Contains(out, "AgBy3i4O") {
					t.Errorf("a value in the output:\n%s", out)
				}
			}
		})
	}

	t.Run("an ExternalSecret traced itself says where its Secret comes from", func(t *testing.T) {
		es := labelled(obj("external-secrets.io/v1", "ExternalSecret", "shop", "db", externalSecret("False", "could not get secret data from provider")), "flux-system", "apps")
		r := newTestTracer(apps.DeepCopy(), gitRepository(), es.DeepCopy()).Trace(ctx, es)
		if s := r.Hops[0].Secret; s == nil || s.Store == nil || s.Store.Name != "vault" {
			t.Errorf("secret = %+v", s)
		}
		if h := r.Hops[0].Health; h == nil || h.Ready != metav1.ConditionFalse {
			t.Errorf("health = %+v", h)
		}
	})
}

// secretReports are the golden reports of Secrets from an ExternalSecret (not
// Ready, a control character in the message, a store name with an escape), a
// SealedSecret, and a SOPS-encrypted file found with --git-dir.
func secretReports() []*Report {
	secret := func(name string) Hop {
		return Hop{Role: RoleObject, Ref: output.ObjectRef{APIVersion: "v1", Kind: "Secret", Namespace: "shop", Name: name}}
	}
	commit := &Commit{By: output.ObjectRef{Kind: "Kustomization", Namespace: "flux-system", Name: "apps"}, Applied: "main@sha1:" + shaBad, SHA: shaBad, Source: "main@sha1:" + shaBad, Status: CommitCurrent}
	es := Hop{Role: RoleOwner, Ref: output.ObjectRef{APIVersion: "external-secrets.io/v1", Kind: "ExternalSecret", Namespace: "shop", Name: "db"}, Via: "ownerReference",
		Health: &Health{Ready: "False", Reason: "SecretSyncedError", Message: "could not get secret data from provider\x1b[2J", LastReconciled: at(10 * time.Minute)},
		Secret: &SecretSource{From: SecretFromExternalSecret, Store: &output.ObjectRef{APIVersion: "external-secrets.io/v1", Kind: "ClusterSecretStore", Name: "vault\x1b[31m"},
			RemoteKeys: []string{"shop/db", "api-token (SecretStore aws)"}, RefreshTime: at(2 * time.Hour)}}
	external := &Report{TypeMeta: output.NewTypeMeta(output.KindTrace), Result: ResultTraced, Object: secret("db").Ref,
		Hops: []Hop{secret("db"), es, ks("apps", "./apps", "main@sha1:"+shaBad), gitSource()}, Commit: commit}
	ss := Hop{Role: RoleOwner, Ref: output.ObjectRef{APIVersion: "bitnami.com/v1alpha1", Kind: "SealedSecret", Namespace: "shop", Name: "sealed"}, Via: "ownerReference",
		Health: &Health{Ready: "True", LastReconciled: at(time.Hour)}, Secret: &SecretSource{From: SecretFromSealedSecret}}
	sealedCommit := *commit
	sealedCommit.Git = &GitLocation{File: "apps/sealed.yaml", Line: 1, FileFrom: FileFromScan}
	sealed := &Report{TypeMeta: output.NewTypeMeta(output.KindTrace), Result: ResultTraced, Object: secret("sealed").Ref,
		Hops: []Hop{secret("sealed"), ss, ks("apps", "./apps", "main@sha1:"+shaBad), gitSource()}, Commit: &sealedCommit}
	sopsObj := secret("db-sops")
	sopsObj.Secret = &SecretSource{From: SecretFromSOPS, Decryption: &output.ObjectRef{Kind: "Kustomization", Namespace: "flux-system", Name: "apps"}, KeySecret: "sops-age"}
	sopsCommit := *commit
	sopsCommit.Git = &GitLocation{File: "apps/db.sops.yaml", Line: 1, FileFrom: FileFromScan, Encrypted: EncryptedSOPS, Subject: "Rotate the db password", Author: "Dev <dev@example.com>"}
	sops := &Report{TypeMeta: output.NewTypeMeta(output.KindTrace), Result: ResultTraced, Object: sopsObj.Ref,
		Hops: []Hop{sopsObj, ks("apps", "./apps", "main@sha1:"+shaBad), gitSource()}, Commit: &sopsCommit}
	sopsPlain := *sops
	sopsPlain.Commit = commit
	return []*Report{external, sealed, sops, &sopsPlain}
}

// sopsSecret is a Secret as `sops --encrypt --encrypted-regex '^(data|stringData)$'`
// writes it: identity in the clear, values and the MAC encrypted, `sops` metadata.
const sopsSecret = `apiVersion: v1
kind: Secret
metadata:
    name: db
    namespace: shop
data:
    password: ENC[AES256_GCM,data:3q2+7w==,iv:AAAA,tag:BBBB,type:str]
sops:
    age:
        - recipient: age1qyqszqgpqyqszqgpqyqszqgpqyqszqgpqyqszqgpqyqszqgpqyqs3290gq
          enc: |
            -----BEGIN AGE ENCRYPTED FILE-----
            YWdlLWVuY3J5cHRpb24ub3JnL3YxCg==
            -----END AGE ENCRYPTED FILE-----
    lastmodified: "2026-01-01T00:00:00Z"
    mac: ENC[AES256_GCM,data:CCCC,iv:DDDD,tag:EEEE,type:str]
    encrypted_regex: ^(data|stringData)$
    version: 3.10.2
`

// TestLocateInGitSOPS: with --git-dir, the file of a Secret is named encrypted when
// its document carries SOPS metadata, and not when the Secret is in the clear (in a
// file of its own or beside an encrypted one).
func TestLocateInGitSOPS(t *testing.T) {
	url := "https://git.example.com/acme/fleet.git"
	plain := "apiVersion: v1\nkind: Secret\nmetadata:\n  name: plain\n  namespace: shop\nstringData:\n  k: v\n"
	// A List SOPS encrypted as a whole: the metadata is on the List's document, not
	// on its items.
	sopsList := "apiVersion: v1\nkind: List\nitems:\n  - " + strings.ReplaceAll(strings.Replace(sopsSecret[:strings.Index(sopsSecret, "sops:")], "name: db", "name: listed", 1), "\n", "\n    ") +
		"\n" + sopsSecret[strings.Index(sopsSecret, "sops:"):]
	clearList := "apiVersion: v1\nkind: List\nitems:\n  - " + strings.ReplaceAll(strings.TrimSuffix(strings.Replace(plain, "plain", "clear-item", 1), "\n"), "\n", "\n    ") + "\n"
	huge := strings.Replace(plain, "plain", "huge", 1) + "---\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: big\n  namespace: shop\ndata:\n  x: \"" + strings.Repeat("a", maxSOPSFile) + "\"\n"
	dir, shas := gitRepo(t, url, map[string]map[string]string{"Secrets": {
		"secrets/db.sops.yaml":   sopsSecret,
		"secrets/plain.yaml":     plain,
		"secrets/both.yaml":      strings.Replace(plain, "plain", "first", 1) + "---\n" + strings.Replace(sopsSecret, "name: db", "name: second", 1),
		"secrets/list.sops.yaml": sopsList,
		"secrets/list.yaml":      clearList,
		"secrets/huge.yaml":      huge,
	}})
	for _, tt := range []struct {
		name, file string
		encrypted  string
		data       string
	}{
		{"db", "secrets/db.sops.yaml", EncryptedSOPS, "from the encrypted file secrets/db.sops.yaml"},
		{"plain", "secrets/plain.yaml", EncryptedNone, "but secrets/plain.yaml is not encrypted: Git holds this Secret in the clear"},
		{"first", "secrets/both.yaml", EncryptedNone, "is not encrypted"},
		{"second", "secrets/both.yaml", EncryptedSOPS, "from the encrypted file secrets/both.yaml"},
		{"listed", "secrets/list.sops.yaml", EncryptedSOPS, "from the encrypted file secrets/list.sops.yaml"},
		{"clear-item", "secrets/list.yaml", EncryptedNone, "but secrets/list.yaml is not encrypted"},
		// Not read: neither encrypted nor in the clear.
		{"huge", "secrets/huge.yaml", EncryptedUnknown, "whether secrets/huge.yaml is encrypted could not be read"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			ref := output.ObjectRef{APIVersion: "v1", Kind: "Secret", Namespace: "shop", Name: tt.name}
			k := Hop{Role: RoleKustomization, Ref: output.ObjectRef{Kind: "Kustomization", Namespace: "flux-system", Name: "secrets"}, Path: "./secrets",
				LastAppliedRevision: "main@sha1:" + shas[0], SourceRef: &output.ObjectRef{Kind: "GitRepository", Namespace: "flux-system", Name: "flux-system"}}
			obj := Hop{Role: RoleObject, Ref: ref, Secret: &SecretSource{From: SecretFromSOPS, Decryption: &k.Ref, KeySecret: "sops-age"}}
			r := &Report{Object: ref, Result: ResultTraced, Hops: []Hop{obj, k, {Role: RoleSource, Ref: *k.SourceRef, URL: url}},
				Commit: &Commit{SHA: shas[0], Applied: "main@sha1:" + shas[0]}}
			r.LocateInGit(context.Background(), dir)
			g := r.Commit.Git
			if g == nil || g.File != tt.file || g.Encrypted != tt.encrypted {
				t.Fatalf("git = %+v, want %s, encrypted %q", g, tt.file, tt.encrypted)
			}
			var buf strings.Builder
			if err := writeText(&buf, []*Report{r}, false, goldenNow); err != nil {
				t.Fatal(err)
			}
			if !strings.Contains(buf.String(), tt.data) || strings.Contains(buf.String(), "3q2+7w") {
				t.Errorf("human view lacks %q (or shows a value):\n%s", tt.data, buf.String())
			}
			if tt.encrypted != EncryptedNone && strings.Contains(buf.String(), "in the clear") {
				t.Errorf("a Secret not read in the clear is said to be:\n%s", buf.String())
			}
		})
	}
	// Read directly: a file too large is not read (its size says so), and a git that
	// fails (no such file at the commit, no such commit) gives no answer.
	for _, tt := range []struct {
		name, sha, file string
		line            int
		why             string
	}{
		{"over the limit", shas[0], "secrets/huge.yaml", 1, "larger than 1 MiB"},
		{"no such file", shas[0], "secrets/gone.yaml", 1, "git cat-file"},
		{"no such commit", strings.Repeat("0", 40), "secrets/plain.yaml", 1, "git cat-file"},
		{"no document at that line", shas[0], "secrets/plain.yaml", 3, "no document of it starts at line 3"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			state, why := sopsState(context.Background(), dir, tt.sha, tt.file, tt.line)
			if state != EncryptedUnknown || !strings.Contains(why, tt.why) {
				t.Errorf("sopsState = %q (%s), want unknown (%s)", state, why, tt.why)
			}
		})
	}
}

// TestTraceSecretUnreadableMaker: a Secret with Flux labels of its own, whose
// ExternalSecret or SealedSecret RBAC hides (or fails to read), is traced from those
// labels, as it was before the walk went on to the owner, with a note that says so.
func TestTraceSecretUnreadableMaker(t *testing.T) {
	ctx := context.Background()
	apps := labelled(kustomization("apps", "./apps", "shop_db_external-secrets.io_ExternalSecret", "shop_sealed_bitnami.com_SealedSecret"), "flux-system", "apps")
	forbidden := func(gr schema.GroupResource, name string) error {
		return apierrors.NewForbidden(gr, name, errors.New(`User "dev" cannot get resource`))
	}
	for _, tt := range []struct {
		name, secret, apiVersion, kind, resource string
		err                                      func(gr schema.GroupResource, name string) error
		note                                     string
	}{
		{"ExternalSecret forbidden", "db", "external-secrets.io/v1", "ExternalSecret", "externalsecrets", forbidden,
			"its ExternalSecret shop/db could not be read (forbidden: you may not read ExternalSecrets): traced from the Secret's own Flux labels"},
		{"SealedSecret forbidden", "sealed", "bitnami.com/v1alpha1", "SealedSecret", "sealedsecrets", forbidden,
			"its SealedSecret shop/sealed could not be read (forbidden: you may not read SealedSecrets): traced from the Secret's own Flux labels"},
		{"ExternalSecret fails to read", "db", "external-secrets.io/v1", "ExternalSecret", "externalsecrets",
			func(schema.GroupResource, string) error {
				return apierrors.NewInternalError(errors.New("etcd timeout"))
			},
			"its ExternalSecret shop/db could not be read (Internal error occurred: etcd timeout): traced from the Secret's own Flux labels"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			secret := labelled(owned(obj("v1", "Secret", "shop", tt.secret, secretObj(tt.secret)), tt.apiVersion, tt.kind, tt.secret), "flux-system", "apps")
			maker := labelled(obj(tt.apiVersion, tt.kind, "shop", tt.secret, nil), "flux-system", "apps")
			tr := newTestTracer(apps.DeepCopy(), gitRepository(), secret.DeepCopy(), maker)
			gv, _ := schema.ParseGroupVersion(tt.apiVersion)
			tr.dyn.(*dynamicfake.FakeDynamicClient).PrependReactor("get", tt.resource, func(k8stesting.Action) (bool, runtime.Object, error) {
				return true, nil, tt.err(schema.GroupResource{Group: gv.Group, Resource: tt.resource}, tt.secret)
			})
			r := tr.Trace(ctx, secret)
			want := "object:Secret/" + tt.secret + " kustomization:Kustomization/apps(kustomize labels) source:GitRepository/flux-system(sourceRef)"
			if r.Result != ResultTraced || hopNames(r) != want {
				t.Fatalf("result %s (%s), hops:\n got %s\nwant %s", r.Result, r.Error, hopNames(r), want)
			}
			if !hasNote(r, tt.note) {
				t.Errorf("notes %q, want one with %q", r.Hops[0].Notes, tt.note)
			}
			// The inventory lists the maker, whose labels the Secret's are copies of:
			// the Secret is not called an orphan to delete.
			if r.Commit == nil || r.Commit.SHA != shaGood || r.Commit.Status != CommitCurrent || r.Hops[1].Inventory != InventoryListed {
				t.Errorf("commit = %+v, inventory %s: want the Kustomization's, listed through the maker", r.Commit, r.Hops[1].Inventory)
			}
		})
	}
	t.Run("a Secret without labels of its own still ends at the forbidden owner", func(t *testing.T) {
		secret := owned(obj("v1", "Secret", "shop", "db", secretObj("db")), "external-secrets.io/v1", "ExternalSecret", "db")
		tr := newTestTracer(apps.DeepCopy(), gitRepository(), secret.DeepCopy())
		tr.dyn.(*dynamicfake.FakeDynamicClient).PrependReactor("get", "externalsecrets", func(k8stesting.Action) (bool, runtime.Object, error) {
			return true, nil, forbidden(schema.GroupResource{Group: "external-secrets.io", Resource: "externalsecrets"}, "db")
		})
		if r := tr.Trace(ctx, secret); r.Result != ResultForbidden {
			t.Errorf("result %s (%s), want Forbidden", r.Result, r.Error)
		}
	})
}
