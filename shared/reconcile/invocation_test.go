package reconcile_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/kubectl-gitops/kubectl-gitops/shared/invocation"
	"github.com/kubectl-gitops/kubectl-gitops/shared/reconcile"
	"github.com/kubectl-gitops/kubectl-gitops/shared/status"
)

// TestBlockedHintAsInvoked: a wait that timed out on a blocked dependency points at deps
// as the user runs the suite.
func TestBlockedHintAsInvoked(t *testing.T) {
	blocked := reconcile.Status{Ready: status.Condition{Status: "False", Reason: "DependencyNotReady", Message: "dependency 'flux-system/infra' is not ready"}}
	target := reconcile.Target{Kind: "Kustomization", Namespace: "flux-system", Name: "apps"}
	for invoked, want := range map[string]string{
		"kubectl gitops":          " (a dependency blocks it: see 'kubectl gitops deps')",
		"flux gitops":             " (a dependency blocks it: see 'flux gitops deps')",
		"kubectl gitops-rollback": " (a dependency blocks it: see 'kubectl gitops-deps')",
	} {
		ctx, cancel := context.WithDeadline(invocation.NewContext(context.Background(), invocation.Parse(invoked)), time.Now().Add(-time.Second))
		err := reconcile.Ended(ctx, target, blocked)
		cancel()
		if err == nil || !strings.HasSuffix(err.Error(), want) {
			t.Errorf("%s: %v; want it to end %q", invoked, err, want)
		}
	}
}
