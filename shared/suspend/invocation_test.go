package suspend

import (
	"context"
	"testing"

	"github.com/kubectl-gitops/kubectl-gitops/shared/cluster/clustertest"
	"github.com/kubectl-gitops/kubectl-gitops/shared/invocation"
	"github.com/kubectl-gitops/kubectl-gitops/shared/status"
)

// TestUndoAsInvoked: the undo of a suspend and of a resume names the other command as
// the user runs the suite.
func TestUndoAsInvoked(t *testing.T) {
	for _, tt := range []struct{ invoked, rollback string }{
		{"kubectl gitops", "kubectl gitops rollback"},
		{"flux gitops", "flux gitops rollback"},
		{"kubectl gitops rollback", "kubectl gitops rollback"},
		{"kubectl gitops-rollback", "kubectl gitops-rollback"},
		{"flux gitops-rollback", "flux gitops-rollback"},
	} {
		t.Run(tt.invoked, func(t *testing.T) {
			ctx := invocation.NewContext(context.Background(), invocation.Parse(tt.invoked))
			req := Request{Kind: "Kustomization", Namespace: "flux-system", Name: "apps", Reason: "INC-42"}
			res, err := Suspend(ctx, clustertest.New("flux-system", apps(false, nil)).Dynamic, req)
			if want := tt.rollback + " resume kustomization/apps -n flux-system"; err != nil || res.Undo != want {
				t.Errorf("suspend: undo %q, %v; want %q", res.Undo, err, want)
			}
			res, err = Suspend(ctx, clustertest.New("flux-system", apps(true, nil)).Dynamic, req)
			if want := tt.rollback + " resume kustomization/apps -n flux-system"; err != nil || res.Undo != want {
				t.Errorf("suspend of a suspended one: undo %q, %v; want %q", res.Undo, err, want)
			}
			res, err = Resume(ctx, clustertest.New("flux-system", apps(true, map[string]any{status.SuspendReasonAnnotation: "INC-42"})).Dynamic,
				Request{Kind: "Kustomization", Namespace: "flux-system", Name: "apps"})
			if want := tt.rollback + " suspend kustomization/apps -n flux-system --reason 'INC-42'"; err != nil || res.Undo != want {
				t.Errorf("resume: undo %q, %v; want %q", res.Undo, err, want)
			}
		})
	}
}
