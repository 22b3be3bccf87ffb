package main_test

import (
	"context"
	"strings"
	"testing"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"

	"github.com/kubectl-gitops/kubectl-gitops/shared/branch"
	"github.com/kubectl-gitops/kubectl-gitops/shared/flux"
	"github.com/kubectl-gitops/kubectl-gitops/shared/output"
	"github.com/kubectl-gitops/kubectl-gitops/shared/output/outputtest"
	"github.com/kubectl-gitops/kubectl-gitops/shared/status"
	"github.com/kubectl-gitops/kubectl-gitops/shared/testbed"
)

// TestSwitchAndRestore is the scripted branch rollback on the `flux bootstrap` layout,
// where the root Kustomization applies its own GitRepository from Git: main ->
// stable-release -> restore, with the parent forced to reconcile after each step, and
// every consumer's applied commit checked against git rev-parse of the branch.
func TestSwitchAndRestore(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 6*time.Minute)
	defer cancel()
	bed, repo, mainSHA, stableSHA := bootstrapFleet(t, ctx)
	kubectl := func(args ...string) testbed.Run {
		t.Helper()
		run, err := testbed.Kubectl(ctx, bed.Assets, bed.Kubeconfig, append([]string{"gitops", "branch"}, args...)...)
		if err != nil {
			t.Fatal(err)
		}
		return run
	}
	source := func() *unstructured.Unstructured {
		t.Helper()
		u, err := bed.Get(ctx, flux.KindGitRepository, testbed.FluxNamespace, "flux-system")
		if err != nil {
			t.Fatal(err)
		}
		return u
	}
	configFrom := func() string {
		t.Helper()
		cm, err := bed.Dynamic.Resource(schema.GroupVersionResource{Version: "v1", Resource: "configmaps"}).Namespace("default").Get(ctx, "release", metav1.GetOptions{})
		if err != nil {
			t.Fatal(err)
		}
		v, _, _ := unstructured.NestedString(cm.Object, "data", "from")
		return v
	}
	// forceParent makes the root re-apply what Git declares, now, and waits until it did.
	forceParent := func() {
		t.Helper()
		if err := bed.Reconcile(ctx, flux.KindKustomization, testbed.FluxNamespace, "flux-system"); err != nil {
			t.Fatal(err)
		}
		if _, err := bed.WaitReady(ctx, flux.KindKustomization, testbed.FluxNamespace, "flux-system"); err != nil {
			t.Fatal(err)
		}
		time.Sleep(2 * time.Second)
	}
	decode := func(run testbed.Run) branch.Result {
		t.Helper()
		var res branch.Result
		err := outputtest.Decode(output.FormatJSON, []byte(run.Stdout), output.KindBranchSwitch, func() any { return &branch.Result{} }, func(d any) { res = *d.(*branch.Result) })
		if err != nil {
			t.Fatalf("%v\n%s", err, run)
		}
		return res
	}

	t.Run("refusals change nothing", func(t *testing.T) {
		// A user who may read sources and Kustomizations but not write them.
		if err := bed.Apply(ctx, testbed.ReadOnlyUserYAML("flux-reader", []string{"source.toolkit.fluxcd.io", "kustomize.toolkit.fluxcd.io"}, []string{"gitrepositories", "kustomizations"})); err != nil {
			t.Fatal(err)
		}
		rv := source().GetResourceVersion()
		testbed.CheckKubectl(t, ctx, bed.Assets, bed.Kubeconfig, []testbed.KubectlCase{
			{Args: []string{"gitops", "branch", "set", "flux-system", "no-such-branch", "-n", "flux-system", "--yes"}, Code: 3, Stderr: `branch "no-such-branch" does not exist`},
			{Args: []string{"gitops", "branch", "set", "flux-system", "no-such-branch", "-n", "flux-system", "--yes", "--auto-restore"}, Code: 3, Stderr: `branch "no-such-branch" does not exist`},
			{Args: []string{"gitops", "branch", "set", "flux-system", "stable-relaese", "-n", "flux-system", "--yes"}, Code: 3, Stderr: "did you mean stable-release?"},
			{Args: []string{"gitops", "branch", "set", "flux-system", "stable-release", "-n", "flux-system"}, Code: 2, Stderr: "without --yes: there is no terminal to confirm on"},
			{Args: []string{"gitops", "branch", "set", "flux-system", "stable-release", "-n", "flux-system", "--dry-run"}, Stdout: []string{"would be switched: branch main -> branch stable-release (server-side dry run, nothing changed)", "Parent:     Kustomization flux-system/flux-system skips",
				// What each Kustomization reading it will change, previewed with diff's engine.
				"Changes:    Kustomization flux-system/apps: the apply of ", "Changes:    Kustomization flux-system/flux-system: the apply of "}},
			{Args: []string{"gitops", "branch", "set", "flux-system", "main", "-n", "flux-system", "--yes"}, Stdout: []string{"nothing to do", "already tracks branch main"}},
			{Args: []string{"gitops", "branch", "restore", "flux-system", "-n", "flux-system", "--yes"}, Stdout: []string{"nothing to do", "was never switched"}},
			{Args: []string{"gitops", "branch", "set", "flux-system", "stable-release", "-n", "flux-system", "--yes", "--as", "nobody"}, Code: 5, Stderr: "forbidden"},
			{Args: []string{"gitops", "branch", "set", "flux-system", "stable-release", "-n", "flux-system", "--yes", "--as", "flux-reader"}, Code: 5, Stderr: "cannot patch resource"},
		})
		if got := source().GetResourceVersion(); got != rv {
			t.Errorf("resourceVersion %s -> %s: a refusal wrote", rv, got)
		}
	})

	t.Run("set stable-release survives the parent", func(t *testing.T) {
		run := kubectl("set", "flux-system", "stable-release", "-n", "flux-system", "--yes", "-o", "json")
		if run.Code != 0 {
			t.Fatalf("%s", run)
		}
		res := decode(run)
		if !res.Changed || res.To.Value != "stable-release" || res.ExpectedCommit != stableSHA || res.RevisionAfter != "stable-release@sha1:"+stableSHA || res.Parent == nil || res.Parent.Name != "flux-system" {
			t.Errorf("result %+v", res)
		}
		if len(res.Consumers) != 3 {
			t.Errorf("consumers %+v, want flux-system, infra and apps", res.Consumers)
		}
		for _, c := range res.Consumers {
			if c.Status != "Applied" || c.Applied != "stable-release@sha1:"+stableSHA {
				t.Errorf("consumer %+v did not apply %s", c, stableSHA)
			}
		}
		if got := configFrom(); got != "stable-release" {
			t.Errorf("ConfigMap from %q after the switch", got)
		}
		forceParent()
		u := source()
		if b, _, _ := unstructured.NestedString(u.Object, "spec", "ref", "branch"); b != "stable-release" {
			t.Errorf("the parent put branch %q back", b)
		}
		if u.GetAnnotations()[branch.ReconcileAnnotation] != branch.ReconcileDisabled {
			t.Errorf("annotations %v", u.GetAnnotations())
		}
		for _, f := range u.GetManagedFields() {
			if strings.HasPrefix(f.Manager, "kubectl") && f.Operation == "Update" {
				t.Errorf("a write under a kubectl* manager: %s", f.Manager)
			}
		}
		trace, err := testbed.Kubectl(ctx, bed.Assets, bed.Kubeconfig, "gitops", "trace", "cm/release", "-n", "default")
		if err != nil || !strings.Contains(trace.Stdout, "GitRepository flux-system/flux-system: switched away from branch main by admin at ") || !strings.Contains(trace.Stdout, "'kubectl gitops branch restore flux-system -n flux-system' puts it back") {
			t.Errorf("trace does not say the source was switched:\n%s", trace)
		}
		show := kubectl("show", "flux-system", "-n", "flux-system")
		for _, want := range []string{"Tracks:        branch stable-release", "Switched:      from branch main by admin at ", "Parent:        Kustomization flux-system/flux-system skips it"} {
			if !strings.Contains(show.Stdout, want) {
				t.Errorf("show after the switch lacks %q:\n%s", want, show)
			}
		}
	})

	t.Run("restore puts everything back and the parent manages it again", func(t *testing.T) {
		run := kubectl("restore", "flux-system", "-n", "flux-system", "--yes", "-o", "json")
		if run.Code != 0 {
			t.Fatalf("%s", run)
		}
		res := decode(run)
		if !res.Changed || res.To.Value != "main" || res.RevisionAfter != "main@sha1:"+mainSHA {
			t.Errorf("result %+v", res)
		}
		for _, c := range res.Consumers {
			if c.Status != "Applied" || c.Applied != "main@sha1:"+mainSHA {
				t.Errorf("consumer %+v did not apply %s", c, mainSHA)
			}
		}
		if got := configFrom(); got != "main" {
			t.Errorf("ConfigMap from %q after restore", got)
		}
		u := source()
		if _, ok := u.GetAnnotations()[branch.ReconcileAnnotation]; ok {
			t.Errorf("the parent's opt-out is still there: %v", u.GetAnnotations())
		}
		if _, ok := u.GetAnnotations()[status.SwitchAnnotation]; ok {
			t.Errorf("the record is still there")
		}
		// Git declares main: the parent now manages the source again, and a branch set
		// by hand would be undone, as Flux always does.
		forceParent()
		if b, _, _ := unstructured.NestedString(source().Object, "spec", "ref", "branch"); b != "main" {
			t.Errorf("branch %q after the parent's reconcile", b)
		}
	})

	t.Run("a branch that does not apply is restored with --auto-restore", func(t *testing.T) {
		run := kubectl("set", "flux-system", "release/1.2", "-n", "flux-system", "--yes", "--auto-restore", "--timeout", "90s", "-o", "json")
		if run.Code == 0 || !strings.Contains(run.Stderr, "restored to branch main and applied again") {
			t.Fatalf("want a failure, restored:\n%s", run)
		}
		res := decode(run)
		if res.Restored == nil || res.Restored.RevisionAfter != "main@sha1:"+mainSHA {
			t.Errorf("restored = %+v", res.Restored)
		}
		failed := false
		for _, c := range res.Consumers {
			failed = failed || c.Status == "Failed"
		}
		if !failed {
			t.Errorf("no consumer reported the failed apply: %+v", res.Consumers)
		}
		u := source()
		if b, _, _ := unstructured.NestedString(u.Object, "spec", "ref", "branch"); b != "main" || u.GetAnnotations()[status.SwitchAnnotation] != "" || u.GetAnnotations()[branch.ReconcileAnnotation] != "" {
			t.Errorf("after auto-restore: branch %q, annotations %v", b, u.GetAnnotations())
		}
		if got := configFrom(); got != "main" {
			t.Errorf("ConfigMap from %q", got)
		}
	})

	t.Run("a tag source and a ref.name source", func(t *testing.T) {
		if err := repo.Tag(ctx, "v1.0.0"); err != nil { // at HEAD: the stable-release commit
			t.Fatal(err)
		}
		if err := bed.Apply(ctx, `apiVersion: source.toolkit.fluxcd.io/v1
kind: GitRepository
metadata: {name: tagged, namespace: flux-system}
spec: {interval: 1m, url: `+repo.URL+`, ref: {tag: v1.0.0}}
---
apiVersion: source.toolkit.fluxcd.io/v1
kind: GitRepository
metadata: {name: named, namespace: flux-system}
spec: {interval: 1m, url: `+repo.URL+`, ref: {name: refs/heads/main}}
`); err != nil {
			t.Fatal(err)
		}
		for _, name := range []string{"tagged", "named"} {
			if _, err := bed.WaitReady(ctx, flux.KindGitRepository, testbed.FluxNamespace, name); err != nil {
				t.Fatal(err)
			}
		}
		run := kubectl("set", "tagged", "stable-release", "-n", "flux-system", "--yes", "-o", "json")
		res := decode(run)
		if run.Code != 0 || len(res.Cleared) != 1 || res.Cleared[0] != "tag=v1.0.0" || res.RevisionAfter != "stable-release@sha1:"+stableSHA || res.Parent != nil {
			t.Errorf("tag -> branch: %+v\n%s", res, run)
		}
		run = kubectl("set", "named", "stable-release", "-n", "flux-system", "--yes", "-o", "json")
		res = decode(run)
		if run.Code != 0 || res.To.Kind != "name" || res.To.Value != "refs/heads/stable-release" || res.RevisionAfter != "refs/heads/stable-release@sha1:"+stableSHA {
			t.Errorf("ref.name switch: %+v\n%s", res, run)
		}
		for name, want := range map[string]string{"tagged": "v1.0.0@sha1:" + stableSHA, "named": "refs/heads/main@sha1:" + mainSHA} {
			run = kubectl("restore", name, "-n", "flux-system", "--yes", "-o", "json")
			if res = decode(run); run.Code != 0 || res.RevisionAfter != want {
				t.Errorf("restore %s: %+v\n%s", name, res, run)
			}
		}
	})

	t.Run("two concurrent set calls never lose a write silently", func(t *testing.T) {
		// Both read the same resourceVersion; the API server takes one write and
		// refuses the other, which says so. Whatever the timing, the branch in the
		// cluster is the one a successful call reports, and restore brings back main.
		type outcome struct {
			run testbed.Run
			to  string
		}
		done := make(chan outcome, 2)
		for _, to := range []string{"stable-release", "release/1.2"} {
			go func(to string) {
				run, _ := testbed.Kubectl(ctx, bed.Assets, bed.Kubeconfig, "gitops", "branch", "set", "flux-system", to, "-n", "flux-system", "--yes", "--wait=false")
				done <- outcome{run, to}
			}(to)
		}
		var won []string
		for i := 0; i < 2; i++ {
			o := <-done
			switch {
			case o.run.Code == 0:
				won = append(won, o.to)
			case !strings.Contains(o.run.Stderr, "changed while this command ran"):
				t.Errorf("a refused write must say why:\n%s", o.run)
			}
		}
		b, _, _ := unstructured.NestedString(source().Object, "spec", "ref", "branch")
		if len(won) == 0 || (b != won[len(won)-1] && (len(won) == 1 || b != won[0])) {
			t.Errorf("branch %q in the cluster, successful calls %v", b, won)
		}
		rec, err := status.SwitchOf(source().GetAnnotations())
		if err != nil || rec == nil || rec.RefBefore == nil || rec.RefBefore.Branch != "main" {
			t.Errorf("the record lost the branch to come back to: %+v %v", rec, err)
		}
		if run := kubectl("restore", "flux-system", "-n", "flux-system", "--yes"); run.Code != 0 {
			t.Fatalf("%s", run)
		}
		if got := configFrom(); got != "main" {
			t.Errorf("ConfigMap from %q after restore", got)
		}
	})

	t.Run("a fleet switch where one source does not apply is restored whole", func(t *testing.T) {
		manifests := "apiVersion: v1\nkind: Namespace\nmetadata:\n  name: trio\n"
		for _, name := range []string{"g1", "g2", "g3"} {
			manifests += "---\n" + strings.Replace(testbed.GitRepositoryYAML(testbed.FluxNamespace, name, repo.URL, "main"),
				"metadata:\n", "metadata:\n  labels:\n    fleet: trio\n", 1)
		}
		manifests += "---\n" + testbed.KustomizationYAML(testbed.Kustomization{Namespace: testbed.FluxNamespace, Name: "k3", Path: "./apps", Source: "g3", TargetNamespace: "trio"})
		if err := bed.Apply(ctx, manifests); err != nil {
			t.Fatal(err)
		}
		if _, err := bed.WaitApplied(ctx, testbed.FluxNamespace, "k3", mainSHA); err != nil {
			t.Fatal(err)
		}
		run := kubectl("set", "-l", "fleet=trio", "release/1.2", "-A", "--yes", "--auto-restore", "--timeout", "60s", "-o", "json")
		if run.Code == 0 || !strings.Contains(run.Stderr, "every source switched before it was restored too") {
			t.Fatalf("want a failure, restored whole:\n%s", run)
		}
		for _, name := range []string{"g1", "g2", "g3"} {
			u, err := bed.Get(ctx, flux.KindGitRepository, testbed.FluxNamespace, name)
			if err != nil {
				t.Fatal(err)
			}
			b, _, _ := unstructured.NestedString(u.Object, "spec", "ref", "branch")
			if b != "main" || u.GetAnnotations()[status.SwitchAnnotation] != "" {
				t.Errorf("%s after the fleet switch: branch %q, annotations %v", name, b, u.GetAnnotations())
			}
		}
		if s, _ := bed.Get(ctx, flux.KindKustomization, testbed.FluxNamespace, "k3"); !strings.HasSuffix(status.Of(s).LastAppliedRevision, mainSHA) {
			t.Errorf("k3 applied %s after the restore", status.Of(s).LastAppliedRevision)
		}
	})
}

