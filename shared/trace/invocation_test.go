package trace

import (
	"context"
	"strings"
	"testing"

	"github.com/kubectl-gitops/kubectl-gitops/shared/invocation"
	"github.com/kubectl-gitops/kubectl-gitops/shared/status"
)

// TestSourceNoteAsInvoked: a source held by a pin says how to put it back as the user
// runs the suite: the record's canonical undo, named for the reader.
func TestSourceNoteAsInvoked(t *testing.T) {
	repo := obj("source.toolkit.fluxcd.io/v1", "GitRepository", "flux-system", "flux-system", map[string]any{
		"spec": map[string]any{"url": "https://git.example.com/fleet.git", "ref": map[string]any{"branch": "main", "commit": strings.Repeat("1", 40)}},
	})
	repo.SetAnnotations(map[string]string{status.SwitchAnnotation: `{"action":"pin","refBefore":{"branch":"main"},"by":"alice","at":"2026-01-01T00:00:00Z","undo":"kubectl gitops rollback unpin apps -n flux-system"}`})
	for invoked, want := range map[string]string{
		"kubectl gitops":       "'kubectl gitops rollback unpin apps -n flux-system' puts it back",
		"flux gitops":          "'flux gitops rollback unpin apps -n flux-system' puts it back",
		"kubectl gitops trace": "'kubectl gitops rollback unpin apps -n flux-system' puts it back",
		"kubectl gitops-trace": "'kubectl gitops-rollback unpin apps -n flux-system' puts it back",
	} {
		hop := sourceHop(invocation.NewContext(context.Background(), invocation.Parse(invoked)), RoleSource, "sourceRef", repo)
		if len(hop.Notes) != 1 || !strings.HasSuffix(hop.Notes[0], want) {
			t.Errorf("%s: notes %q; want one ending %q", invoked, hop.Notes, want)
		}
	}
}
