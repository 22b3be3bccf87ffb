package render

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/kubectl-gitops/kubectl-gitops/shared/deps"
)

// TestTreeIsBounded cuts a huge tree at MaxLines and says what was cut.
func TestTreeIsBounded(t *testing.T) {
	var nodes []deps.Node
	for i := 0; i < 50; i++ {
		n := deps.Node{Kind: deps.KindKustomization, Namespace: "flux-system", Name: fmt.Sprintf("k%02d", i), Offline: true}
		if i > 0 {
			n.DependsOn = []deps.DependencyRef{{Name: fmt.Sprintf("k%02d", i-1), Namespace: "flux-system"}}
		}
		nodes = append(nodes, n)
	}
	var out strings.Builder
	if err := TreeWith(&out, deps.Analyze(context.Background(), nodes), TreeOptions{MaxLines: 10}); err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(out.String()), "\n")
	if !strings.HasPrefix(lines[0], "50 objects, 49 dependencies: no problems.") {
		t.Errorf("summary line %q", lines[0])
	}
	if !strings.Contains(out.String(), "… 40 more objects not shown: the tree is cut at 10 lines") || len(lines) > 20 {
		t.Errorf("not cut:\n%s", out.String())
	}
}

// TestTreeFoldsPlainObjects folds objects with no dependency, no dependent and no
// problem into a count, unless All.
func TestTreeFoldsPlainObjects(t *testing.T) {
	nodes := []deps.Node{
		{Kind: deps.KindKustomization, Namespace: "a", Name: "alone", Offline: true},
		{Kind: deps.KindKustomization, Namespace: "a", Name: "base", Offline: true},
		{Kind: deps.KindKustomization, Namespace: "a", Name: "app", Offline: true, DependsOn: []deps.DependencyRef{{Name: "base", Namespace: "a"}}},
	}
	for _, all := range []bool{false, true} {
		var out strings.Builder
		if err := TreeWith(&out, deps.Analyze(context.Background(), nodes), TreeOptions{All: all}); err != nil {
			t.Fatal(err)
		}
		listed := strings.Contains(out.String(), "Kustomization a/alone")
		folded := strings.Contains(out.String(), "… and 1 more object with no dependency, no dependent and no problem (--all lists them)")
		if listed != all || folded == all || !strings.Contains(out.String(), "└── Kustomization a/app") {
			t.Errorf("all=%v:\n%s", all, out.String())
		}
	}
}
