package main_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"

	"github.com/kubectl-gitops/kubectl-gitops/shared/diff"
	"github.com/kubectl-gitops/kubectl-gitops/shared/flux"
	"github.com/kubectl-gitops/kubectl-gitops/shared/output"
	"github.com/kubectl-gitops/kubectl-gitops/shared/output/outputtest"
	"github.com/kubectl-gitops/kubectl-gitops/shared/status"
	"github.com/kubectl-gitops/kubectl-gitops/shared/testbed"
)

// TestDiffHelmRelease runs `kubectl gitops diff hr/web` against a release real
// helm-controller installed from a chart in the bed's Git repository: right after the
// install nothing differs (the comparison adds what Helm and helm-controller add); a
// field patched by another field manager is drift by that manager, with --revision
// applied and by default; a commit changing a value, a template and dropping a
// template (pushed while the HelmRelease is suspended) is pending, and the dropped
// object removed. Exit codes: 0 without differences, 7 with.
func TestDiffHelmRelease(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 8*time.Minute)
	defer cancel()
	bed := testbed.Start(t, testbed.Options{Flux: true})
	repo, err := bed.Git.CreateRepo(ctx, "fleet")
	if err != nil {
		t.Fatal(err)
	}
	files := testbed.ChartFiles("charts/web", "web", "0.1.0")
	files["charts/web/templates/extra.yaml"] = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: {{ .Release.Name }}-extra\ndata:\n  k: v\n"
	c1, err := repo.Commit(ctx, "chart", files)
	if err != nil {
		t.Fatal(err)
	}
	hr := strings.Replace(testbed.HelmReleaseYAML("default", "web", "./charts/web", testbed.FluxNamespace, "fleet"), "interval: 1m", "interval: 1h", 1)
	if err := bed.Apply(ctx, testbed.GitRepositoryYAML(testbed.FluxNamespace, "fleet", repo.URL, "main")+"---\n"+hr); err != nil {
		t.Fatal(err)
	}
	if _, err := bed.WaitSourceRevision(ctx, flux.KindGitRepository, testbed.FluxNamespace, "fleet", c1); err != nil {
		t.Fatal(err)
	}
	if _, err := bed.WaitReady(ctx, flux.KindHelmRelease, "default", "web"); err != nil {
		t.Fatal(err)
	}

	kubectl := kubectlRunner(ctx, t, bed)
	// release runs diff -o json on hr/web and returns its one HelmRelease.
	release := func(wantCode int, args ...string) diff.HelmRelease {
		t.Helper()
		run := kubectl(append([]string{"gitops", "diff", "hr/web", "-n", "default", "-o", output.FormatJSON}, args...)...)
		if run.Code != wantCode {
			t.Fatalf("exit code %d, want %d\n%s", run.Code, wantCode, run)
		}
		var got []diff.HelmRelease
		if err := outputtest.Decode(output.FormatJSON, []byte(run.Stdout), output.KindDiff, func() any { return &diff.Diff{} }, func(d any) {
			got = d.(*diff.Diff).HelmReleases
		}); err != nil {
			t.Fatalf("%v\n%s", err, run.Stdout)
		}
		if len(got) != 1 {
			t.Fatalf("%d HelmReleases in the document, want 1\n%s", len(got), run.Stdout)
		}
		return got[0]
	}
	// actions lists Kind/name=action for the objects that differ, and each field with
	// its origin and managers.
	actions := func(h diff.HelmRelease) string {
		var out []string
		for _, o := range h.Objects {
			if o.Action == diff.Unchanged {
				continue
			}
			s := o.Kind + "/" + o.Name + "=" + string(o.Action)
			for _, f := range o.Fields {
				s += " " + f.Path + ":" + string(f.Origin)
				for _, m := range f.Managers {
					s += ":" + m.Manager
				}
			}
			out = append(out, s)
		}
		return strings.Join(out, "; ")
	}

	h := release(0)
	if got := actions(h); got != "" || h.Summary.Unchanged != 3 || h.ReleaseVersion != 1 || h.Release != "default/web" {
		t.Fatalf("right after the install: differences %q, summary %+v, release %s v%d; want none, 3 unchanged, default/web v1", got, h.Summary, h.Release, h.ReleaseVersion)
	}
	if h = release(0, "--revision", "applied"); actions(h) != "" || h.RevisionFrom != "applied" {
		t.Fatalf("--revision applied right after the install: %q (from %s), want no differences", actions(h), h.RevisionFrom)
	}

	if run := kubectl("patch", "configmap", "web-config", "-n", "default", "--field-manager", "hotfix", "-p", `{"data":{"greeting":"hi"}}`); run.Code != 0 {
		t.Fatal(run)
	}
	const drift = "ConfigMap/web-config=changed .data.greeting:drift:hotfix"
	if got := actions(release(7, "--revision", "applied")); got != drift {
		t.Errorf("--revision applied after the patch: %q, want %q", got, drift)
	}
	if got := actions(release(7)); got != drift {
		t.Errorf("default after the patch: %q, want %q", got, drift)
	}
	text := kubectl("gitops", "diff", "hr/web", "-n", "default", "--revision", "applied")
	if text.Code != 7 || !strings.Contains(text.Stdout, "drift: .data.greeting  by hotfix (Update)") || !strings.Contains(text.Stdout, "+  greeting: hello") {
		t.Errorf("text view: exit %d, want 7 and the drift by hotfix with its diff\n%s", text.Code, text)
	}

	if run := kubectl("patch", "helmrelease", "web", "-n", "default", "--type", "merge", "-p", `{"spec":{"suspend":true}}`); run.Code != 0 {
		t.Fatal(run)
	}
	c2, err := repo.Commit(ctx, "new values", map[string]string{
		"charts/web/values.yaml":            "greeting: bonjour\n",
		"charts/web/templates/service.yaml": strings.Replace(files["charts/web/templates/service.yaml"], "port: 80", "port: 81", 1),
		"charts/web/templates/extra.yaml":   "",
	})
	if err != nil {
		t.Fatal(err)
	}
	if err := bed.Reconcile(ctx, flux.KindGitRepository, testbed.FluxNamespace, "fleet"); err != nil {
		t.Fatal(err)
	}
	if _, err := bed.WaitSourceRevision(ctx, flux.KindGitRepository, testbed.FluxNamespace, "fleet", c2); err != nil {
		t.Fatal(err)
	}
	h = release(7)
	const pending = "ConfigMap/web-config=changed .data.greeting:pending; Service/web=changed .spec.ports[0].port:pending; ConfigMap/web-extra=removed"
	if got := actions(h); got != pending {
		t.Errorf("after the commit: %q, want %q", got, pending)
	}
	if !strings.HasSuffix(h.Revision, c2) || h.RevisionFrom != "source" || h.Summary.Removed != 1 {
		t.Errorf("after the commit: revision %s from %s, summary %+v; want %s from source, 1 removed", h.Revision, h.RevisionFrom, h.Summary, c2)
	}
	if got := actions(release(7, "--revision", "applied")); got != drift {
		t.Errorf("--revision applied after the commit: %q, want only the drift %q", got, drift)
	}

	// Resumed, helm-controller upgrades to release v2: --history 1..2 compares the two
	// releases Helm keeps, manifests and values, without reading the live objects.
	if run := kubectl("patch", "helmrelease", "web", "-n", "default", "--type", "merge", "-p", `{"spec":{"suspend":null}}`); run.Code != 0 {
		t.Fatal(run)
	}
	if err := bed.Reconcile(ctx, flux.KindHelmRelease, "default", "web"); err != nil {
		t.Fatal(err)
	}
	if _, err := bed.WaitFor(ctx, 2*time.Minute, flux.KindHelmRelease, "default", "web", func(u *unstructured.Unstructured) bool {
		history, _, _ := unstructured.NestedSlice(u.Object, "status", "history")
		if len(history) == 0 {
			return false
		}
		v, _, _ := unstructured.NestedInt64(history[0].(map[string]any), "version")
		return v == 2 && status.Of(u).ReadyAtGeneration()
	}); err != nil {
		t.Fatal(err)
	}
	h = release(7, "--history", "1..2")
	const history = "ConfigMap/web-config=changed .data.greeting:; Service/web=changed .spec.ports[0].port:; ConfigMap/web-extra=removed"
	if got := actions(h); got != history || h.RevisionFrom != diff.RevisionHistory || h.Revision != "1..2" {
		t.Errorf("--history 1..2: %q (from %s, %s), want %q", got, h.RevisionFrom, h.Revision, history)
	}
	hist := kubectl("gitops", "diff", "hr/web", "-n", "default", "--history", "1..2")
	if hist.Code != 7 || !strings.Contains(hist.Stdout, "--- v1/ConfigMap/default/web-config") || !strings.Contains(hist.Stdout, "+  greeting: bonjour") {
		t.Errorf("--history text view:\n%s", hist)
	}
	testbed.CheckKubectl(t, ctx, bed.Assets, bed.Kubeconfig, []testbed.KubectlCase{
		{Args: []string{"gitops", "diff", "hr/web", "-n", "default", "--history", "1..9"}, Code: 3, Stderr: "has no version 9 (no Secret default/sh.helm.release.v1.web.v9)"},
		{Args: []string{"gitops", "diff", "hr/web", "-n", "default", "--history", "2"}, Code: 2, Stderr: "give two release versions as N..M"},
		{Args: []string{"gitops", "diff", "apps", "-n", "default", "--history", "1..2"}, Code: 2, Stderr: "--history compares releases of HelmReleases"},
	})
	// A user who may read HelmReleases but not Secrets: exit 5 naming the Secret.
	if err := bed.Apply(ctx, `apiVersion: rbac.authorization.k8s.io/v1
kind: Role
metadata:
  name: hr-reader
  namespace: default
rules:
- apiGroups: ["helm.toolkit.fluxcd.io"]
  resources: ["helmreleases"]
  verbs: ["get", "list"]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata:
  name: hr-reader
  namespace: default
roleRef:
  apiGroup: rbac.authorization.k8s.io
  kind: Role
  name: hr-reader
subjects:
- apiGroup: rbac.authorization.k8s.io
  kind: User
  name: hr-reader
`); err != nil {
		t.Fatal(err)
	}
	forbidden := kubectl("gitops", "diff", "hr/web", "-n", "default", "--history", "1..2", "--as", "hr-reader")
	if forbidden.Code != 5 || !strings.Contains(forbidden.Stderr, "you may not read Secret default/sh.helm.release.v1.web.v1") || forbidden.Stdout != "" {
		t.Errorf("want exit 5 naming the release Secret, nothing on stdout:\n%s", forbidden)
	}
}
