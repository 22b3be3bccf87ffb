package main_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/kubectl-gitops/kubectl-gitops/shared/diff"
	"github.com/kubectl-gitops/kubectl-gitops/shared/flux"
	"github.com/kubectl-gitops/kubectl-gitops/shared/output"
	"github.com/kubectl-gitops/kubectl-gitops/shared/output/outputtest"
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
}
