package rollback

import (
	"context"
	"strings"
	"testing"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"

	"github.com/kubectl-gitops/kubectl-gitops/shared/cluster/clustertest"
	"github.com/kubectl-gitops/kubectl-gitops/shared/git"
	"github.com/kubectl-gitops/kubectl-gitops/shared/history"
	"github.com/kubectl-gitops/kubectl-gitops/shared/invocation"
	"github.com/kubectl-gitops/kubectl-gitops/shared/status"
	"github.com/kubectl-gitops/kubectl-gitops/shared/write"
)

// invocations are the ways a user runs the suite, with the word each names the rollback
// command by and the word it names the branch command by.
var invocations = []struct{ invoked, rollback, branch string }{
	{"kubectl gitops", "kubectl gitops rollback", "kubectl gitops branch"},
	{"flux gitops", "flux gitops rollback", "flux gitops branch"},
	{"kubectl gitops rollback", "kubectl gitops rollback", "kubectl gitops branch"},
	{"kubectl gitops-rollback", "kubectl gitops-rollback", "kubectl gitops-branch"},
}

func asInvoked(invoked string) context.Context {
	return invocation.NewContext(context.Background(), invocation.Parse(invoked))
}

// TestPinUndoAsInvoked: the pin's undo and its note name unpin as the user runs the
// suite; the record on the source keeps it canonical, for whoever reads it next.
func TestPinUndoAsInvoked(t *testing.T) {
	for _, tt := range invocations {
		t.Run(tt.invoked, func(t *testing.T) {
			ctx := asInvoked(tt.invoked)
			f := clustertest.New("flux-system", kustomization("GitRepository", shaNew, shaOld),
				gitRepository("https://git.example.com/fleet.git", map[string]any{"branch": "main"}, nil, shaNew))
			res, err := Pin(ctx, f.Dynamic, PinRequest{Namespace: "flux-system", Name: "apps", Choice: history.Choice{Steps: 1}})
			if err != nil {
				t.Fatal(err)
			}
			undo := tt.rollback + " unpin apps -n flux-system"
			if res.Undo != undo || len(res.Notes) != 1 || !strings.HasSuffix(res.Notes[0], "nothing newer until '"+undo+"'") {
				t.Errorf("undo %q, notes %q; want %q", res.Undo, res.Notes, undo)
			}
			rec, err := status.SwitchOf(sourceOf(t, f).GetAnnotations())
			if err != nil || rec == nil || rec.Undo != "kubectl gitops rollback unpin apps -n flux-system" {
				t.Errorf("record %+v, %v: want the canonical undo", rec, err)
			}
			if got := rec.UndoCommand(ctx, "flux-system", "flux-system"); got != undo {
				t.Errorf("the record read back: %q, want %q", got, undo)
			}

			if _, err := Unpin(ctx, f.Dynamic, PinRequest{Namespace: "flux-system", Name: "apps"}); err != nil {
				t.Fatal(err)
			}
			res, err = Unpin(ctx, f.Dynamic, PinRequest{Namespace: "flux-system", Name: "apps"})
			if want := "was never switched by " + tt.branch + " set: nothing to restore"; err != nil || len(res.Notes) != 1 || res.Notes[0] != want {
				t.Errorf("second unpin: %q, %v; want %q", res.Notes, err, want)
			}
		})
	}
}

// TestPinHintsAsInvoked: the hints of a pin that has nothing to do name the commands to
// run instead as the user runs the suite.
func TestPinHintsAsInvoked(t *testing.T) {
	for _, tt := range invocations {
		t.Run(tt.invoked, func(t *testing.T) {
			ctx := asInvoked(tt.invoked)
			// The newest commit never applied: the last good revision is the one running.
			ks := kustomization("GitRepository", shaNew, shaOld)
			_ = unstructured.SetNestedField(ks.Object, "main@sha1:"+shaFail, "status", "lastAttemptedRevision")
			f := clustertest.New("flux-system", ks, gitRepository("https://git.example.com/fleet.git", map[string]any{"branch": "main"}, nil, shaFail))
			res, err := Pin(ctx, f.Dynamic, PinRequest{Namespace: "flux-system", Name: "apps", Choice: history.Choice{LastGood: true}})
			if want := "'" + tt.rollback + " revert apps -n flux-system --commit 333333333333 --git-dir CLONE' undoes it in Git; nothing was changed"; err != nil || len(res.Notes) != 1 || !strings.HasSuffix(res.Notes[0], want) {
				t.Errorf("pin of the running revision: %q, %v; want it to end %q", res.Notes, err, want)
			}
			_, err = Pin(ctx, f.Dynamic, PinRequest{Namespace: "flux-system", Name: "apps", Choice: history.Choice{To: "abcdef12"}})
			if want := "list the candidates with '" + tt.rollback + " history'"; err == nil || !strings.HasSuffix(err.Error(), want) {
				t.Errorf("pin of an unknown commit: %v; want it to end %q", err, want)
			}
		})
	}
}

// TestRevertAsInvoked: the revert's undo, and the refusal of a held source, name the
// commands as the user runs the suite; the commit message, in Git, stays canonical.
func TestRevertAsInvoked(t *testing.T) {
	held := map[string]any{status.SwitchAnnotation: `{"action":"pin","refBefore":{"branch":"main"},"at":"2026-01-01T00:00:00Z","undo":"kubectl gitops rollback unpin apps -n flux-system"}`}
	for _, tt := range invocations {
		t.Run(tt.invoked, func(t *testing.T) {
			ctx := asInvoked(tt.invoked)
			u := newUpstream(t)
			f := clustertest.New("flux-system", kustomization("GitRepository", u.tweak, u.good), gitRepository(u.remote.Dir, map[string]any{"branch": "main"}, nil, u.tweak))
			res, err := Revert(ctx, f.Dynamic, RevertRequest{Namespace: "flux-system", Name: "apps", Choice: history.Choice{Steps: 1}, GitDir: u.clone.Dir, Hooks: write.Hooks{}})
			if err != nil {
				t.Fatal(err)
			}
			head := u.remote.Git("rev-parse", "main")
			if want := tt.rollback + " revert apps -n flux-system --commit " + git.Short(head) + " --git-dir "; !strings.HasPrefix(res.Undo, want) {
				t.Errorf("undo %q, want it to start %q", res.Undo, want)
			}
			if msg := u.remote.Git("show", "-s", "--format=%B", head); !strings.HasSuffix(strings.TrimSpace(msg), "Made with kubectl gitops rollback revert.") {
				t.Errorf("message %q: want the canonical name", msg)
			}

			f = clustertest.New("flux-system", kustomization("GitRepository", u.tweak, u.good), gitRepository(u.remote.Dir, map[string]any{"branch": "main", "commit": u.good}, held, u.good))
			_, err = Revert(ctx, f.Dynamic, RevertRequest{Namespace: "flux-system", Name: "apps", Choice: history.Choice{Steps: 1}, GitDir: u.clone.Dir})
			suite := strings.TrimSuffix(strings.TrimSuffix(tt.rollback, " rollback"), "-rollback")
			if want := " by " + suite + ": Flux would not apply the revert; undo that first ('" + tt.rollback + " unpin apps -n flux-system') or use --no-push"; err == nil || !strings.Contains(err.Error(), want) {
				t.Errorf("a held source: %v; want %q", err, want)
			}
		})
	}
}
