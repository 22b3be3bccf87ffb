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

	"github.com/kubectl-gitops/kubectl-gitops/shared/testbed"
	"github.com/kubectl-gitops/kubectl-gitops/shared/trace"
)

// sealedValue and sopsValue are the secret values of the test: they must appear in
// no output.
const (
	sealedValue = "s3cr3t-unsealed-by-the-controller"
	sopsValue   = "s3cr3t-decrypted-by-kustomize-controller"
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
// the same Kustomization is named as not encrypted.
func TestTraceSecretOrigins(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 6*time.Minute)
	defer cancel()
	bed := testbed.Start(t, testbed.Options{Flux: true, SealedSecrets: true})
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
		"sealed/db.yaml":  sealed,
		"sops/db.yaml":    encrypted,
		"sops/plain.yaml": "apiVersion: v1\nkind: Secret\nmetadata:\n  name: plain\n  namespace: secrets-ns\nstringData:\n  k: v\n",
	})
	must(t, err)
	must(t, bed.Apply(ctx, "apiVersion: v1\nkind: Namespace\nmetadata:\n  name: secrets-ns\n---\n"+
		"apiVersion: v1\nkind: Secret\nmetadata:\n  name: sops-age\n  namespace: "+testbed.FluxNamespace+"\nstringData:\n  age.agekey: |\n"+indent(identity, "    ")+"---\n"+
		testbed.GitRepositoryYAML(testbed.FluxNamespace, "secrets", repo.URL, "main")+"---\n"+
		testbed.KustomizationYAML(testbed.Kustomization{Namespace: testbed.FluxNamespace, Name: "sealed", Path: "./sealed", Source: "secrets"})+"---\n"+
		testbed.KustomizationYAML(testbed.Kustomization{Namespace: testbed.FluxNamespace, Name: "sops", Path: "./sops", Source: "secrets"})+
		"  decryption:\n    provider: sops\n    secretRef:\n      name: sops-age\n"))
	_, err = bed.WaitApplied(ctx, testbed.FluxNamespace, "sealed", sha)
	must(t, err)
	_, err = bed.WaitApplied(ctx, testbed.FluxNamespace, "sops", sha)
	must(t, err)
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
