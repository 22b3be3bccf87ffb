package main_test

import (
	"context"
	"encoding/base64"
	"strings"
	"testing"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime/schema"

	"github.com/kubectl-gitops/kubectl-gitops/shared/testbed"
	"github.com/kubectl-gitops/kubectl-gitops/shared/trace"
)

// sealedValue is the one secret value of the test: it must appear in no output.
const sealedValue = "s3cr3t-unsealed-by-the-controller"

// TestTraceSecretOrigins: Secrets whose data Git does not hold in the clear, made by
// real controllers from what Flux applies, traced to the commit through the object
// that made them. A Secret sealed by kubeseal with the bed controller's certificate is
// committed as a SealedSecret, applied by Flux and unsealed by the real sealed-secrets
// controller: its trace goes Secret → SealedSecret → Kustomization → GitRepository
// and says it was unsealed, and no output carries the value.
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
	repo, err := bed.Git.CreateRepo(ctx, "secrets")
	must(t, err)
	sha, err := repo.Commit(ctx, "A sealed Secret", map[string]string{
		"sealed/db.yaml": sealed,
	})
	must(t, err)
	must(t, bed.Apply(ctx, "apiVersion: v1\nkind: Namespace\nmetadata:\n  name: secrets-ns\n---\n"+
		testbed.GitRepositoryYAML(testbed.FluxNamespace, "secrets", repo.URL, "main")+"---\n"+
		testbed.KustomizationYAML(testbed.Kustomization{Namespace: testbed.FluxNamespace, Name: "sealed", Path: "./sealed", Source: "secrets"})))
	_, err = bed.WaitApplied(ctx, testbed.FluxNamespace, "sealed", sha)
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
