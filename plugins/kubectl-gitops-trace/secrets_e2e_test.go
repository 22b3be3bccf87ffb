package main_test

import (
	"context"
	"encoding/base64"
	"strings"
	"testing"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"

	"github.com/kubectl-gitops/kubectl-gitops/shared/output"
	"github.com/kubectl-gitops/kubectl-gitops/shared/output/outputtest"
	"github.com/kubectl-gitops/kubectl-gitops/shared/testbed"
	"github.com/kubectl-gitops/kubectl-gitops/shared/trace"
)

// sealedValue and sopsValue are the secret values of the test: they must appear in
// no output.
const (
	sealedValue   = "s3cr3t-unsealed-by-the-controller"
	sopsValue     = "s3cr3t-decrypted-by-kustomize-controller"
	externalValue = "s3cr3t-from-the-fake-store"
)

// TestTraceSecretOrigins: Secrets whose data Git does not hold in the clear, made by
// real controllers from what Flux applies, traced to the commit through the object
// that made them. A Secret sealed by kubeseal with the bed controller's certificate is
// committed as a SealedSecret, applied by Flux and unsealed by the real sealed-secrets
// controller: its trace goes Secret → SealedSecret → Kustomization → GitRepository
// and says it was unsealed, and no output carries the value. A Secret encrypted by
// the sops CLI for an age key is committed, and kustomize-controller, given the key in
// spec.decryption, decrypts and applies it: its trace says the Kustomization decrypts
// with SOPS, and with --git-dir names the encrypted file; a Secret in the clear under
// the same Kustomization is named as not encrypted. An ExternalSecret and its
// ClusterSecretStore are applied by Flux, and the Secret made as External Secrets'
// controller makes it (owned by the ExternalSecret, its labels copied, Flux's
// included; the controller itself is not built, see testbed.Options.ExternalSecrets):
// its trace goes Secret → ExternalSecret → Kustomization → GitRepository with the
// store, the remote keys, Ready and the refresh time.
func TestTraceSecretOrigins(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 6*time.Minute)
	defer cancel()
	bed := testbed.Start(t, testbed.Options{Flux: true, SealedSecrets: true, ExternalSecrets: true})
	sealed, err := bed.Seal(ctx, "apiVersion: v1\nkind: Secret\nmetadata:\n  name: db\n  namespace: secrets-ns\ndata:\n  password: "+
		base64.StdEncoding.EncodeToString([]byte(sealedValue))+"\n")
	must(t, err)
	if !strings.Contains(sealed, "kind: SealedSecret") || strings.Contains(sealed, sealedValue) || strings.Contains(sealed, base64.StdEncoding.EncodeToString([]byte(sealedValue))) {
		t.Fatalf("kubeseal did not seal the Secret:\n%s", sealed)
	}
	identity, recipient, err := bed.Assets.AgeKey(ctx)
	must(t, err)
	encrypted, err := bed.Assets.SOPSEncrypt(ctx, recipient, "apiVersion: v1\nkind: Secret\nmetadata:\n  name: db-sops\n  namespace: secrets-ns\nstringData:\n  password: "+sopsValue+"\n")
	must(t, err)
	if !strings.Contains(encrypted, "sops:") || strings.Contains(encrypted, sopsValue) {
		t.Fatalf("sops did not encrypt the Secret:\n%s", encrypted)
	}
	repo, err := bed.Git.CreateRepo(ctx, "secrets")
	must(t, err)
	sha, err := repo.Commit(ctx, "A sealed Secret and a SOPS-encrypted one", map[string]string{
		"sealed/db.yaml": sealed,
		"sops/db.yaml":   encrypted,
		"external/store.yaml": "apiVersion: external-secrets.io/v1\nkind: ClusterSecretStore\nmetadata:\n  name: fake\nspec:\n  provider:\n    fake:\n      data:\n" +
			"        - key: /shop/db\n          value: " + externalValue + "\n",
		"external/db.yaml": "apiVersion: external-secrets.io/v1\nkind: ExternalSecret\nmetadata:\n  name: db-ext\n  namespace: secrets-ns\nspec:\n  refreshInterval: 1h\n" +
			"  secretStoreRef:\n    kind: ClusterSecretStore\n    name: fake\n  target:\n    name: db-ext\n" +
			"  data:\n    - secretKey: password\n      remoteRef:\n        key: /shop/db\n  dataFrom:\n    - extract:\n        key: /shop/config\n",
		"sops/plain.yaml": "apiVersion: v1\nkind: Secret\nmetadata:\n  name: plain\n  namespace: secrets-ns\nstringData:\n  k: v\n",
	})
	must(t, err)
	must(t, bed.Apply(ctx, "apiVersion: v1\nkind: Namespace\nmetadata:\n  name: secrets-ns\n---\n"+
		"apiVersion: v1\nkind: Secret\nmetadata:\n  name: sops-age\n  namespace: "+testbed.FluxNamespace+"\nstringData:\n  age.agekey: |\n"+indent(identity, "    ")+"---\n"+
		testbed.GitRepositoryYAML(testbed.FluxNamespace, "secrets", repo.URL, "main")+"---\n"+
		testbed.KustomizationYAML(testbed.Kustomization{Namespace: testbed.FluxNamespace, Name: "sealed", Path: "./sealed", Source: "secrets"})+"---\n"+
		testbed.KustomizationYAML(testbed.Kustomization{Namespace: testbed.FluxNamespace, Name: "external", Path: "./external", Source: "secrets"})+"---\n"+
		testbed.KustomizationYAML(testbed.Kustomization{Namespace: testbed.FluxNamespace, Name: "sops", Path: "./sops", Source: "secrets"})+
		"  decryption:\n    provider: sops\n    secretRef:\n      name: sops-age\n"))
	_, err = bed.WaitApplied(ctx, testbed.FluxNamespace, "sealed", sha)
	must(t, err)
	_, err = bed.WaitApplied(ctx, testbed.FluxNamespace, "sops", sha)
	must(t, err)
	_, err = bed.WaitApplied(ctx, testbed.FluxNamespace, "external", sha)
	must(t, err)
	must(t, bed.SyncExternalSecret(ctx, "secrets-ns", "db-ext", map[string][]byte{"password": []byte(externalValue)}))
	waitSecret(t, ctx, bed, "secrets-ns", "db")

	t.Run("Secret to SealedSecret to commit", func(t *testing.T) {
		r := traceDoc(t, ctx, bed, bed.Kubeconfig, 0, "secret/db", "-n", "secrets-ns")
		wantHops(t, r, []hopWant{
			{role: trace.RoleObject, kind: "Secret", name: "secrets-ns/db"},
			{role: trace.RoleOwner, kind: "SealedSecret", name: "secrets-ns/db"},
			{role: trace.RoleKustomization, kind: "Kustomization", name: "flux-system/sealed", inventory: trace.InventoryListed},
			{role: trace.RoleSource, kind: "GitRepository", name: "flux-system/secrets"},
		})
		wantCommit(t, r, sha, trace.CommitCurrent)
		if len(r.Hops) > 1 {
			h := r.Hops[1]
			if h.Secret == nil || h.Secret.From != trace.SecretFromSealedSecret {
				t.Errorf("SealedSecret hop's secret = %+v, want from SealedSecret", h.Secret)
			}
			if h.Health == nil || h.Health.Ready != metav1.ConditionTrue {
				t.Errorf("SealedSecret hop's health = %+v, want its Synced condition True (the controller unsealed it)", h.Health)
			}
		}
		run := kubectlTrace(t, ctx, bed, "secret/db", "-n", "secrets-ns")
		if run.Code != 0 || !strings.Contains(run.Stdout, "Data:       unsealed by the sealed-secrets controller from SealedSecret secrets-ns/db") {
			t.Errorf("human output does not say the Secret was unsealed:\n%s", run)
		}
		r = traceDoc(t, ctx, bed, bed.Kubeconfig, 0, "sealedsecret/db", "-n", "secrets-ns")
		if s := r.Hops[0].Secret; s == nil || s.From != trace.SecretFromSealedSecret || r.Hops[0].Health == nil || r.Hops[0].Health.Ready != metav1.ConditionTrue {
			t.Errorf("the SealedSecret traced itself: secret %+v, health %+v", s, r.Hops[0].Health)
		}
		r = traceDoc(t, ctx, bed, bed.Kubeconfig, 0, "secret/db", "-n", "secrets-ns", "--git-dir", repo.Work)
		if g := r.Commit.Git; g == nil || g.File != "sealed/db.yaml" || g.Encrypted != "" {
			t.Errorf("commit.git = %+v, want the SealedSecret's file sealed/db.yaml (no SOPS)", g)
		}
		for _, format := range []string{"", "json", "yaml"} {
			args := []string{"secret/db", "-n", "secrets-ns"}
			if format != "" {
				args = append(args, "-o", format)
			}
			out := kubectlTrace(t, ctx, bed, args...).Stdout
			if strings.Contains(out, sealedValue) || strings.Contains(out, base64.StdEncoding.EncodeToString([]byte(sealedValue))) {
				t.Errorf("trace -o %q prints the Secret's value:\n%s", format, out)
			}
		}
	})

	t.Run("Secret decrypted with SOPS by its Kustomization, the encrypted file with --git-dir", func(t *testing.T) {
		secret, err := bed.Dynamic.Resource(schema.GroupVersionResource{Version: "v1", Resource: "secrets"}).Namespace("secrets-ns").Get(ctx, "db-sops", metav1.GetOptions{})
		must(t, err)
		if got, _, _ := unstructured.NestedString(secret.Object, "data", "password"); got != base64.StdEncoding.EncodeToString([]byte(sopsValue)) {
			t.Fatalf("kustomize-controller did not decrypt the Secret: data.password is %d bytes", len(got))
		}
		r := traceDoc(t, ctx, bed, bed.Kubeconfig, 0, "secret/db-sops", "-n", "secrets-ns")
		wantHops(t, r, []hopWant{
			{role: trace.RoleObject, kind: "Secret", name: "secrets-ns/db-sops"},
			{role: trace.RoleKustomization, kind: "Kustomization", name: "flux-system/sops", inventory: trace.InventoryListed},
			{role: trace.RoleSource, kind: "GitRepository", name: "flux-system/secrets"},
		})
		wantCommit(t, r, sha, trace.CommitCurrent)
		if s := r.Hops[0].Secret; s == nil || s.From != trace.SecretFromSOPS || s.Decryption == nil || s.Decryption.Name != "sops" || s.KeySecret != "sops-age" {
			t.Errorf("Secret hop's secret = %+v, want SOPS by Kustomization sops with keys in sops-age", s)
		}
		r = traceDoc(t, ctx, bed, bed.Kubeconfig, 0, "secret/db-sops", "-n", "secrets-ns", "--git-dir", repo.Work)
		if g := r.Commit.Git; g == nil || g.File != "sops/db.yaml" || g.Line != 1 || g.Encrypted != trace.EncryptedSOPS {
			t.Errorf("commit.git = %+v, want sops/db.yaml:1 encrypted with SOPS", g)
		}
		run := kubectlTrace(t, ctx, bed, "secret/db-sops", "-n", "secrets-ns", "--git-dir", repo.Work)
		for _, want := range []string{
			"Data:       decrypted with SOPS by Kustomization flux-system/sops (keys in Secret sops-age) from the encrypted file sops/db.yaml\n",
			"Defined:    sops/db.yaml:1 (encrypted with SOPS)\n",
		} {
			if run.Code != 0 || !strings.Contains(run.Stdout, want) {
				t.Errorf("human output lacks %q:\n%s", want, run)
			}
		}
		run = kubectlTrace(t, ctx, bed, "secret/plain", "-n", "secrets-ns", "--git-dir", repo.Work)
		if !strings.Contains(run.Stdout, "but sops/plain.yaml is not encrypted: Git holds this Secret in the clear") || strings.Contains(run.Stdout, "(encrypted with SOPS)") {
			t.Errorf("a Secret in the clear under a decrypting Kustomization is not named so:\n%s", run)
		}
		for _, format := range []string{"", "json", "yaml"} {
			args := []string{"secret/db-sops", "-n", "secrets-ns", "--git-dir", repo.Work}
			if format != "" {
				args = append(args, "-o", format)
			}
			out := kubectlTrace(t, ctx, bed, args...).Stdout
			if strings.Contains(out, sopsValue) || strings.Contains(out, base64.StdEncoding.EncodeToString([]byte(sopsValue))) {
				t.Errorf("trace -o %q prints the Secret's value:\n%s", format, out)
			}
		}
	})

	t.Run("Secret to ExternalSecret (store, remote keys) to commit", func(t *testing.T) {
		secret, err := bed.Dynamic.Resource(schema.GroupVersionResource{Version: "v1", Resource: "secrets"}).Namespace("secrets-ns").Get(ctx, "db-ext", metav1.GetOptions{})
		must(t, err)
		if secret.GetLabels()["kustomize.toolkit.fluxcd.io/name"] != "external" {
			t.Fatalf("the Secret lacks the Flux labels External Secrets copies from its ExternalSecret: %v", secret.GetLabels())
		}
		r := traceDoc(t, ctx, bed, bed.Kubeconfig, 0, "secret/db-ext", "-n", "secrets-ns")
		wantHops(t, r, []hopWant{
			{role: trace.RoleObject, kind: "Secret", name: "secrets-ns/db-ext"},
			{role: trace.RoleOwner, kind: "ExternalSecret", name: "secrets-ns/db-ext"},
			{role: trace.RoleKustomization, kind: "Kustomization", name: "flux-system/external", inventory: trace.InventoryListed},
			{role: trace.RoleSource, kind: "GitRepository", name: "flux-system/secrets"},
		})
		wantCommit(t, r, sha, trace.CommitCurrent)
		if len(r.Hops) > 1 {
			h := r.Hops[1]
			s := h.Secret
			if s == nil || s.From != trace.SecretFromExternalSecret || s.Store == nil || s.Store.Kind != "ClusterSecretStore" || s.Store.Name != "fake" ||
				strings.Join(s.RemoteKeys, ",") != "/shop/db,/shop/config" || s.RefreshTime == nil || time.Since(*s.RefreshTime) > 5*time.Minute {
				t.Errorf("ExternalSecret hop's secret = %+v, want ClusterSecretStore fake, keys /shop/db and /shop/config, refreshed just now", s)
			}
			if h.Health == nil || h.Health.Ready != metav1.ConditionTrue || h.Health.Reason != "SecretSynced" {
				t.Errorf("ExternalSecret hop's health = %+v, want Ready True SecretSynced", h.Health)
			}
		}
		// Traced in bulk, the ExternalSecret is read whole: its store and keys are there.
		for _, d := range traceDocs(t, ctx, bed, "externalsecrets,secrets", "-n", "secrets-ns") {
			if d.Object.Name != "db-ext" {
				continue
			}
			for _, h := range d.Hops {
				if h.Ref.Kind == "ExternalSecret" && (h.Secret == nil || h.Secret.Store == nil || h.Secret.Store.Name != "fake" || h.Health == nil || h.Health.Ready != metav1.ConditionTrue) {
					t.Errorf("bulk trace of %s: ExternalSecret hop %+v, want its store and Ready condition", d.Object, h)
				}
			}
		}
		run := kubectlTrace(t, ctx, bed, "secret/db-ext", "-n", "secrets-ns")
		if run.Code != 0 || !strings.Contains(run.Stdout, "Data:       copied by External Secrets (ExternalSecret secrets-ns/db-ext) from ClusterSecretStore fake, remote keys /shop/db, /shop/config, last refreshed ") {
			t.Errorf("human output does not name the store and keys:\n%s", run)
		}
		for _, format := range []string{"", "json", "yaml"} {
			args := []string{"secret/db-ext", "-n", "secrets-ns", "--git-dir", repo.Work}
			if format != "" {
				args = append(args, "-o", format)
			}
			out := kubectlTrace(t, ctx, bed, args...).Stdout
			if strings.Contains(out, externalValue) || strings.Contains(out, base64.StdEncoding.EncodeToString([]byte(externalValue))) {
				t.Errorf("trace -o %q prints the Secret's value:\n%s", format, out)
			}
		}
	})
}

