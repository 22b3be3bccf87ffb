package main_test

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"

	"github.com/kubectl-gitops/kubectl-gitops/shared/diff"
	"github.com/kubectl-gitops/kubectl-gitops/shared/flux"
	"github.com/kubectl-gitops/kubectl-gitops/shared/output"
	"github.com/kubectl-gitops/kubectl-gitops/shared/output/outputtest"
	"github.com/kubectl-gitops/kubectl-gitops/shared/testbed"
)

var deployments = schema.GroupVersionResource{Group: "apps", Version: "v1", Resource: "deployments"}

func colorYAML(color, size string) string {
	return "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: color\n  namespace: default\ndata:\n  color: " + color + "\n  size: " + size + "\n"
}

const webYAML = `apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  namespace: default
spec:
  replicas: 2
  selector:
    matchLabels:
      app: web
  template:
    metadata:
      labels:
        app: web
    spec:
      containers:
      - name: app
        image: registry.example/web:v1
`

// TestDiffDriftPendingConflicts runs diff through kubectl against real Flux and holds
// each changed field's origin and owners to what happened: a ConfigMap edited by hand
// (field manager kubectl-edit) is drift by kubectl-edit, a conflict, and the next
// reconcile puts it back as predicted; a Deployment's spec.replicas scaled by another
// manager with server-side apply is a conflict owned by it, and no longer once
// spec.ignore names /spec/replicas (Flux then leaves the scale alone); a commit pushed
// while suspended is pending beside a drifted field of the same object, and the apply
// brings both as predicted.
func TestDiffDriftPendingConflicts(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 8*time.Minute)
	defer cancel()
	bed := testbed.Start(t, testbed.Options{Flux: true})
	repo, err := bed.Git.CreateRepo(ctx, "fleet")
	if err != nil {
		t.Fatal(err)
	}
	c1, err := repo.Commit(ctx, "first", map[string]string{"apps/color.yaml": colorYAML("blue", "small"), "apps/web.yaml": webYAML})
	if err != nil {
		t.Fatal(err)
	}
	// A long interval: only the test's reconciles correct the drift it makes.
	ks := testbed.KustomizationYAML(testbed.Kustomization{Namespace: testbed.FluxNamespace, Name: "apps", Path: "./apps", Source: "fleet", Interval: "1h"})
	if err := bed.Apply(ctx, testbed.GitRepositoryYAML(testbed.FluxNamespace, "fleet", repo.URL, "main")+"---\n"+ks); err != nil {
		t.Fatal(err)
	}
	if _, err := bed.WaitApplied(ctx, testbed.FluxNamespace, "apps", c1); err != nil {
		t.Fatal(err)
	}

	git := gitRunner(ctx, t)
	clone := cloneRepo(t, git, repo.URL)
	kubectl := kubectlRunner(ctx, t, bed)
	mustKubectl := func(args ...string) {
		t.Helper()
		if run := kubectl(args...); run.Code != 0 {
			t.Fatal(run)
		}
	}
	gitopsDiff := func(args ...string) testbed.Run {
		t.Helper()
		return kubectl(append([]string{"gitops", "diff", "apps", "-n", "flux-system", "--git-dir", clone}, args...)...)
	}
	// object runs diff -o json and returns the object kind/name compared.
	object := func(wantCode int, kind, name string, args ...string) diff.Object {
		t.Helper()
		run := gitopsDiff(append(args, "-o", output.FormatJSON)...)
		if run.Code != wantCode {
			t.Fatalf("exit code %d, want %d\n%s", run.Code, wantCode, run)
		}
		var found *diff.Object
		if err := outputtest.Decode(output.FormatJSON, []byte(run.Stdout), output.KindDiff, func() any { return &diff.Diff{} }, func(d any) {
			for _, k := range d.(*diff.Diff).Kustomizations {
				for _, o := range k.Objects {
					if o.Kind == kind && o.Name == name {
						found = &o
					}
				}
			}
		}); err != nil {
			t.Fatalf("%v\n%s", err, run.Stdout)
		}
		if found == nil {
			t.Fatalf("no %s %s in\n%s", kind, name, run.Stdout)
		}
		return *found
	}
	fields := func(o diff.Object) string {
		var out []string
		for _, f := range o.Fields {
			s := f.Path + "=" + string(f.Origin)
			for _, m := range f.Managers {
				s += " by " + m.Manager + " (" + m.Operation + ")"
				if m.Time == nil || time.Since(m.Time.Time) > 10*time.Minute {
					s += " at a wrong time"
				}
			}
			out = append(out, s)
		}
		return strings.Join(out, "; ")
	}
	conflicts := func(o diff.Object) string {
		var out []string
		for _, c := range o.Conflicts {
			s := c.Path + " " + c.IgnorePath
			for _, m := range c.Managers {
				s += " " + m.Manager + " (" + m.Operation + ")"
			}
			out = append(out, s)
		}
		return strings.Join(out, "; ")
	}
	liveData := func(key string) string {
		t.Helper()
		u, err := bed.Dynamic.Resource(configMaps).Namespace("default").Get(ctx, "color", metav1.GetOptions{})
		if err != nil {
			t.Fatal(err)
		}
		v, _, _ := unstructured.NestedString(u.Object, "data", key)
		return v
	}
	// reconciled asks Flux to reconcile apps and waits until it has handled the request.
	reconciled := func() {
		t.Helper()
		if err := bed.Reconcile(ctx, flux.KindKustomization, testbed.FluxNamespace, "apps"); err != nil {
			t.Fatal(err)
		}
		if _, err := bed.WaitFor(ctx, time.Minute, flux.KindKustomization, testbed.FluxNamespace, "apps", func(u *unstructured.Unstructured) bool {
			handled, _, _ := unstructured.NestedString(u.Object, "status", "lastHandledReconcileAt")
			return handled != "" && handled == u.GetAnnotations()["reconcile.fluxcd.io/requestedAt"]
		}); err != nil {
			t.Fatal(err)
		}
	}

	t.Run("a hand edit is drift by its manager, and Flux removes it", func(t *testing.T) {
		mustKubectl("patch", "configmap", "color", "-n", "default", "--type", "merge", "--field-manager", "kubectl-edit", "-p", `{"data":{"color":"red"}}`)
		run := gitopsDiff("--revision", "applied")
		for _, want := range []string{"changed   ConfigMap default/color", "            drift: .data.color  by kubectl-edit (Update) 20",
			"            conflict: .data.color  owned by kubectl-edit, taken over by the apply; to leave it to kubectl-edit: spec.ignore path /data/color, or annotate the object kustomize.toolkit.fluxcd.io/ssa: IfNotPresent"} {
			if run.Code != 7 || !strings.Contains(run.Stdout, want) {
				t.Errorf("exit 7 and %q wanted:\n%s", want, run)
			}
		}
		// What the source holds is the revision applied: the same answer.
		for _, args := range [][]string{{"--revision", "applied"}, nil} {
			o := object(7, "ConfigMap", "color", args...)
			if got := fields(o); got != ".data.color=drift by kubectl-edit (Update)" {
				t.Errorf("%v: fields %s", args, got)
			}
			if got := conflicts(o); got != ".data.color /data/color kubectl-edit (Update)" {
				t.Errorf("%v: conflicts %s", args, got)
			}
		}
		// With --dir there is no Git to read the revision applied last from: the owner
		// is named, the origin is unknown and a note says so.
		run = kubectl("gitops", "diff", "apps", "-n", "flux-system", "--dir", clone)
		for _, want := range []string{"            changed: .data.color  by kubectl-edit (Update) 20", "  note: with --dir, whether a changed field drifted or Git changed it is unknown"} {
			if run.Code != 7 || !strings.Contains(run.Stdout, want) {
				t.Errorf("--dir: exit 7 and %q wanted:\n%s", want, run)
			}
		}
		reconciled()
		if got := liveData("color"); got != "blue" {
			t.Errorf("after the reconcile, color = %q: Flux did not remove the drift as predicted", got)
		}
		if run := gitopsDiff("--revision", "applied"); run.Code != 0 {
			t.Errorf("after Flux corrected it, want no drift:\n%s", run)
		}
	})

	t.Run("a scaler's replicas are a conflict, not under spec.ignore", func(t *testing.T) {
		scale := filepath.Join(t.TempDir(), "scale.yaml")
		if err := os.WriteFile(scale, []byte("apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\n  namespace: default\nspec:\n  replicas: 5\n"), 0o644); err != nil {
			t.Fatal(err)
		}
		mustKubectl("apply", "--server-side", "--field-manager", "scaler", "--force-conflicts", "-f", scale)
		run := gitopsDiff()
		if run.Code != 7 || !strings.Contains(run.Stdout, "changed   Deployment default/web") ||
			!strings.Contains(run.Stdout, "            conflict: .spec.replicas  owned by scaler, taken over by the apply; to leave it to scaler: spec.ignore path /spec/replicas") {
			t.Errorf("want the replicas a conflict with scaler, exit 7:\n%s", run)
		}
		o := object(7, "Deployment", "web")
		if got := fields(o); got != ".spec.replicas=drift by scaler (Apply)" {
			t.Errorf("fields %s", got)
		}
		if got := conflicts(o); got != ".spec.replicas /spec/replicas scaler (Apply)" {
			t.Errorf("conflicts %s", got)
		}

		mustKubectl("patch", "kustomization", "apps", "-n", "flux-system", "--type", "merge", "-p",
			`{"spec":{"ignore":[{"paths":["/spec/replicas"],"target":{"kind":"Deployment","name":"web"}}]}}`)
		run = gitopsDiff()
		if run.Code != 0 || strings.Contains(run.Stdout, "conflict") || !strings.Contains(run.Stdout, "no differences") {
			t.Errorf("under spec.ignore, want no conflict and no difference, exit 0:\n%s", run)
		}
		if o := object(0, "Deployment", "web"); o.Action != diff.Unchanged || len(o.Conflicts) != 0 {
			t.Errorf("under spec.ignore: %s, conflicts %s", o.Action, conflicts(o))
		}
		reconciled()
		u, err := bed.Dynamic.Resource(deployments).Namespace("default").Get(ctx, "web", metav1.GetOptions{})
		if err != nil {
			t.Fatal(err)
		}
		if r, _, _ := unstructured.NestedInt64(u.Object, "spec", "replicas"); r != 5 {
			t.Errorf("predicted left to the scaler, Flux set replicas to %d", r)
		}
	})

	t.Run("a commit pushed while suspended is pending, not drift", func(t *testing.T) {
		mustKubectl("patch", "kustomization", "apps", "-n", "flux-system", "--type", "merge", "-p", `{"spec":{"suspend":true}}`)
		c2, err := repo.Commit(ctx, "a larger size", map[string]string{"apps/color.yaml": colorYAML("blue", "large")})
		if err != nil {
			t.Fatal(err)
		}
		sourceAt(ctx, t, bed, git, clone, c2)
		// And a drift in the same object, by plain kubectl patch.
		mustKubectl("patch", "configmap", "color", "-n", "default", "--type", "merge", "-p", `{"data":{"color":"green"}}`)

		run := gitopsDiff()
		for _, want := range []string{"            drift: .data.color  by kubectl-patch (Update) 20", "            pending: .data.size\n"} {
			if run.Code != 7 || !strings.Contains(run.Stdout, want) {
				t.Errorf("exit 7 and %q wanted:\n%s", want, run)
			}
		}
		o := object(7, "ConfigMap", "color")
		if got := fields(o); got != ".data.color=drift by kubectl-patch (Update); .data.size=pending" {
			t.Errorf("fields %s", got)
		}
		// Against the revision applied, only the drift differs.
		if got := fields(object(7, "ConfigMap", "color", "--revision", "applied")); got != ".data.color=drift by kubectl-patch (Update)" {
			t.Errorf("--revision applied: fields %s", got)
		}

		mustKubectl("patch", "kustomization", "apps", "-n", "flux-system", "--type", "merge", "-p", `{"spec":{"suspend":false}}`)
		if err := bed.Reconcile(ctx, flux.KindKustomization, testbed.FluxNamespace, "apps"); err != nil {
			t.Fatal(err)
		}
		if _, err := bed.WaitApplied(ctx, testbed.FluxNamespace, "apps", c2); err != nil {
			t.Fatal(err)
		}
		if c, s := liveData("color"), liveData("size"); c != "blue" || s != "large" {
			t.Errorf("after the apply: color=%s size=%s, predicted blue (drift removed) and large (pending applied)", c, s)
		}
		if run := gitopsDiff(); run.Code != 0 {
			t.Errorf("after the apply, want no differences:\n%s", run)
		}
	})
}
