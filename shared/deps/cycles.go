package deps

import (
	"fmt"
	"strings"
)

// findCycles turns each cyclic component into a Cycle, ordered by the
// component's first member. Work is linear: each component's edges are read
// a constant number of times.
func (r *Report) findCycles(comp []int32, cyclic []bool) {
	groups := make(map[int32][]int)
	var order []int32
	for v := range r.Entries {
		c := comp[v]
		if !cyclic[c] {
			continue
		}
		if _, ok := groups[c]; !ok {
			order = append(order, c)
		}
		groups[c] = append(groups[c], v)
	}
	if len(order) == 0 {
		return
	}

	// Shared scratch for the searches: parent links and visit stamps, so no
	// per-component allocation is proportional to the whole graph.
	parent := make([]int, len(r.Entries))
	stamp := make([]int32, len(r.Entries))
	for k, c := range order {
		members := groups[c]
		path := r.cyclePath(members, comp, parent, stamp, int32(k+1))
		idx := len(r.Cycles)
		cy := Cycle{Kind: r.Entries[members[0]].Kind}
		for _, v := range path {
			cy.Path = append(cy.Path, r.Entries[v].ID())
		}
		for _, v := range members {
			cy.Members = append(cy.Members, r.Entries[v].ID())
			r.Entries[v].Cycle = idx
		}
		cy.Break = Edge{Dependent: cy.Path[len(cy.Path)-2], Dependency: cy.Path[0]}
		cy.Suggestion = removeSuggestion(cy.Break)
		r.Cycles = append(r.Cycles, cy)
	}
}

// cyclePath returns one cycle through the component as entry indices,
// starting and ending at the same entry. The start is the member that looks
// least like a foundation layer, and the edge back into it is the one we
// suggest removing: in the usual mistake a base such as "infra" is made to
// depend on a leaf such as "apps". The path is the shortest from the start
// back to it (breadth-first search inside the component), so it is easy to
// read.
func (r *Report) cyclePath(members []int, comp []int32, parent []int, stamp []int32, mark int32) []int {
	if len(members) == 1 {
		v := members[0]
		return []int{v, v}
	}
	c := comp[members[0]]
	start := members[0]
	for _, v := range members[1:] {
		if r.leafier(v, start, comp, c) {
			start = v
		}
	}

	queue := []int{start}
	stamp[start] = mark
	end := -1
	for len(queue) > 0 && end < 0 {
		x := queue[0]
		queue = queue[1:]
		for _, y := range r.Entries[x].Dependencies {
			if comp[y] != c || stamp[y] == mark {
				continue
			}
			stamp[y] = mark
			parent[y] = x
			if r.DependsOn(y, start) {
				end = y
				break
			}
			queue = append(queue, y)
		}
	}
	if end < 0 {
		// Cannot happen for a component of more than one member; fall back
		// to listing the members so the report is still useful.
		return append(append([]int{}, members...), members[0])
	}
	var rev []int
	for v := end; v != start; v = parent[v] {
		rev = append(rev, v)
	}
	path := make([]int, 0, len(rev)+2)
	path = append(path, start)
	for i := len(rev) - 1; i >= 0; i-- {
		path = append(path, rev[i])
	}
	return append(path, start)
}

// leafier reports whether cycle member a looks less like a foundation than
// b. A base layer has dependents outside the cycle (other things build on
// it) and dependencies outside it (it sits on flux-system or CRDs); a leaf
// has neither. Ties go to sort order, so the choice is deterministic.
func (r *Report) leafier(a, b int, comp []int32, c int32) bool {
	outside := func(idx []int) int {
		n := 0
		for _, i := range idx {
			if comp[i] != c {
				n++
			}
		}
		return n
	}
	ea, eb := &r.Entries[a], &r.Entries[b]
	if da, db := outside(ea.Dependents), outside(eb.Dependents); da != db {
		return da < db
	}
	if da, db := outside(ea.Dependencies), outside(eb.Dependencies); da != db {
		return da < db
	}
	return a < b
}

// DependsOn reports whether entry v lists entry w in its dependsOn.
func (r *Report) DependsOn(v, w int) bool {
	for _, d := range r.Entries[v].Dependencies {
		if d == w {
			return true
		}
	}
	return false
}

// removeSuggestion words the fix for a cycle edge, naming the dependsOn
// entry the way the user wrote it (name alone when in the same namespace).
func removeSuggestion(e Edge) string {
	entry := e.Dependency.Name
	if e.Dependency.Namespace != e.Dependent.Namespace {
		entry = e.Dependency.Short()
	}
	return fmt.Sprintf("remove %q from the dependsOn of %s", entry, e.Dependent)
}

// PathString renders a cycle path as "ns/a -> ns/b -> ns/a".
func PathString(path []NodeID) string {
	parts := make([]string, len(path))
	for i, id := range path {
		parts[i] = id.Short()
	}
	return strings.Join(parts, " -> ")
}
