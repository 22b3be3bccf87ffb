package main_test

import (
	"context"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"

	"github.com/kubectl-gitops/kubectl-gitops/shared/output"
	"github.com/kubectl-gitops/kubectl-gitops/shared/output/outputtest"
	"github.com/kubectl-gitops/kubectl-gitops/shared/status"
	"github.com/kubectl-gitops/kubectl-gitops/shared/testbed"
	"github.com/kubectl-gitops/kubectl-gitops/shared/trace"
)

// incident is the demo fleet during an incident: a commit broke infrastructure, so
// apps is blocked (DependencyNotReady) at the commit before, while the same commit
// changed the web chart and HelmRelease shop/web upgraded to it anyway.
type incident struct {
	bed *testbed.Bed
	// fleet.Commit is what apps applied last; broken is the commit it is blocked on.
	fleet  *testbed.Fleet
	broken string
}

func startIncident(t *testing.T, ctx context.Context) *incident {
	bed, fleet := testbed.StartDemo(t, ctx)
	broken, err := fleet.Repo.Commit(ctx, "Break the platform config and greet differently", map[string]string{
		"infrastructure/platform-config.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: platform-config\n  namespace: shop\ndata:\n  region: [not, a, string]\n",
		"charts/web/values.yaml":              "greeting: hi\n",
	})
	must(t, err)
	must(t, bed.Reconcile(ctx, "GitRepository", ns, "flux-system"))
	_, err = bed.WaitFor(ctx, 2*time.Minute, "Kustomization", ns, "infrastructure", func(u *unstructured.Unstructured) bool {
		return strings.HasSuffix(status.Of(u).LastAttemptedRevision, broken) && status.Of(u).Ready.IsFalse()
	})
	must(t, err)
	_, err = bed.WaitFor(ctx, 2*time.Minute, "Kustomization", ns, "apps", func(u *unstructured.Unstructured) bool {
		return status.Of(u).Ready.DependencyBlocked()
	})
	must(t, err)
	_, err = bed.WaitFor(ctx, 3*time.Minute, "HelmRelease", "shop", "web", func(u *unstructured.Unstructured) bool {
		return strings.HasSuffix(status.Of(u).LastAttemptedRevision, "+"+broken[:12]) && status.Of(u).ReadyAtGeneration()
	})
	must(t, err)
	return &incident{bed: bed, fleet: fleet, broken: broken}
}

