package main_test

import (
	"context"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/kubectl-gitops/kubectl-gitops/shared/testbed"
	"github.com/kubectl-gitops/kubectl-gitops/shared/trace"
)

// TestTraceHandAppliedRoot: Flux objects created by hand (kubectl apply, flux create,
// Terraform), which no Kustomization applies: a GitRepository, a Kustomization applying
// locally, one applying to a workload cluster through spec.kubeConfig, and a
// HelmRelease. Each is the root of its own chain: traced directly it shows its source,
// the commit it applied and its health, says nothing in Git applies it, and exits 0.
func TestTraceHandAppliedRoot(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 8*time.Minute)
	defer cancel()
	bed := testbed.Start(t, testbed.Options{Flux: true})
	wl, err := bed.AddWorkload(ctx, testbed.DemoWorkload, "fleet")
	must(t, err)
	kubeconfig, err := bed.FleetKubeconfig("kubeconfig-root", testbed.ManagementContext, nil)
	must(t, err)
	repo, err := bed.Git.CreateRepo(ctx, "hand")
	must(t, err)
	files := map[string]string{
		"local/config.yaml":  testbed.ConfigMapYAML("default", "hand-local", "k", "v"),
		"remote/config.yaml": testbed.ConfigMapYAML("default", "hand-remote", "k", "v"),
	}
	for k, v := range testbed.ChartFiles("charts/web", "web", "0.1.0") {
		files[k] = v
	}
	sha, err := repo.Commit(ctx, "Hand-applied roots", files)
	must(t, err)
	must(t, bed.Apply(ctx, testbed.GitRepositoryYAML(testbed.FluxNamespace, "hand", repo.URL, "main")+"---\n"+
		testbed.KustomizationYAML(testbed.Kustomization{Namespace: testbed.FluxNamespace, Name: "hand-local", Path: "./local", Source: "hand"})+"---\n"+
		testbed.KustomizationYAML(testbed.Kustomization{Namespace: "fleet", Name: "hand-remote", Path: "./remote", Source: "hand", SourceNamespace: testbed.FluxNamespace, KubeConfigSecret: wl.Secret})+"---\n"+
		testbed.HelmReleaseYAML("default", "hand-web", "./charts/web", testbed.FluxNamespace, "hand")))
	_, err = bed.WaitApplied(ctx, testbed.FluxNamespace, "hand-local", sha)
	must(t, err)
	_, err = bed.WaitApplied(ctx, "fleet", "hand-remote", sha)
	must(t, err)
	_, err = bed.WaitReady(ctx, "HelmRelease", "default", "hand-web")
	must(t, err)

	source := "management:Source:GitRepository:flux-system/hand"
	isRoot := func(t *testing.T, r *trace.Report) {
		t.Helper()
		if r.Result != trace.ResultTraced || r.Error != "" {
			t.Errorf("result %s (%s), want Traced", r.Result, r.Error)
		}
		if h := r.Hops[0]; h.Health == nil || h.Health.Ready != "True" || !slices.Contains(h.Notes, trace.RootNote) {
			t.Errorf("object hop %+v: want its own health and the note that nothing in Git applies it", h)
		}
	}

	t.Run("Kustomization applying locally", func(t *testing.T) {
		r := traceDoc(t, ctx, bed, kubeconfig, 0, "kustomization/hand-local", "-n", testbed.FluxNamespace)
		isRoot(t, r)
		if got, want := chain(r), "management:Object:Kustomization:flux-system/hand-local "+source; got != want {
			t.Errorf("chain\n got %s\nwant %s", got, want)
		}
		if c := wantCommit(t, r, sha, trace.CommitCurrent); c.By.Name != "hand-local" {
			t.Errorf("commit by %s, want the Kustomization itself", c.By)
		}
		run, err := testbed.Kubectl(ctx, bed.Assets, kubeconfig, "gitops", "trace", "kustomization/hand-local", "-n", testbed.FluxNamespace)
		must(t, err)
		for _, want := range []string{"Commit:     " + sha, "Status:     Current", "State:      ready", "nothing in Git applies it", "GitRepository"} {
			if !strings.Contains(run.Stdout, want) {
				t.Errorf("human output lacks %q:\n%s", want, run)
			}
		}
		if run.Code != 0 || strings.Contains(run.Stderr, "error:") {
			t.Errorf("exit %d, want 0 and no error line:\n%s", run.Code, run)
		}
		t.Logf("human output:\n%s", run.Stdout)
	})

	t.Run("Kustomization applying to a workload cluster through spec.kubeConfig", func(t *testing.T) {
		r := traceDoc(t, ctx, bed, kubeconfig, 0, "kustomization/hand-remote", "-n", "fleet", "--remote-context", wl.Name)
		isRoot(t, r)
		if got, want := chain(r), "management:Object:Kustomization:fleet/hand-remote "+source; got != want {
			t.Errorf("chain\n got %s\nwant %s", got, want)
		}
		wantCommit(t, r, sha, trace.CommitCurrent)
		if tg := r.Hops[0].Target; tg == nil || tg.Cluster != wl.Name || len(tg.Objects) != 1 || !tg.Objects[0].Present || tg.Objects[0].Ref.Name != "hand-remote" {
			t.Errorf("target %+v, want ConfigMap default/hand-remote present in %s", tg, wl.Name)
		}
	})

	t.Run("HelmRelease", func(t *testing.T) {
		r := traceDoc(t, ctx, bed, kubeconfig, 0, "helmrelease/hand-web", "-n", "default")
		isRoot(t, r)
		if got, want := chain(r), "management:Object:HelmRelease:default/hand-web management:HelmChart:HelmChart:flux-system/default-hand-web management:ChartSource:GitRepository:flux-system/hand"; got != want {
			t.Errorf("chain\n got %s\nwant %s", got, want)
		}
		if c := wantCommit(t, r, sha, trace.CommitCurrent); c.By.Kind != "HelmRelease" || c.Chart != "web" {
			t.Errorf("commit %+v, want the chart the HelmRelease installed", c)
		}
	})

	t.Run("GitRepository", func(t *testing.T) {
		r := traceDoc(t, ctx, bed, kubeconfig, 0, "gitrepository/hand", "-n", testbed.FluxNamespace)
		isRoot(t, r)
		if h := r.Hops[0]; len(r.Hops) != 1 || !strings.HasSuffix(h.Revision, sha) || h.Tracks != "branch main" {
			t.Errorf("hops %s, object hop %+v: want the source alone, at %s on branch main", chain(r), h, sha)
		}
	})

	t.Run("an object nothing applies is still not managed", func(t *testing.T) {
		run, err := testbed.Kubectl(ctx, bed.Assets, kubeconfig, "gitops", "trace", "ns", "default")
		must(t, err)
		if run.Code != 4 || !strings.Contains(run.Stderr, "is not managed by Flux") {
			t.Errorf("exit %d, want 4 and the not-managed error:\n%s", run.Code, run)
		}
	})
}
