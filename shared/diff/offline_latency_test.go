package diff

import (
	"strings"
	"testing"
	"time"

	"github.com/kubectl-gitops/kubectl-gitops/shared/deps"
)

// TestLatencyChanges: a pull request adding a dependsOn level and a health check
// timeout tells the reviewer how much longer a push may take, and what weighs most;
// nodes in a cycle, and new ones, are left to the other findings.
func TestLatencyChanges(t *testing.T) {
	src := deps.SourceRef{Kind: "GitRepository", Namespace: "flux-system", Name: "flux-system"}
	ks := func(name string, timeout time.Duration, wait bool, dependsOn ...string) deps.Node {
		n := deps.Node{Kind: deps.KindKustomization, Namespace: "flux-system", Name: name, SourceRef: src, SourceInterval: time.Minute, Timeout: timeout, WaitsAll: wait}
		for _, d := range dependsOn {
			n.DependsOn = append(n.DependsOn, deps.DependencyRef{Name: d, Namespace: "flux-system"})
		}
		return n
	}
	base := []deps.Node{ks("infra", time.Minute, false), ks("apps", time.Minute, false)}
	head := []deps.Node{ks("infra", 3*time.Minute, true), ks("apps", time.Minute, false, "infra"), ks("new", time.Minute, false)}
	var got []string
	for _, c := range latencyChanges(base, head) {
		got = append(got, c.String())
	}
	want := []string{
		"Kustomization flux-system/apps: a push may take up to 3m30s longer to apply (worst 4m30s, was 1m0s); weighing most: Kustomization flux-system/infra spec.timeout=3m0s",
		"Kustomization flux-system/infra: a push may take up to 3m0s longer to apply (worst 4m0s, was 1m0s); weighing most: Kustomization flux-system/infra spec.timeout=3m0s",
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("got\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}
