package main_test

import (
	"context"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/kubectl-gitops/kubectl-gitops/shared/deps/render"
	"github.com/kubectl-gitops/kubectl-gitops/shared/output"
	"github.com/kubectl-gitops/kubectl-gitops/shared/output/outputtest"
	"github.com/kubectl-gitops/kubectl-gitops/shared/testbed"
)

// TestDeadlockAndSourceRootCause applies, on the `flux bootstrap` layout, the
// cross-kind deadlock of Flux's RFC for real: Kustomization infra (wait: true) applies
// HelmRelease cert-manager, which depends on HelmRelease crds, which Kustomization crds
// applies only after infra is Ready. Flux sits in a health-check wait and
// DependencyNotReady and reports nothing more; deps on the repository names the cycle
// and the edge to break. Beside it, a GitRepository on a branch that does not exist:
// live deps names that source as the root cause of the Kustomizations behind it; and
// a dependsOn readyExpr that Flux finds false, which deps evaluates the same way.
func TestDeadlockAndSourceRootCause(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 6*time.Minute)
	defer cancel()
	bed := testbed.Start(t, testbed.Options{Flux: true})
	repo, err := bed.Git.CreateRepo(ctx, "fleet")
	if err != nil {
		t.Fatal(err)
	}
	ns := testbed.FluxNamespace
	bootstrap := testbed.BootstrapYAML(repo.URL, "./clusters/test")
	infra := testbed.KustomizationYAML(testbed.Kustomization{Namespace: ns, Name: "infra", Path: "./infra", Source: "flux-system"})
	infra = strings.Replace(infra, "  timeout: 1m\n", "  timeout: 15s\n  wait: true\n", 1)
	files := map[string]string{
		"clusters/test/flux-system/gotk-sync.yaml": bootstrap,
		"clusters/test/infra.yaml":                 infra,
		"clusters/test/crds.yaml":                  testbed.KustomizationYAML(testbed.Kustomization{Namespace: ns, Name: "crds", Path: "./crds", Source: "flux-system", DependsOn: []string{"infra"}}),
		"clusters/test/broken.yaml": testbed.GitRepositoryYAML(ns, "broken", repo.URL, "no-such-branch") + "---\n" +
			testbed.KustomizationYAML(testbed.Kustomization{Namespace: ns, Name: "orphan", Path: "./apps", Source: "broken"}) + "---\n" +
			testbed.KustomizationYAML(testbed.Kustomization{Namespace: ns, Name: "downstream", Path: "./apps", Source: "flux-system", DependsOn: []string{"orphan"}}),
		"clusters/test/gated.yaml": strings.Replace(
			testbed.KustomizationYAML(testbed.Kustomization{Namespace: ns, Name: "gated", Path: "./apps", Source: "flux-system", DependsOn: []string{"flux-system"}}),
			"    - name: flux-system\n", "    - name: flux-system\n      readyExpr: dep.metadata.name == 'production'\n", 1),
		"infra/cert-manager.yaml": testbed.HelmReleaseYAML(ns, "cert-manager", "./charts/web", ns, "flux-system", "crds"),
		"crds/crds.yaml":          testbed.HelmReleaseYAML(ns, "crds", "./charts/web", ns, "flux-system"),
		"apps/config.yaml":        testbed.ConfigMapYAML("default", "app", "k", "v"),
	}
	for k, v := range testbed.ChartFiles("charts/web", "web", "0.1.0") {
		files[k] = v
	}
	sha, err := repo.Commit(ctx, "a fleet that deadlocks", files)
	if err != nil {
		t.Fatal(err)
	}
	if err := bed.Apply(ctx, bootstrap); err != nil {
		t.Fatal(err)
	}
	if _, err := bed.WaitApplied(ctx, ns, "flux-system", sha); err != nil {
		t.Fatal(err)
	}
	// What Flux shows, and no more: a health check that times out, dependencies that
	// are not ready, a source that cannot fetch.
	for _, w := range []waitFor{
		{"Kustomization", ns, "infra", failingWith("HelmRelease/flux-system/cert-manager")},
		{"Kustomization", ns, "crds", dependencyNotReady("dependency 'flux-system/infra' is not ready")},
		{"HelmRelease", ns, "cert-manager", dependencyNotReady("crds")},
		{"GitRepository", ns, "broken", failingWith("no-such-branch")},
		{"Kustomization", ns, "downstream", dependencyNotReady("dependency 'flux-system/orphan' is not ready")},
		{"Kustomization", ns, "gated", dependencyNotReady("is not ready according to readyExpr eval")},
	} {
		if _, err := bed.WaitFor(ctx, 2*time.Minute, w.kind, w.ns, w.name, w.cond); err != nil {
			t.Fatal(err)
		}
	}

	report := func(t *testing.T, dir string, args ...string) *render.DependencyReport {
		t.Helper()
		run, err := testbed.KubectlIn(ctx, bed.Assets, bed.Kubeconfig, dir, append([]string{"gitops", "deps", "-o", "json"}, args...)...)
		if err != nil {
			t.Fatal(err)
		}
		var rep *render.DependencyReport
		if derr := outputtest.Decode(output.FormatJSON, []byte(run.Stdout), output.KindDependencyReport, func() any { return &render.DependencyReport{} }, func(d any) { rep = d.(*render.DependencyReport) }); derr != nil || rep == nil {
			t.Fatalf("%v\n%s", derr, run)
		}
		if run.Code != 0 {
			t.Fatalf("exit %d without --check\n%s", run.Code, run)
		}
		return rep
	}

	t.Run("live: the source is the root cause", func(t *testing.T) {
		rep := report(t, "", "-A")
		var found bool
		for _, rc := range rep.RootCauses {
			if rc.Kind == "source" && rc.Node == "GitRepository/flux-system/broken" {
				found = strings.Contains(rc.Message, "no-such-branch") &&
					strings.Join(rc.Victims, ",") == "Kustomization/flux-system/downstream,Kustomization/flux-system/orphan"
				if !found {
					t.Errorf("source root cause %+v", rc)
				}
			}
		}
		if !found {
			t.Errorf("no source root cause: %+v", rep.RootCauses)
		}
		// The readyExpr Flux evaluates, evaluated the same way on the same objects.
		var gated bool
		for _, rc := range rep.RootCauses {
			if rc.Kind == "ready-expr" && rc.Node == "Kustomization/flux-system/flux-system" {
				gated = strings.Join(rc.Victims, ",") == "Kustomization/flux-system/gated" && strings.Contains(rc.Message, "dep.metadata.name == 'production'")
			}
		}
		if !gated || len(rep.ReadyExprs) != 1 || rep.ReadyExprs[0].Result != "False" {
			t.Errorf("readyExpr: causes %+v, checks %+v", rep.RootCauses, rep.ReadyExprs)
		}
	})

	t.Run("offline: the deadlock is named with the edge to break", func(t *testing.T) {
		clone := filepath.Join(t.TempDir(), "fleet")
		if out, err := exec.CommandContext(ctx, "git", "clone", "--quiet", repo.URL, clone).CombinedOutput(); err != nil {
			t.Fatalf("%v\n%s", err, out)
		}
		rep := report(t, "", "--dir", clone)
		if len(rep.Deadlocks) != 1 || !rep.Summary.HasProblems {
			t.Fatalf("deadlocks %+v", rep.Deadlocks)
		}
		d := rep.Deadlocks[0]
		var path []string
		for _, s := range d.Steps {
			path = append(path, s.From+" "+s.Relation+" "+s.To)
		}
		want := "Kustomization/flux-system/infra waits for HelmRelease/flux-system/cert-manager|" +
			"HelmRelease/flux-system/cert-manager depends on HelmRelease/flux-system/crds|" +
			"HelmRelease/flux-system/crds exists only after Kustomization/flux-system/crds|" +
			"Kustomization/flux-system/crds depends on Kustomization/flux-system/infra"
		if got := strings.Join(path, "|"); got != want {
			t.Errorf("deadlock path\n got %s\nwant %s", got, want)
		}
		if d.Break.From != "Kustomization/flux-system/crds" || d.Break.To != "Kustomization/flux-system/infra" {
			t.Errorf("break %+v", d.Break)
		}
		run, err := testbed.KubectlIn(ctx, bed.Assets, bed.Kubeconfig, "", "gitops", "deps", "--dir", clone, "--check")
		if err != nil || run.Code != 7 || !strings.Contains(run.Stdout, "Deadlocks (1), which no controller reports") {
			t.Errorf("--check: %v\n%s", err, run)
		}
	})
}
