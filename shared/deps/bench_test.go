package deps_test

import (
	"context"
	"fmt"
	"math/rand"
	"testing"

	"github.com/fluxcd/pkg/apis/meta"

	. "github.com/kubectl-gitops/kubectl-gitops/shared/deps"
	"github.com/kubectl-gitops/kubectl-gitops/shared/status"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// syntheticFleet builds n Kustomizations over 10 namespaces with three
// dependsOn entries per node on average, deterministically (fixed seed).
// Most edges point at earlier nodes, as a real layering would; every 500th
// node also closes a 2-cycle, and every 1000th has a typo'd dependency, so
// the benchmark pays for cycle paths and suggestions too. Statuses follow
// the edges: a node with an unhealthy dependency waits, a few fail or are
// suspended on their own.
func syntheticFleet(n int) []Node {
	rng := rand.New(rand.NewSource(20240601))
	id := func(i int) (string, string) { return fmt.Sprintf("ns-%d", i%10), fmt.Sprintf("ks-%07d", i) }
	nodes := make([]Node, n)
	healthy := make([]bool, n)
	for i := range nodes {
		ns, name := id(i)
		nd := Node{Kind: KindKustomization, Namespace: ns, Name: name, Generation: 2, ObservedGeneration: 2}
		deps := 0
		if i > 0 {
			deps = min(i, 1+rng.Intn(5)) // 1..5, mean 3
		}
		ok := true
		for range deps {
			j := rng.Intn(i)
			dns, dname := id(j)
			nd.DependsOn = append(nd.DependsOn, DependencyRef{Namespace: dns, Name: dname})
			ok = ok && healthy[j]
		}
		if i%1000 == 999 {
			nd.DependsOn = append(nd.DependsOn, DependencyRef{Namespace: ns, Name: name + "x"})
			ok = false
		}
		switch {
		case !ok:
			nd.Ready = status.Condition{Status: metav1.ConditionFalse, Reason: meta.DependencyNotReadyReason}
		case rng.Intn(400) == 0:
			nd.Ready = status.Condition{Status: metav1.ConditionFalse, Reason: "BuildFailed", Message: "kustomize build failed"}
			ok = false
		case rng.Intn(400) == 0:
			nd.Suspended = true
			nd.Ready = status.Condition{Status: metav1.ConditionUnknown, Reason: "Progressing"}
			ok = false
		default:
			nd.Ready = status.Condition{Status: metav1.ConditionTrue, Reason: "ReconciliationSucceeded"}
		}
		healthy[i] = ok
		nodes[i] = nd
	}
	for i := 0; i+1 < n; i += 500 {
		ns, name := id(i + 1)
		nodes[i].DependsOn = append(nodes[i].DependsOn, DependencyRef{Namespace: ns, Name: name})
		nodes[i+1].DependsOn = append(nodes[i+1].DependsOn, DependencyRef{Namespace: nodes[i].Namespace, Name: nodes[i].Name})
	}
	return nodes
}

func BenchmarkAnalyze(b *testing.B) {
	for _, n := range []int{1_000, 10_000, 100_000} {
		nodes := syntheticFleet(n)
		edges := 0
		for _, nd := range nodes {
			edges += len(nd.DependsOn)
		}
		b.Run(fmt.Sprintf("nodes=%d/edges=%d", n, edges), func(b *testing.B) {
			b.ReportAllocs()
			var r *Report
			for b.Loop() {
				r = Analyze(context.Background(), nodes)
			}
			b.ReportMetric(float64(len(r.Cycles)), "cycles")
			b.ReportMetric(float64(len(r.RootCauses)), "rootcauses")
		})
	}
}

// BenchmarkComponents times Tarjan's algorithm alone on the same fleets: a
// textbook linear pass over integer adjacency lists, no hashing, no strings,
// no sorting. Its time per node and edge grows with the fleet as Analyze's
// does, which is how BENCHMARKS.md tells cache effects (the working set
// leaving the CPU caches) from algorithmic growth.
func BenchmarkComponents(b *testing.B) {
	for _, n := range []int{1_000, 10_000, 100_000} {
		r := Analyze(context.Background(), syntheticFleet(n))
		b.Run(fmt.Sprintf("nodes=%d/edges=%d", n, len(r.Edges())), func(b *testing.B) {
			for b.Loop() {
				Components(r.Entries)
			}
		})
	}
}

func TestSyntheticFleetShape(t *testing.T) {
	r := Analyze(context.Background(), syntheticFleet(10_000))
	edges := len(r.Edges())
	if edges < 27_000 || edges > 33_000 {
		t.Errorf("want about 30k edges, got %d", edges)
	}
	if len(r.Cycles) == 0 || len(r.Missing) == 0 || len(r.RootCauses) == 0 {
		t.Errorf("fleet should exercise every analysis: %d cycles, %d missing, %d root causes",
			len(r.Cycles), len(r.Missing), len(r.RootCauses))
	}
	checkConsistent(t, r)
}
