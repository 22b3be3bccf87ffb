package rollback

import (
	"context"
	"strings"
	"testing"

	"github.com/kubectl-gitops/kubectl-gitops/shared/cluster/clustertest"
	"github.com/kubectl-gitops/kubectl-gitops/shared/diff"
	"github.com/kubectl-gitops/kubectl-gitops/shared/history"
	"github.com/kubectl-gitops/kubectl-gitops/shared/output"
	"github.com/kubectl-gitops/kubectl-gitops/shared/write"
)

// TestRevertPreview: the revert commit is previewed from the clone before anything is
// pushed, for every way a revert delivers it (a dry run too); the confirmation shows
// the preview below its question, and the result keeps it.
func TestRevertPreview(t *testing.T) {
	for _, tt := range []struct {
		name           string
		dryRun, noPush bool
		oneCommit      bool
	}{
		{name: "push"},
		{name: "dry run", dryRun: true},
		{name: "no push", noPush: true},
		{name: "one commit", oneCommit: true},
	} {
		t.Run(tt.name, func(t *testing.T) {
			u := newUpstream(t)
			f := clustertest.New("flux-system", kustomization("GitRepository", u.tweak, u.good), gitRepository(u.remote.Dir, map[string]any{"branch": "main"}, nil, u.tweak))
			var previewed []string
			line := diff.ConsumerPreview{Kustomization: output.ObjectRef{Kind: "Kustomization", Namespace: "flux-system", Name: "apps"},
				Preview: diff.Preview{Revision: "r", Summary: &diff.Summary{Changed: 1}, Objects: []diff.PreviewObject{{ObjectRef: output.ObjectRef{Kind: "ConfigMap", Namespace: "shop", Name: "config"}, Action: diff.Changed, Fields: []string{".data.color"}}}}}
			var summary string
			req := RevertRequest{
				Namespace: "flux-system", Name: "apps", Choice: history.Choice{Steps: 1}, GitDir: u.clone.Dir, NoPush: tt.noPush,
				Hooks: write.Hooks{DryRun: tt.dryRun, Confirm: func(s string) error { summary = s; return nil }},
				Preview: func(_ context.Context, namespace, name, commit string) []diff.ConsumerPreview {
					// Before the push: the remote's branch has not moved, the clone has the commit.
					if head := u.remote.Git("rev-parse", "main"); head != u.tweak {
						t.Errorf("previewed after the push: remote main at %s", head)
					}
					if got := u.clone.Git("cat-file", "-t", commit); got != "commit" {
						t.Errorf("previewed %s, which the clone does not hold (%s)", commit, got)
					}
					previewed = append(previewed, namespace+"/"+name)
					return []diff.ConsumerPreview{line}
				},
			}
			if tt.oneCommit {
				req.Choice, req.OneCommit = history.Choice{}, u.tweak
			}
			res, err := Revert(context.Background(), f.Dynamic, req)
			if err != nil {
				t.Fatal(err)
			}
			if len(previewed) != 1 || previewed[0] != "flux-system/flux-system" {
				t.Errorf("previewed %v, want the source flux-system/flux-system once", previewed)
			}
			if len(res.Changes) != 1 || res.Changes[0].String() != line.String() {
				t.Errorf("changes %+v", res.Changes)
			}
			want := "\n  Kustomization flux-system/apps: the apply of r makes 1 difference: 1 changed; 0 unchanged (changed ConfigMap shop/config (.data.color))"
			if !tt.dryRun && !strings.HasSuffix(summary, want) {
				t.Errorf("asked %q, want the preview %q below it", summary, want)
			}
			if tt.dryRun && summary != "" {
				t.Errorf("a dry run asked %q", summary)
			}
		})
	}
}

// TestRevertNoOpPreviewsNothing: with nothing to revert, there is no commit to preview.
func TestRevertNoOpPreviewsNothing(t *testing.T) {
	u := newUpstream(t)
	f := clustertest.New("flux-system", kustomization("GitRepository", u.tweak, u.good), gitRepository(u.remote.Dir, map[string]any{"branch": "main"}, nil, u.tweak))
	called := false
	res, err := Revert(context.Background(), f.Dynamic, RevertRequest{Namespace: "flux-system", Name: "apps", Choice: history.Choice{To: u.tweak}, GitDir: u.clone.Dir,
		Preview: func(context.Context, string, string, string) []diff.ConsumerPreview { called = true; return nil }})
	if err != nil || called || res.Changes != nil {
		t.Errorf("a no-op revert previewed (%v): %+v, %v", called, res, err)
	}
}
