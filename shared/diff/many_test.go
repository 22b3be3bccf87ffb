package diff

import (
	"bytes"
	"context"
	"os/exec"
	"strings"
	"testing"

	"github.com/kubectl-gitops/kubectl-gitops/shared/output"
)

// TestCloneOf: a clone is of a GitRepository's URL when one of its remotes points there,
// however the URL is spelled; a clone with no remote cannot tell and passes; one whose
// remotes all point elsewhere is refused, naming them and the URL to clone.
func TestCloneOf(t *testing.T) {
	ctx := context.Background()
	clone := func(remotes ...string) string {
		dir := t.TempDir()
		run := func(args ...string) {
			if out, err := exec.Command("git", append([]string{"-C", dir}, args...)...).CombinedOutput(); err != nil {
				t.Fatalf("git %v: %v\n%s", args, err, out)
			}
		}
		run("init", "--quiet")
		for i, r := range remotes {
			run("remote", "add", []string{"origin", "fork"}[i], r)
		}
		return dir
	}
	for _, tc := range []struct {
		name    string
		remotes []string
		url     string
		refused string
	}{
		{"same URL spelled otherwise", []string{"git@github.com:org/fleet.git"}, "https://github.com/org/fleet", ""},
		{"the second remote", []string{"https://github.com/me/fork", "https://github.com/org/fleet.git"}, "ssh://git@github.com/org/fleet", ""},
		{"no remote: the commit decides", nil, "https://github.com/org/fleet", ""},
		{"another repository", []string{"https://github.com/org/other"}, "https://github.com/org/fleet",
			"is of another repository (origin https://github.com/org/other): give --git-dir a clone of https://github.com/org/fleet"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := cloneOf(ctx, clone(tc.remotes...), tc.url)
			switch {
			case tc.refused == "" && err != nil:
				t.Errorf("refused: %v", err)
			case tc.refused != "" && (err == nil || !strings.Contains(err.Error(), tc.refused)):
				t.Errorf("got %v, want %q", err, tc.refused)
			}
		})
	}
}

// TestWriteTextSkipped: a Kustomization not compared is named with why, between the
// compared ones, and counts as no difference.
func TestWriteTextSkipped(t *testing.T) {
	d := New()
	d.Kustomizations = append(d.Kustomizations,
		Kustomization{Name: "apps", Namespace: "flux-system", Path: "./apps", Revision: "main@sha1:3f2a9c1", RevisionFrom: "source", Summary: Summary{Unchanged: 2}, Objects: []Object{}},
		Kustomization{Name: "other", Namespace: "flux-system", Objects: []Object{}, Skipped: "Kustomization flux-system/other reads OCIRepository flux-system/charts: pass --dir with its content instead"})
	var b bytes.Buffer
	if err := d.WriteText(&b, output.TextOptions{}); err != nil {
		t.Fatal(err)
	}
	want := `Kustomization flux-system/apps at main@sha1:3f2a9c1 (what the source holds), path ./apps
  no differences: 2 objects unchanged

Kustomization flux-system/other not compared
  skipped: Kustomization flux-system/other reads OCIRepository flux-system/charts: pass --dir with its content instead
`
	if b.String() != want {
		t.Errorf("got:\n%s\nwant:\n%s", b.String(), want)
	}
	if d.Differs() {
		t.Error("a skipped Kustomization is a difference")
	}
}
