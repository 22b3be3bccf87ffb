package deps

import (
	"cmp"
	"context"
	"slices"

	"github.com/kubectl-gitops/kubectl-gitops/shared/invocation"
)

// Analyze builds the graph of nodes and reports its cycles, missing
// dependencies and blocked chains. The nodes slice is not modified. Apart
// from sorting for stable output, the work is linear in nodes plus dependsOn
// entries: every dependsOn entry costs one map lookup, everything after
// that works on integer indices. ctx bounds the readyExpr evaluations, the one
// part that runs code from the cluster, and names the suite's commands in next steps
// as the user typed them (invocation.Command).
func Analyze(ctx context.Context, nodes []Node) *Report {
	// A check of no object at all (a wrong -n, an empty folder) is not a pass.
	r := &Report{NothingChecked: len(nodes) == 0}
	kept := r.place(nodes)
	r.resolve(nodes, kept)

	comp, cyclic := components(r.Entries)
	r.findCycles(comp, cyclic)
	r.findDeadlocks()
	r.evaluateReadyExprs(ctx)
	r.findMissing()
	r.findRootCauses(invocation.FromContext(ctx), comp, cyclic)
	return r
}

// place sorts the nodes and indexes them: it returns the input positions of
// the nodes kept, in entry order, and fills r.index with the entry index of
// each. Entries themselves are built by resolve, once the number of
// placeholders is known, so the (large) slice is allocated exactly once.
// Ties are broken by input position, so equal IDs end up next to each other
// with the first one given in front: duplicates are found without a second
// lookup, and the one kept is the one the caller listed first.
func (r *Report) place(nodes []Node) []int {
	// Sort small keys rather than indices into the (large) nodes: the
	// comparisons then stay in cache.
	type key struct {
		ns, name string
		kind     Kind
		pos      int
	}
	keys := make([]key, len(nodes))
	for i := range nodes {
		keys[i] = key{nodes[i].Namespace, nodes[i].Name, nodes[i].Kind, i}
	}
	same := func(a, b *key) bool { return a.ns == b.ns && a.name == b.name && a.kind == b.kind }
	slices.SortFunc(keys, func(a, b key) int {
		if c := cmp.Compare(a.ns, b.ns); c != 0 {
			return c
		}
		if c := cmp.Compare(a.name, b.name); c != 0 {
			return c
		}
		if c := cmp.Compare(a.kind, b.kind); c != 0 {
			return c
		}
		return cmp.Compare(a.pos, b.pos)
	})

	kept := make([]int, 0, len(nodes))
	r.index = make(map[NodeID]int, len(nodes))
	for k := range keys {
		n := &nodes[keys[k].pos]
		if k > 0 && same(&keys[k], &keys[k-1]) {
			r.Duplicates = append(r.Duplicates, Duplicate{ID: n.ID(), File: n.File, Line: n.Line})
			continue
		}
		r.index[n.ID()] = len(kept)
		kept = append(kept, keys[k].pos)
	}
	return kept
}

// resolve builds Entries from the kept nodes (see place) and turns dependsOn
// entries into edges. Targets nobody defines get a placeholder entry each,
// after the real nodes and in sorted order, so renderers can draw them like
// any other node.
func (r *Report) resolve(nodes []Node, kept []int) {
	real := len(kept)
	refs := 0
	for _, p := range kept {
		refs += len(nodes[p].DependsOn)
	}

	// One lookup per dependsOn entry. Known targets are stored as their
	// index, absent ones as -(k+1) where k numbers distinct absent targets
	// in discovery order, until their placeholders get indices.
	targets := make([]int, 0, refs)
	absentIdx := make(map[NodeID]int)
	var absent []NodeID
	for i := 0; i < real; i++ {
		n := &nodes[kept[i]]
		for _, ref := range n.DependsOn {
			t := n.target(ref)
			if j, ok := r.index[t]; ok {
				targets = append(targets, j)
				continue
			}
			k, ok := absentIdx[t]
			if !ok {
				k = len(absent)
				absentIdx[t] = k
				absent = append(absent, t)
			}
			targets = append(targets, -(k + 1))
		}
	}

	r.Entries = make([]Entry, real, real+len(absent))
	for i, p := range kept {
		r.Entries[i] = Entry{Node: nodes[p], Cycle: -1, Cause: -1}
	}
	placeholder := make([]int, len(absent))
	if len(absent) > 0 {
		byID := make([]int, len(absent))
		for k := range byID {
			byID[k] = k
		}
		slices.SortFunc(byID, func(a, b int) int { return compareIDs(absent[a], absent[b]) })
		for _, k := range byID {
			t := absent[k]
			placeholder[k] = len(r.Entries)
			r.index[t] = len(r.Entries)
			r.Entries = append(r.Entries, Entry{
				Node:    Node{Kind: t.Kind, Namespace: t.Namespace, Name: t.Name},
				Missing: true,
				Cycle:   -1,
				Cause:   -1,
			})
		}
	}

	// Resolve targets to entry indices, dropping repeated dependsOn entries
	// (seen[j] == i+1 while processing entry i), and count dependents so
	// both adjacency lists can be cut from two shared arrays instead of
	// growing 2×refs small slices.
	seen := make([]int, len(r.Entries))
	indegree := make([]int, len(r.Entries))
	edges := 0
	pos := 0
	for i := 0; i < real; i++ {
		for range r.Entries[i].DependsOn {
			j := targets[pos]
			if j < 0 {
				j = placeholder[-j-1]
			}
			if seen[j] == i+1 {
				targets[pos] = -1 << 62 // repeat: skip below
			} else {
				seen[j] = i + 1
				targets[pos] = j
				indegree[j]++
				edges++
			}
			pos++
		}
	}
	depArena := make([]int, 0, edges)
	dependentArena := make([]int, edges)
	for j := range r.Entries {
		n := indegree[j]
		r.Entries[j].Dependents = dependentArena[:0:n]
		dependentArena = dependentArena[n:]
	}
	pos = 0
	for i := 0; i < real; i++ {
		e := &r.Entries[i]
		start := len(depArena)
		for range e.DependsOn {
			if j := targets[pos]; j >= 0 {
				depArena = append(depArena, j)
				r.Entries[j].Dependents = append(r.Entries[j].Dependents, i)
			}
			pos++
		}
		if len(depArena) > start {
			e.Dependencies = depArena[start:len(depArena):len(depArena)]
		}
	}
}

func compareIDs(a, b NodeID) int {
	if c := cmp.Compare(a.Namespace, b.Namespace); c != 0 {
		return c
	}
	if c := cmp.Compare(a.Name, b.Name); c != 0 {
		return c
	}
	return cmp.Compare(a.Kind, b.Kind)
}
