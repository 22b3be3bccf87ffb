package dev

import (
	"context"
	"reflect"
	"strings"
	"testing"

	"k8s.io/apimachinery/pkg/types"

	"github.com/kubectl-gitops/kubectl-gitops/shared/diff"
	"github.com/kubectl-gitops/kubectl-gitops/shared/git/gittest"
)

// TestDiffPreview: a dev diff previews the session's Kustomizations at the session
// branch's head, read from the clone; uncommitted changes are named, not previewed;
// without a clone or a session branch there is nothing to preview.
func TestDiffPreview(t *testing.T) {
	for _, tt := range []struct {
		name   string
		clone  bool
		branch bool
		dirty  bool
		// previewed: the hook was called, at the session branch's head.
		previewed bool
		note      string
	}{
		{name: "committed", clone: true, branch: true, previewed: true},
		{name: "uncommitted changes", clone: true, branch: true, dirty: true, previewed: true, note: "the preview is of dev/feature-x at "},
		{name: "no session branch", clone: true, note: "no preview: the clone has no branch dev/feature-x"},
		{name: "no clone"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			gittest.Isolate(t)
			repo := gittest.New(t)
			repo.Commit("initial", map[string]string{"apps/cm.yaml": "a\n"})
			if tt.branch {
				repo.Git("checkout", "--quiet", "-B", "dev/feature-x")
				repo.Commit("checkpoint", map[string]string{"apps/cm.yaml": "b\n"})
			}
			if tt.dirty {
				repo.Write(map[string]string{"apps/new.yaml": "new\n"})
			}
			var got []diff.Options
			var targets []types.NamespacedName
			r := DiffRequest{Session: session(), Preview: func(_ context.Context, t []types.NamespacedName, opts diff.Options) []diff.ConsumerPreview {
				got, targets = append(got, opts), t
				return []diff.ConsumerPreview{{Preview: diff.Preview{Revision: opts.Revision}}}
			}}
			if tt.clone {
				r.Clone = &Clone{Dir: repo.Dir}
			}
			res := &Result{}
			r.preview(context.Background(), res)
			if !tt.previewed {
				if len(got) != 0 || res.Changes != nil {
					t.Errorf("previewed %+v: %+v", got, res.Changes)
				}
			} else {
				head := repo.Git("rev-parse", "dev/feature-x")
				if len(got) != 1 || got[0].GitDir != repo.Dir || got[0].Revision != head || len(res.Changes) != 1 ||
					!reflect.DeepEqual(targets, []types.NamespacedName{{Namespace: "flux-system", Name: "apps"}}) {
					t.Errorf("previewed %+v of %v, changes %+v; want the session's apps at %s from the clone", got, targets, res.Changes, head)
				}
			}
			noted := tt.note == ""
			for _, n := range res.Notes {
				noted = noted || strings.HasPrefix(n, tt.note)
			}
			if !noted || (tt.note == "" && len(res.Notes) > 0) {
				t.Errorf("notes %q, want one starting %q", res.Notes, tt.note)
			}
		})
	}
}