// bootstrapFleet starts a bed with a fleet in the `flux bootstrap` layout (the root
// Kustomization applies its own GitRepository and apps), branches main, stable-release
// and release/1.2 (whose manifests do not apply), applied at main.
func bootstrapFleet(t testing.TB, ctx context.Context) (*testbed.Bed, *testbed.Repo, string, string) {
	t.Helper()
	bed := testbed.Start(t, testbed.Options{Flux: true})
	repo, err := bed.Git.CreateRepo(ctx, "fleet")
	if err != nil {
		t.Fatal(err)
	}
	bootstrap := testbed.BootstrapYAML(repo.URL, "./clusters/test")
	files := func(from string) map[string]string {
		return map[string]string{
			"clusters/test/flux-system/gotk-sync.yaml": bootstrap,
			"clusters/test/apps.yaml":                  testbed.KustomizationYAML(testbed.Kustomization{Namespace: testbed.FluxNamespace, Name: "apps", Path: "./apps", Source: "flux-system", DependsOn: []string{"infra"}}),
			"clusters/test/infra.yaml":                 testbed.KustomizationYAML(testbed.Kustomization{Namespace: testbed.FluxNamespace, Name: "infra", Path: "./infra", Source: "flux-system"}),
			"infra/config.yaml":                        testbed.ConfigMapYAML("default", "infra", "from", from),
			"apps/config.yaml":                         testbed.ConfigMapYAML("default", "release", "from", from),
		}
	}
	mainSHA, err := repo.Commit(ctx, "main", files("main"))
	if err != nil {
		t.Fatal(err)
	}
	// release/1.2: a branch with a slash whose manifests do not apply.
	if err := repo.Checkout(ctx, "release/1.2"); err != nil {
		t.Fatal(err)
	}
	broken := files("release")
	broken["apps/config.yaml"] = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: release\n  namespace: default\ndata:\n  from: [not, a, string]\n"
	if _, err := repo.Commit(ctx, "broken release", broken); err != nil {
		t.Fatal(err)
	}
	if err := repo.Git(ctx, "checkout", "--quiet", "main"); err != nil {
		t.Fatal(err)
	}
	repo.Branch = "main"
	if err := repo.Checkout(ctx, "stable-release"); err != nil {
		t.Fatal(err)
	}
	stableSHA, err := repo.Commit(ctx, "stable", files("stable-release"))
	if err != nil {
		t.Fatal(err)
	}
	if err := bed.Apply(ctx, bootstrap); err != nil {
		t.Fatal(err)
	}
	for _, ks := range []string{"flux-system", "infra", "apps"} {
		if _, err := bed.WaitApplied(ctx, testbed.FluxNamespace, ks, mainSHA); err != nil {
			t.Fatal(err)
		}
	}
	return bed, repo, mainSHA, stableSHA
}
