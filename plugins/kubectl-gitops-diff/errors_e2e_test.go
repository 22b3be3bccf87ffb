package main_test

import (
	"context"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/kubectl-gitops/kubectl-gitops/shared/testbed"
)

// TestDiffRefusals: what on-call sees when diff cannot compare, each through kubectl:
// a Kustomization that does not exist, a user who may not read it; and a GitRepository
// named in a message by its resource's plural. One error line each, its documented exit
// code, nothing written.
func TestDiffRefusals(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "cm.yaml"), []byte(testbed.ConfigMapYAML("default", "a", "key", "v1")), 0o644); err != nil {
		t.Fatal(err)
	}

	bed := testbed.Start(t, testbed.Options{Flux: true})
	ks := testbed.KustomizationYAML(testbed.Kustomization{Namespace: testbed.FluxNamespace, Name: "apps", Path: "./", Source: "fleet"})
	if err := bed.Apply(ctx, ks); err != nil {
		t.Fatal(err)
	}
	testbed.CheckKubectl(t, ctx, bed.Assets, bed.Kubeconfig, []testbed.KubectlCase{
		{Args: []string{"gitops", "diff", "nope", "-n", "flux-system", "--dir", dir}, Code: 3, Stderr: "not found"},
		{Args: []string{"gitops", "diff", "apps", "-n", "flux-system", "--dir", dir, "--as", "nobody"}, Code: 5, Stderr: "forbidden"},
		{Args: []string{"gitops", "branch", "show", "nope", "-n", "flux-system"}, Code: 3, Stderr: "list them with 'kubectl get gitrepositories -A'"},
	})
	if run, err := testbed.Kubectl(ctx, bed.Assets, bed.Kubeconfig, "get", "configmap", "a", "-n", "default"); err != nil || run.Code == 0 {
		t.Errorf("a refused diff wrote ConfigMap a: %v\n%s", err, run)
	}
}

// TestFluxNotInstalledNamed: on a cluster without Flux's CRDs, the commands that read one
// named Flux object say Flux is not installed (8), not that the object is missing (3).
// The bed's kube-apiserver answers such a GET with a bare "404 page not found", which
// already reads as a missing type; a server or proxy that answers with a NotFound Status
// naming the object is told apart by discovery (flux's TestNotFoundAsksDiscovery). This
// pins the outcome users see, whichever way the server answers.
func TestFluxNotInstalledNamed(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "cm.yaml"), []byte(testbed.ConfigMapYAML("default", "a", "key", "v1")), 0o644); err != nil {
		t.Fatal(err)
	}
	bed := testbed.Start(t, testbed.Options{NoFluxCRDs: true})
	const notInstalled = "Flux is not installed in this cluster"
	testbed.CheckKubectl(t, ctx, bed.Assets, bed.Kubeconfig, []testbed.KubectlCase{
		{Args: []string{"gitops", "diff", "apps", "-n", "flux-system", "--dir", dir}, Code: 8, Stderr: notInstalled},
		{Args: []string{"gitops", "rollback", "history", "apps", "-n", "flux-system"}, Code: 8, Stderr: notInstalled},
		{Args: []string{"gitops", "branch", "show", "flux-system", "-n", "flux-system"}, Code: 8, Stderr: notInstalled},
	})
}
