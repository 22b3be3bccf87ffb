package deps_test

import (
	"context"
	"testing"

	. "github.com/kubectl-gitops/kubectl-gitops/shared/deps"
	. "github.com/kubectl-gitops/kubectl-gitops/shared/deps/depstest"
	"github.com/kubectl-gitops/kubectl-gitops/shared/invocation"
)

// TestNextStepAsInvoked: a root cause's next step names the suite's resume as the user
// runs the suite; the next steps of other tools (flux, kubectl) are theirs.
func TestNextStepAsInvoked(t *testing.T) {
	const (
		oldRev = "main@sha1:1111111111111111111111111111111111111111"
		newRev = "main@sha1:2222222222222222222222222222222222222222"
	)
	nodes := []Node{Suspended(Failing("BuildFailed", "kustomize build failed", KS("infra"))), Waiting(KS("apps", "infra"))}
	for _, tt := range []struct{ invoked, want string }{
		{"kubectl gitops", "kubectl gitops rollback resume kustomization/infra -n flux-system --yes"},
		{"flux gitops", "flux gitops rollback resume kustomization/infra -n flux-system --yes"},
		{"kubectl gitops deps", "kubectl gitops rollback resume kustomization/infra -n flux-system --yes"},
		{"kubectl gitops-deps", "kubectl gitops-rollback resume kustomization/infra -n flux-system --yes"},
		{"kubectl gitops-trace", "kubectl gitops-rollback resume kustomization/infra -n flux-system --yes"},
	} {
		ctx := invocation.NewContext(context.Background(), invocation.Parse(tt.invoked))
		r := Analyze(ctx, nodes)
		if len(r.RootCauses) != 1 || r.RootCauses[0].NextStep != tt.want {
			t.Errorf("%s: root causes %+v; want the next step %q", tt.invoked, r.RootCauses, tt.want)
		}
	}
	lagging := []Node{FromGit(newRev, oldRev, KS("infra")), FromGit(newRev, oldRev, Waiting(KS("apps", "infra")))}
	r := Analyze(invocation.NewContext(context.Background(), invocation.Parse("flux gitops")), lagging)
	if want := "flux reconcile kustomization infra -n flux-system --with-source"; len(r.RootCauses) != 1 || r.RootCauses[0].NextStep != want {
		t.Errorf("a lagging dependency: %+v; want %q", r.RootCauses, want)
	}
}
