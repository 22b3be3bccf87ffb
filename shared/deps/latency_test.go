package deps

import (
	"strings"
	"testing"
	"time"
)

// TestLatency: the budget follows the longest way (source poll, each dependsOn level's
// requeue, health checks up to their timeout), names its critical path and the
// setting that weighs most on it; a cycle never applies.
func TestLatency(t *testing.T) {
	src := SourceRef{Kind: "GitRepository", Namespace: "flux-system", Name: "fleet"}
	ks := func(name string, wait bool, timeout time.Duration, deps ...string) Node {
		n := Node{Kind: KindKustomization, Namespace: "flux-system", Name: name, SourceRef: src, SourceInterval: 10 * time.Minute,
			Interval: time.Hour, Timeout: timeout, WaitsAll: wait, LastDuration: 2 * time.Second}
		for _, d := range deps {
			n.DependsOn = append(n.DependsOn, DependencyRef{Name: d, Namespace: "flux-system"})
		}
		return n
	}
	nodes := []Node{
		ks("crds", false, 0),
		ks("infra", true, 5*time.Minute, "crds"),
		ks("apps", false, 0, "infra", "crds"),
		ks("a", false, 0, "b"), ks("b", false, 0, "a"),
	}
	budgets := map[string]Budget{}
	for _, b := range Latency(nodes, 30*time.Second) {
		budgets[b.Node.Name] = b
	}
	tests := []struct {
		name           string
		worst, typical time.Duration
		path           string
		shorten        string
	}{
		{"crds", 10*time.Minute + 2*time.Second, 5*time.Minute + 2*time.Second, "source poll, apply", "GitRepository flux-system/fleet spec.interval=10m0s"},
		// infra waits for crds, a requeue, then its health checks up to 5m.
		{"infra", 10*time.Minute + 2*time.Second + 30*time.Second + 5*time.Minute, 5*time.Minute + 2*time.Second + 15*time.Second + 2*time.Second,
			"source poll, apply, dependency requeue, apply and health checks", "GitRepository flux-system/fleet spec.interval=10m0s"},
		{"apps", 10*time.Minute + 2*time.Second + 30*time.Second + 5*time.Minute + 30*time.Second + 2*time.Second, 0,
			"source poll, apply, dependency requeue, apply and health checks, dependency requeue, apply", ""},
	}
	for _, tt := range tests {
		b, ok := budgets[tt.name]
		if !ok {
			t.Fatalf("no budget for %s", tt.name)
		}
		var whats []string
		for _, term := range b.Path {
			whats = append(whats, term.What)
		}
		if b.Worst != tt.worst || (tt.typical != 0 && b.Typical != tt.typical) || strings.Join(whats, ", ") != tt.path {
			t.Errorf("%s: worst %s typical %s path %q; want %s, %s, %q", tt.name, b.Worst, b.Typical, strings.Join(whats, ", "), tt.worst, tt.typical, tt.path)
		}
		if tt.shorten != "" && (b.Shorten == nil || b.Shorten.Setting != tt.shorten) {
			t.Errorf("%s: shorten %+v, want %s", tt.name, b.Shorten, tt.shorten)
		}
	}
	// Two requeues on apps' path count together: 1m, still less than the poll.
	if s := budgets["apps"].Shorten; s == nil || !strings.HasPrefix(s.Setting, "GitRepository") {
		t.Errorf("apps shorten %+v", s)
	}
	if b := budgets["a"]; !b.Never || budgets["b"].Never != true {
		t.Errorf("a and b in a cycle: %+v %+v, want never", b, budgets["b"])
	}
}
