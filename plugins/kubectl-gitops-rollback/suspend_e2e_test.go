package main_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"

	"github.com/kubectl-gitops/kubectl-gitops/shared/deps/render"
	"github.com/kubectl-gitops/kubectl-gitops/shared/flux"
	"github.com/kubectl-gitops/kubectl-gitops/shared/output"
	"github.com/kubectl-gitops/kubectl-gitops/shared/output/outputtest"
	"github.com/kubectl-gitops/kubectl-gitops/shared/status"
	"github.com/kubectl-gitops/kubectl-gitops/shared/suspend"
	"github.com/kubectl-gitops/kubectl-gitops/shared/testbed"
)

// TestSuspendAndResume is "Method 2: Flux Suspend" on the demo fleet (the bootstrap
// layout: the root applies apps and infrastructure from Git): a suspension with a
// reason keeps a new commit out and survives the root's forced reconcile; resume names
// a dependency that blocks it instead of waiting; resumed, the commit is applied.
func TestSuspendAndResume(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 6*time.Minute)
	defer cancel()
	bed, fleet := testbed.StartDemo(t, ctx)
	rollback := func(args ...string) testbed.Run {
		t.Helper()
		run, err := testbed.Kubectl(ctx, bed.Assets, bed.Kubeconfig, append([]string{"gitops", "rollback"}, args...)...)
		if err != nil {
			t.Fatal(err)
		}
		return run
	}
	ks := func(name string) *unstructured.Unstructured {
		t.Helper()
		u, err := bed.Get(ctx, flux.KindKustomization, testbed.FluxNamespace, name)
		if err != nil {
			t.Fatal(err)
		}
		return u
	}

	t.Run("refusals change nothing", func(t *testing.T) {
		rv := ks("apps").GetResourceVersion()
		testbed.CheckKubectl(t, ctx, bed.Assets, bed.Kubeconfig, []testbed.KubectlCase{
			{Args: []string{"gitops", "rollback", "suspend", "apps", "-n", "flux-system"}, Code: 2, Stderr: "--reason is required"},
			{Args: []string{"gitops", "rollback", "suspend", "apps", "-n", "flux-system", "--reason", "x"}, Code: 2, Stderr: "without --yes: there is no terminal"},
			{Args: []string{"gitops", "rollback", "suspend", "apps", "-n", "flux-system", "--reason", "x", "--dry-run"}, Stdout: []string{"would be suspended (server-side dry run, nothing changed)"}},
			{Args: []string{"gitops", "rollback", "suspend", "deploy/api", "--reason", "x", "--yes"}, Code: 2, Stderr: "only Kustomizations and HelmReleases"},
			{Args: []string{"gitops", "rollback", "suspend", "nope", "-n", "flux-system", "--reason", "x", "--yes"}, Code: 3, Stderr: "Kustomization flux-system/nope not found"},
			{Args: []string{"gitops", "rollback", "suspend", "-l", "kustomize.toolkit.fluxcd.io/name=flux-system", "-A", "--reason", "freeze", "--dry-run"}, Stdout: []string{
				"Kustomization flux-system/apps would be suspended", "Kustomization flux-system/infrastructure would be suspended"}},
			{Args: []string{"gitops", "rollback", "suspend", "-l", "kustomize.toolkit.fluxcd.io/name=apps", "-A", "--reason", "freeze", "--dry-run"}, Stdout: []string{"HelmRelease shop/web would be suspended"}},
			{Args: []string{"gitops", "rollback", "suspend", "-l", "team=nobody", "-A", "--reason", "x", "--yes"}, Code: 3, Stderr: "no Kustomization or HelmRelease matches -l team=nobody"},
			{Args: []string{"gitops", "rollback", "suspend", "apps", "-l", "a=b", "--reason", "x"}, Code: 2, Stderr: "name objects or select them with -l, not both"},
			{Args: []string{"gitops", "rollback", "resume", "-A"}, Code: 2, Stderr: "-A selects with -l in every namespace"},
			{Args: []string{"gitops", "rollback", "resume"}, Code: 2, Stderr: "name a Kustomization (or helmrelease/NAME), or select them with -l"},
		})
		if got := ks("apps").GetResourceVersion(); got != rv {
			t.Errorf("resourceVersion %s -> %s: a refusal wrote", rv, got)
		}
	})

	run := rollback("suspend", "apps", "infrastructure", "-n", "flux-system", "--reason", "INC-42: bad migration", "--for", "2h", "--yes", "-o", "yaml")
	if run.Code != 0 {
		t.Fatalf("suspend: %s", run)
	}
	n := 0
	if err := outputtest.Decode(output.FormatYAML, []byte(run.Stdout), output.KindSuspension, func() any { return &suspend.Result{} }, func(d any) {
		n++
		if r := d.(*suspend.Result); !r.Changed || r.Suspension == nil || r.Suspension.Reason != "INC-42: bad migration" || r.Suspension.By != "admin" || r.Suspension.Until == nil {
			t.Errorf("suspend result %+v", r)
		}
	}); err != nil || n != 2 {
		t.Fatalf("%d documents, %v\n%s", n, err, run)
	}

	// A new commit: the suspended Kustomizations must not apply it, even when the root
	// re-applies them from Git (spec.suspend is ours, under the gitops field manager).
	next, err := fleet.Repo.Commit(ctx, "bump api", map[string]string{
		"apps/deployment.yaml":                strings.Replace(testbed.DemoFleetFiles(fleet.Repo.URL)["apps/deployment.yaml"], "api:1.0.0", "api:1.0.1", 1),
		"infrastructure/platform-config.yaml": testbed.ConfigMapYAML("shop", "platform-config", "region", "moved"),
	})
	if err != nil {
		t.Fatal(err)
	}
	if err := bed.Reconcile(ctx, flux.KindGitRepository, testbed.FluxNamespace, "flux-system"); err != nil {
		t.Fatal(err)
	}
	if _, err := bed.WaitSourceRevision(ctx, flux.KindGitRepository, testbed.FluxNamespace, "flux-system", next); err != nil {
		t.Fatal(err)
	}
	if _, err := bed.WaitApplied(ctx, testbed.FluxNamespace, "flux-system", next); err != nil {
		t.Fatal(err)
	}
	if err := bed.Reconcile(ctx, flux.KindKustomization, testbed.FluxNamespace, "flux-system"); err != nil {
		t.Fatal(err)
	}
	time.Sleep(3 * time.Second)
	for _, name := range []string{"apps", "infrastructure"} {
		u := ks(name)
		s := status.Of(u)
		if !s.Suspended || strings.HasSuffix(s.LastAppliedRevision, next) || status.SuspensionOf(u.GetAnnotations()) == nil {
			t.Errorf("%s after the root's reconcile: suspended=%v applied=%s record=%v", name, s.Suspended, s.LastAppliedRevision, u.GetAnnotations())
		}
		// flux-operator's web UI shows who suspended it from its own key.
		if by := u.GetAnnotations()[status.FluxOperatorSuspendedByAnnotation]; by != "admin" {
			t.Errorf("%s: %s = %q, want admin", name, status.FluxOperatorSuspendedByAnnotation, by)
		}
	}
	trace, err := testbed.Kubectl(ctx, bed.Assets, bed.Kubeconfig, "gitops", "trace", "deploy/api", "-n", "shop")
	if err != nil || !strings.Contains(trace.Stdout, "Kustomization flux-system/apps: suspended: INC-42: bad migration (by admin, since ") {
		t.Errorf("trace does not show the reason:\n%s", trace)
	}

	t.Run("resume previews what the apply will change", func(t *testing.T) {
		// The commit the source holds now is fetched from its URL with git and dry-run as
		// diff does: the moved region is a change; nothing is written.
		rv := ks("infrastructure").GetResourceVersion()
		run := rollback("resume", "infrastructure", "-n", "flux-system", "--dry-run", "-o", "json")
		if run.Code != 0 {
			t.Fatalf("%s", run)
		}
		if err := outputtest.Decode(output.FormatJSON, []byte(run.Stdout), output.KindSuspension, func() any { return &suspend.Result{} }, func(d any) {
			c := d.(*suspend.Result).Changes
			if c == nil || c.Error != "" || !strings.HasSuffix(c.Revision, next) || c.Summary == nil || c.Summary.Changed < 1 {
				t.Errorf("changes = %+v, want the apply of %s changing platform-config", c, next)
			}
		}); err != nil {
			t.Fatalf("%v\n%s", err, run)
		}
		text := rollback("resume", "infrastructure", "-n", "flux-system", "--dry-run")
		if want := "changes: the apply of main@sha1:" + next + " makes "; text.Code != 0 || !strings.Contains(text.Stdout, want) || !strings.Contains(text.Stdout, " changed") {
			t.Errorf("text view lacks %q:\n%s", want, text)
		}
		if got := ks("infrastructure").GetResourceVersion(); got != rv || !status.Of(ks("infrastructure")).Suspended {
			t.Errorf("a dry run with its preview wrote: resourceVersion %s -> %s", rv, got)
		}
	})

	t.Run("resume names the dependency that blocks it", func(t *testing.T) {
		run := rollback("resume", "apps", "-n", "flux-system", "--yes", "--timeout", "60s")
		if run.Code == 0 || !strings.Contains(run.Stderr, "blocked by a dependency: dependency 'flux-system/infrastructure' revision is not up to date") {
			t.Errorf("want the blocking dependency named:\n%s", run)
		}
	})

	t.Run("resumed, the new commit is applied", func(t *testing.T) {
		run := rollback("resume", "infrastructure", "apps", "-n", "flux-system", "--yes", "-o", "json")
		if run.Code != 0 {
			t.Fatalf("%s", run)
		}
		// apps was resumed by the blocked call above; Flux applies it once its
		// dependency is ready, on its own.
		if _, err := bed.WaitApplied(ctx, testbed.FluxNamespace, "apps", next); err != nil {
			t.Fatal(err)
		}
		for _, name := range []string{"apps", "infrastructure"} {
			u := ks(name)
			s := status.Of(u)
			if s.Suspended || !strings.HasSuffix(s.LastAppliedRevision, next) || status.SuspensionOf(u.GetAnnotations()) != nil {
				t.Errorf("%s after resume: suspended=%v applied=%s annotations=%v", name, s.Suspended, s.LastAppliedRevision, u.GetAnnotations())
			}
		}
	})

	// flux-operator's web UI suspends with spec.suspend and its suspendedBy key, under
	// its own field manager; the reason here is Flux's RFC-0006 annotation. trace, deps
	// and resume show who and why, and resume removes both keys.
	t.Run("a suspension made by flux-operator", func(t *testing.T) {
		patch := `{"spec":{"suspend":true},"metadata":{"annotations":{"` + status.FluxOperatorSuspendedByAnnotation + `":"jane@example.com","` +
			status.FluxSuspendedAnnotation + `":"INC-7: db failover"}}}`
		run, err := testbed.Kubectl(ctx, bed.Assets, bed.Kubeconfig, "patch", "kustomization", "apps", "-n", "flux-system", "--type", "merge", "-p", patch, "--field-manager", "flux-operator")
		if err != nil || run.Code != 0 {
			t.Fatalf("suspend as flux-operator does: %v\n%s", err, run)
		}
		const want = "INC-7: db failover (by jane@example.com)"
		trace, err := testbed.Kubectl(ctx, bed.Assets, bed.Kubeconfig, "gitops", "trace", "deploy/api", "-n", "shop")
		if err != nil || !strings.Contains(trace.Stdout, "Kustomization flux-system/apps: suspended: "+want) {
			t.Errorf("trace does not show who and why:\n%s", trace)
		}
		deps, err := testbed.Kubectl(ctx, bed.Assets, bed.Kubeconfig, "gitops", "deps", "-A", "-o", "json")
		if err != nil {
			t.Fatal(err)
		}
		found := false
		if err := outputtest.Decode(output.FormatJSON, []byte(deps.Stdout), output.KindDependencyReport, func() any { return &render.DependencyReport{} }, func(d any) {
			for _, n := range d.(*render.DependencyReport).Nodes {
				if n.ID == "Kustomization/flux-system/apps" {
					found = n.Suspended && n.Suspension.String(time.Now()) == want
					if !found {
						t.Errorf("deps node %+v, suspension %v", n, n.Suspension)
					}
				}
			}
		}); err != nil || !found {
			t.Errorf("deps does not show who and why (%v):\n%s", err, deps)
		}
		run = rollback("resume", "apps", "-n", "flux-system", "--yes")
		if run.Code != 0 || !strings.Contains(run.Stdout, "reason:  "+want) {
			t.Errorf("resume does not show who and why:\n%s", run)
		}
		for _, k := range status.SuspensionAnnotations() {
			if v, ok := ks("apps").GetAnnotations()[k]; ok {
				t.Errorf("resumed, apps keeps %s=%q", k, v)
			}
		}
	})

	// A resume whose apply fails ends as soon as Flux says so, not at --timeout: the
	// controllers leave observedGeneration behind on a failure after a spec change
	// (resume is one), so the failure is read from Reconciling ProgressingWithRetry too.
	t.Run("a resume Flux fails to apply ends at once", func(t *testing.T) {
		if run := rollback("suspend", "infrastructure", "-n", "flux-system", "--reason", "INC-43", "--yes"); run.Code != 0 {
			t.Fatalf("suspend: %s", run)
		}
		broken, err := fleet.Repo.Commit(ctx, "broken platform config", map[string]string{
			"infrastructure/platform-config.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: platform-config\n  namespace: shop\ndata:\n  region: [unclosed\n",
		})
		if err != nil {
			t.Fatal(err)
		}
		if err := bed.Reconcile(ctx, flux.KindGitRepository, testbed.FluxNamespace, "flux-system"); err != nil {
			t.Fatal(err)
		}
		if _, err := bed.WaitSourceRevision(ctx, flux.KindGitRepository, testbed.FluxNamespace, "flux-system", broken); err != nil {
			t.Fatal(err)
		}
		start := time.Now()
		run := rollback("resume", "infrastructure", "-n", "flux-system", "--yes", "--preview=false", "--timeout", "3m")
		took := time.Since(start)
		if run.Code != 1 || !strings.Contains(run.Stderr, "Flux reconciled it and it failed: ") || strings.Count(strings.TrimSpace(run.Stderr), "\n") != 0 {
			t.Errorf("want one error line saying Flux failed, exit 1:\n%s", run)
		}
		if want := "failed:  main@sha1:" + broken + " (still applied: main@sha1:" + next + ")"; !strings.Contains(run.Stdout, want) {
			t.Errorf("want %q in:\n%s", want, run)
		}
		if took > 90*time.Second {
			t.Errorf("the failure took %s to report: the wait sat out its timeout", took)
		}
	})
}