// TestTraceIncident traces the objects an on-call engineer asks about first, with the
// fleet in the state above, and checks each answer is the object's own.
func TestTraceIncident(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
	defer cancel()
	in := startIncident(t, ctx)
	bed, applied, broken := in.bed, in.fleet.Commit, in.broken

	t.Run("a blocked Kustomization shows its own state, not its parent's", func(t *testing.T) {
		r := traceDoc(t, ctx, bed, bed.Kubeconfig, 0, "kustomization/apps", "-n", ns)
		h := r.Hops[0]
		if h.Role != trace.RoleObject || h.Health == nil || h.Health.Ready != "False" || h.Health.Reason != "DependencyNotReady" ||
			!strings.Contains(h.Health.Message, "infrastructure") || h.Health.LastReconciled == nil {
			t.Errorf("object hop = %+v health %+v, want apps' own Ready=False DependencyNotReady", h, h.Health)
		}
		c := r.Commit
		if c == nil || c.By.Name != "apps" || c.Status != trace.CommitBlocked || c.SHA != applied || c.BlockedBy != "flux-system/infrastructure" || !strings.HasSuffix(c.Source, broken) {
			t.Errorf("commit = %+v, want apps' own: applied %s, Blocked by flux-system/infrastructure, source at %s", c, applied, broken)
		}
		run := kubectlTrace(t, ctx, bed, "kustomization/apps", "-n", ns)
		for _, want := range []string{"object         Kustomization  flux-system/apps         False (DependencyNotReady)", "State:      not ready: DependencyNotReady: dependency 'flux-system/infrastructure'", "Status:     Blocked"} {
			if !strings.Contains(run.Stdout, want) {
				t.Errorf("human view lacks %q:\n%s", want, run.Stdout)
			}
		}
		if strings.Contains(run.Stdout, "Current") {
			t.Errorf("human view says Current (its parent's status):\n%s", run.Stdout)
		}
		yaml := kubectlTrace(t, ctx, bed, "kustomization/apps", "-n", ns, "-o", "yaml")
		if !strings.Contains(yaml.Stdout, "reason: DependencyNotReady") {
			t.Errorf("-o yaml has no health on the object hop:\n%s", yaml.Stdout)
		}
	})

	t.Run("a HelmRelease shows its own state and chart", func(t *testing.T) {
		r := traceDoc(t, ctx, bed, bed.Kubeconfig, 0, "helmrelease/web", "-n", "shop")
		if h := r.Hops[0]; h.Health == nil || h.Health.Ready != "True" || h.Chart != "web" || !strings.HasSuffix(h.ChartVersion, "+"+broken[:12]) {
			t.Errorf("object hop = %+v, want web's own health and installed chart", h)
		}
		if c := r.Commit; c == nil || c.By.Kind != "HelmRelease" || c.SHA != broken || c.Status != trace.CommitCurrent {
			t.Errorf("commit = %+v, want web's chart, built from %s", c, broken)
		}
	})

	t.Run("a Helm-rendered object came from the installed chart, not the blocked Kustomization's commit", func(t *testing.T) {
		r := traceDoc(t, ctx, bed, bed.Kubeconfig, 0, "cm/web-config", "-n", "shop")
		c := r.Commit
		if c == nil || c.By.Kind != "HelmRelease" || c.By.Name != "web" || c.Chart != "web" || !strings.HasPrefix(c.ChartVersion, "0.1.0+"+broken[:12]) ||
			c.SHA != broken || !strings.HasSuffix(c.Applied, broken) {
			t.Errorf("commit = %+v, want HelmRelease shop/web's chart web 0.1.0+%s, commit %s", c, broken[:12], broken)
		}
		for _, h := range r.Hops {
			if h.Ref.Name == "apps" && !strings.HasSuffix(h.LastAppliedRevision, applied) {
				t.Errorf("apps hop applied %q, want %s (blocked before the chart changed)", h.LastAppliedRevision, applied)
			}
		}
		run := kubectlTrace(t, ctx, bed, "cm/web-config", "-n", "shop")
		if !strings.Contains(run.Stdout, "Commit:     "+broken) || strings.Contains(run.Stdout, "Commit:     "+applied) {
			t.Errorf("human view: want commit %s, not %s:\n%s", broken, applied, run.Stdout)
		}
	})

	t.Run("labels without inventory entry: no apply claimed", func(t *testing.T) {
		must(t, bed.Apply(ctx, `apiVersion: v1
kind: ConfigMap
metadata:
  name: stray
  namespace: shop
  labels:
    kustomize.toolkit.fluxcd.io/name: infrastructure
    kustomize.toolkit.fluxcd.io/namespace: flux-system
data: {left: behind}
`))
		r := traceDoc(t, ctx, bed, bed.Kubeconfig, 0, "cm/stray", "-n", "shop")
		if c := r.Commit; c == nil || c.Status != trace.CommitNotInInventory || c.Applied != "" || c.SHA != "" || !strings.Contains(c.Reason, "Flux does not manage it any more") {
			t.Errorf("commit = %+v, want NotInInventory and no applied commit", c)
		}
		run := kubectlTrace(t, ctx, bed, "cm/stray", "-n", "shop")
		if strings.Contains(run.Stdout, "Applied:") || strings.Contains(run.Stdout, "Current") ||
			!strings.Contains(run.Stdout, "Inventory:  not listed by Kustomization flux-system/infrastructure") ||
			!strings.Contains(run.Stdout, "kubectl delete configmap/stray -n shop") {
			t.Errorf("human view must not claim the apply, and must say what to do:\n%s", run.Stdout)
		}
	})

	t.Run("git-dir names the applied commit and, apart, the commit that changed the file", func(t *testing.T) {
		// apps applied "Release api 1.1.0", which changed apps/deployment.yaml; the root
		// applied the broken commit, which did not touch apps.yaml.
		r := traceDoc(t, ctx, bed, bed.Kubeconfig, 0, "kustomization/apps", "-n", ns, "--git-dir", in.fleet.Repo.Work)
		g := r.Commit.Git
		if g == nil || g.File != "clusters/demo/apps.yaml" || g.Subject != "Break the platform config and greet differently" ||
			g.LastChange == nil || g.LastChange.SHA != in.fleet.Stable || g.LastChange.Subject != "Add the demo fleet" {
			t.Errorf("git = %+v (last change %+v), want clusters/demo/apps.yaml at the broken commit, last changed by %s", g, g.LastChange, in.fleet.Stable)
		}
		run := kubectlTrace(t, ctx, bed, "kustomization/apps", "-n", ns, "--git-dir", in.fleet.Repo.Work)
		for _, want := range []string{"Message:    Break the platform config and greet differently (", "): the applied commit's subject",
			"Changed in: " + in.fleet.Stable[:12] + " Add the demo fleet (", "): the last commit to change clusters/demo/apps.yaml"} {
			if !strings.Contains(run.Stdout, want) {
				t.Errorf("human view lacks %q:\n%s", want, run.Stdout)
			}
		}
	})

	t.Run("git-dir of another repository's clone says so", func(t *testing.T) {
		other, err := bed.Git.CreateRepo(ctx, "other")
		must(t, err)
		_, err = other.Commit(ctx, "something else", map[string]string{"README": "other\n"})
		must(t, err)
		run := kubectlTrace(t, ctx, bed, "deploy/api", "-n", "shop", "--git-dir", other.Work)
		if run.Code != 0 || !strings.Contains(run.Stdout, "is a clone of another repository") || strings.Contains(run.Stdout, "fetch") {
			t.Errorf("want the clone named a clone of another repository, without 'git fetch':\n%s", run)
		}
	})

	t.Run("git-dir that does not exist is a usage error", func(t *testing.T) {
		testbed.CheckKubectl(t, ctx, bed.Assets, bed.Kubeconfig, []testbed.KubectlCase{
			{Args: []string{"gitops", "trace", "deploy/api", "-n", "shop", "--git-dir", "/no/such/clone"}, Code: 2, Stderr: "--git-dir /no/such/clone does not exist"},
		})
	})

	t.Run("Helm's storage Secret leads to its HelmRelease", func(t *testing.T) {
		// The upgrade to the broken commit's chart is release 2 of shop/web.
		r := traceDoc(t, ctx, bed, bed.Kubeconfig, 0, "secret/sh.helm.release.v1.web.v2", "-n", "shop")
		wantHops(t, r, []hopWant{{role: "Object", kind: "Secret", name: "shop/sh.helm.release.v1.web.v2"}, {role: "HelmRelease", kind: "HelmRelease", name: "shop/web"},
			{role: "HelmChart", kind: "HelmChart", name: "flux-system/shop-web"}, {role: "ChartSource", kind: "GitRepository", name: "flux-system/flux-system"},
			{role: "Kustomization", kind: "Kustomization", name: "flux-system/apps", inventory: "Listed"},
			{role: "Kustomization", kind: "Kustomization", name: "flux-system/flux-system", inventory: "Listed"},
			{role: "Source", kind: "GitRepository", name: "flux-system/flux-system"}})
		if r.Hops[1].Via != "helm storage" || r.Commit == nil || r.Commit.SHA != broken {
			t.Errorf("via %q, commit %+v: want helm storage and the chart's commit %s", r.Hops[1].Via, r.Commit, broken)
		}
		for _, format := range []string{"json", "yaml", "table"} {
			run := kubectlTrace(t, ctx, bed, "secret/sh.helm.release.v1.web.v2", "-n", "shop", "-o", format)
			// Helm stores base64(gzip(release)): "H4sI" once encoded, "SDRzSU" twice.
			if run.Code != 0 || strings.Contains(run.Stdout, "H4sI") || strings.Contains(run.Stdout, "SDRzSU") || strings.Contains(run.Stdout, `"data"`) {
				t.Errorf("-o %s: want the trace without the Secret's data:\n%s", format, run)
			}
		}
	})

	t.Run("an object blocked by a dependency cycle names the cycle", func(t *testing.T) {
		repo, err := bed.Git.CreateRepo(ctx, "cycles")
		must(t, err)
		first, err := repo.Commit(ctx, "two teams", map[string]string{
			"cyc-a/config.yaml": testbed.ConfigMapYAML("default", "cyc-a-config", "team", "a"),
			"cyc-b/config.yaml": testbed.ConfigMapYAML("default", "cyc-b-config", "team", "b"),
		})
		must(t, err)
		ks := func(name string, deps ...string) string {
			return testbed.KustomizationYAML(testbed.Kustomization{Namespace: ns, Name: name, Path: "./" + name, Source: "cycles", DependsOn: deps})
		}
		must(t, bed.Apply(ctx, testbed.GitRepositoryYAML(ns, "cycles", repo.URL, "main")+"---\n"+ks("cyc-a")+"---\n"+ks("cyc-b")))
		for _, name := range []string{"cyc-a", "cyc-b"} {
			_, err := bed.WaitApplied(ctx, ns, name, first)
			must(t, err)
		}
		// Now each waits for the other, and the source moves on without them.
		must(t, bed.Apply(ctx, ks("cyc-a", "cyc-b")+"---\n"+ks("cyc-b", "cyc-a")))
		second, err := repo.Commit(ctx, "team a changes", map[string]string{"cyc-a/config.yaml": testbed.ConfigMapYAML("default", "cyc-a-config", "team", "a2")})
		must(t, err)
		must(t, bed.Reconcile(ctx, "GitRepository", ns, "cycles"))
		_, err = bed.WaitSourceRevision(ctx, "GitRepository", ns, "cycles", second)
		must(t, err)
		_, err = bed.WaitFor(ctx, 2*time.Minute, "Kustomization", ns, "cyc-a", func(u *unstructured.Unstructured) bool {
			return status.Of(u).Ready.DependencyBlocked()
		})
		must(t, err)
		r := traceDoc(t, ctx, bed, bed.Kubeconfig, 0, "cm/cyc-a-config", "-n", "default")
		c := r.Commit
		// deps starts the path where its analysis breaks it best: either way round.
		if c == nil || c.Status != trace.CommitBlocked || (c.Cycle != "flux-system/cyc-a -> flux-system/cyc-b -> flux-system/cyc-a" && c.Cycle != "flux-system/cyc-b -> flux-system/cyc-a -> flux-system/cyc-b") ||
			!strings.Contains(c.NextStep, "kubectl gitops deps cyc-a -n flux-system") {
			t.Fatalf("commit = %+v, want the cycle cyc-a -> cyc-b -> cyc-a and deps pointed at", c)
		}
		run := kubectlTrace(t, ctx, bed, "cm/cyc-a-config", "-n", "default")
		for _, want := range []string{"Cycle:      " + c.Cycle, "Next step:  ", "'kubectl gitops deps cyc-a -n flux-system'"} {
			if !strings.Contains(run.Stdout, want) {
				t.Errorf("human view lacks %q:\n%s", want, run.Stdout)
			}
		}
	})

	t.Run("-f a folder with a kustomization.yaml is built as kubectl -k does", func(t *testing.T) {
		run := kubectlTrace(t, ctx, bed, "-f", filepath.Join(in.fleet.Repo.Work, "apps"), "-o", "json")
		if run.Code != 0 || strings.Count(run.Stdout, `"result": "Traced"`) != 2 ||
			!strings.Contains(run.Stdout, `"name": "api"`) || !strings.Contains(run.Stdout, `"name": "web"`) || run.Stderr != "" {
			t.Errorf("want Deployment shop/api and HelmRelease shop/web traced from apps/:\n%s", run)
		}
	})

	t.Run("-f a whole repository: kustomizations built, the chart skipped with one line", func(t *testing.T) {
		run := kubectlTrace(t, ctx, bed, "-f", in.fleet.Repo.Work, "-R", "-o", "json")
		// clusters/demo (4 objects), infrastructure (3), apps (2, built with kustomize).
		note := "note: -f " + filepath.Join(in.fleet.Repo.Work, "charts", "web") + ": a Helm chart, not manifests: skipped"
		if run.Code != 0 || strings.Count(run.Stdout, `"kind": "Trace"`) != 9 || !strings.HasPrefix(run.Stderr, note) || strings.Count(run.Stderr, "\n") != 1 {
			t.Errorf("want 9 documents and one note on the chart:\n%s", run)
		}
	})

	t.Run("several names: documents in argument order, one shape each", func(t *testing.T) {
		for _, format := range []string{"json", "yaml"} {
			run := kubectlTrace(t, ctx, bed, "cm/web-config", "cm/nope", "deploy/api", "-n", "shop", "-o", format)
			if run.Code != 3 {
				t.Errorf("-o %s: exit %d, want 3\n%s", format, run.Code, run)
			}
			var order []string
			err := outputtest.Decode(format, []byte(run.Stdout), output.KindTrace, func() any { return &trace.Report{} }, func(d any) {
				r := d.(*trace.Report)
				order = append(order, r.Object.Kind+"/"+r.Object.Name)
				if r.Hops == nil || r.Object.APIVersion == "" {
					t.Errorf("-o %s: %s has hops %v and apiVersion %q", format, r.Object, r.Hops, r.Object.APIVersion)
				}
			})
			if err != nil || strings.Join(order, " ") != "ConfigMap/web-config ConfigMap/nope Deployment/api" {
				t.Errorf("-o %s: documents %v (%v), want web-config, nope, api", format, order, err)
			}
			if strings.Contains(run.Stdout, `"hops": null`) || strings.Contains(run.Stdout, "hops: null") ||
				strings.Contains(run.Stdout, `"apiVersion": ""`) || strings.Contains(run.Stdout, `apiVersion: ""`) {
				t.Errorf("-o %s: a document with null hops or an empty apiVersion:\n%s", format, run.Stdout)
			}
		}
	})

	t.Run("the time column is named for what it is", func(t *testing.T) {
		run := kubectlTrace(t, ctx, bed, "deploy/api", "-n", "shop")
		header := strings.SplitN(run.Stdout, "\n", 3)[1]
		if !strings.Contains(header, "RECONCILED") || strings.Contains(header, "AGE") {
			t.Errorf("header = %q, want RECONCILED and no AGE", header)
		}
	})
}