// waitSecret waits until the Secret namespace/name exists, made by its controller.
func waitSecret(t *testing.T, ctx context.Context, bed *testbed.Bed, namespace, name string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(ctx, 90*time.Second)
	defer cancel()
	secrets := bed.Dynamic.Resource(schema.GroupVersionResource{Version: "v1", Resource: "secrets"}).Namespace(namespace)
	for {
		if _, err := secrets.Get(ctx, name, metav1.GetOptions{}); err == nil {
			return
		}
		select {
		case <-ctx.Done():
			t.Fatalf("Secret %s/%s never appeared\n%s", namespace, name, bed.Logs(30))
		case <-time.After(500 * time.Millisecond):
		}
	}
}

// traceDocs traces args in bulk and decodes every document.
func traceDocs(t *testing.T, ctx context.Context, bed *testbed.Bed, args ...string) []*trace.Report {
	t.Helper()
	run := kubectlTrace(t, ctx, bed, append(args, "-o", "json")...)
	var docs []*trace.Report
	if err := outputtest.Decode(output.FormatJSON, []byte(run.Stdout), output.KindTrace, func() any { return &trace.Report{} }, func(d any) { docs = append(docs, d.(*trace.Report)) }); err != nil || len(docs) == 0 {
		t.Fatalf("%v (%d documents)\n%s", err, len(docs), run)
	}
	return docs
}
