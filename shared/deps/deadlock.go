package deps

import (
	"fmt"
	"slices"
	"strings"
)

// Relation is how one object of a deadlock needs the next one.
type Relation string

// The relations a deadlock is made of. dependsOn is the only one either controller
// checks; the other two are how Flux works, and no controller sees a cycle through
// them (flux2 RFC on cross-kind dependencies: "cannot be detected by either
// controller").
const (
	// RelDependsOn: the first is applied only once the second is Ready.
	RelDependsOn Relation = "depends on"
	// RelWaitsFor: a Kustomization with wait: true or healthChecks is Ready only once
	// the object it applies is.
	RelWaitsFor Relation = "waits for"
	// RelExistsAfter: an object exists only once the Kustomization that applies it
	// has applied.
	RelExistsAfter Relation = "exists only after"
)

// Step is one link of a deadlock: From needs To, in the way Relation says.
type Step struct {
	From     NodeID
	Relation Relation
	To       NodeID
}

func (s Step) String() string { return fmt.Sprintf("%s %s %s", s.From, s.Relation, s.To) }

// Deadlock is a cycle through dependsOn, "waits for" and "exists only after": every
// object in it waits for the next, and nothing ever moves. A plain dependsOn cycle of
// one kind is a Cycle, not a Deadlock.
type Deadlock struct {
	// Steps go round the cycle: the last step's To is the first step's From.
	Steps []Step
	// Members is every object of the cycle's strongly connected part, sorted.
	Members []NodeID
	// Break is the dependsOn step to remove; Suggestion says it in words.
	Break      Step
	Suggestion string
}

// events numbers two moments of each entry: when it is applied and when it is Ready.
func applied(i int) int { return 2 * i }
func ready(i int) int   { return 2*i + 1 }

// findDeadlocks builds the graph of what each moment needs (applied(A) needs ready(B)
// for A dependsOn B; ready(K) needs ready(X) when K waits for X it applies; applied(X)
// needs applied(K) when K applies X; ready(A) needs applied(A)) and reports each
// strongly connected part that holds a "waits for" or "exists only after" edge.
func (r *Report) findDeadlocks() {
	n := len(r.Entries)
	adj := make([][]int, 2*n)
	rel := make([][]Relation, 2*n)
	add := func(from, to int, how Relation) {
		adj[from] = append(adj[from], to)
		rel[from] = append(rel[from], how)
	}
	for i := range r.Entries {
		e := &r.Entries[i]
		add(ready(i), applied(i), "")
		for _, j := range e.Dependencies {
			add(applied(i), ready(j), RelDependsOn)
		}
		if k, ok := r.index[e.AppliedBy]; ok && k != i && !e.AppliedBy.isZero() {
			add(applied(i), applied(k), RelExistsAfter)
			if r.Entries[k].WaitsAll {
				add(ready(k), ready(i), RelWaitsFor)
			}
		}
		for _, w := range e.WaitsFor {
			if j, ok := r.index[w]; ok && j != i {
				add(ready(i), ready(j), RelWaitsFor)
			}
		}
	}
	comp, _ := scc(2*n, func(v int) []int { return adj[v] })
	r.deadlockOf = make([]int, n)
	for i := range r.deadlockOf {
		r.deadlockOf[i] = -1
	}
	reported := map[int32]bool{}
	for u := range adj {
		for x, v := range adj[u] {
			how := rel[u][x]
			if (how != RelWaitsFor && how != RelExistsAfter) || comp[u] != comp[v] || reported[comp[u]] {
				continue
			}
			reported[comp[u]] = true
			r.addDeadlock(adj, rel, comp, u, x)
		}
	}
}

func (id NodeID) isZero() bool { return id == NodeID{} }

// addDeadlock records the cycle that goes through edge x of event u, found by a
// breadth-first search back from its head to u inside the component.
func (r *Report) addDeadlock(adj [][]int, rel [][]Relation, comp []int32, u, x int) {
	c := comp[u]
	type via struct{ from, edge int }
	parent := map[int]via{adj[u][x]: {u, x}}
	queue := []int{adj[u][x]}
	for len(queue) > 0 && u != queue[0] {
		v := queue[0]
		queue = queue[1:]
		for y, w := range adj[v] {
			if _, seen := parent[w]; !seen && comp[w] == c {
				parent[w] = via{v, y}
				queue = append(queue, w)
			}
		}
	}
	// Walk back from u to the edge's head, then the edge itself closes the cycle.
	var steps []Step
	for v := u; ; {
		p := parent[v]
		if how := rel[p.from][p.edge]; how != "" {
			steps = append(steps, Step{From: r.Entries[p.from/2].ID(), Relation: how, To: r.Entries[v/2].ID()})
		}
		v = p.from
		if v == u {
			break
		}
	}
	slices.Reverse(steps)
	steps = story(steps)
	d := Deadlock{Steps: steps}
	members := map[NodeID]bool{}
	for ev := range adj {
		if comp[ev] == c {
			members[r.Entries[ev/2].ID()] = true
			r.deadlockOf[ev/2] = len(r.Deadlocks)
		}
	}
	for id := range members {
		d.Members = append(d.Members, id)
	}
	slices.SortFunc(d.Members, compareIDs)
	// The dependsOn to remove is the one on the Kustomization that waits (it waits
	// for something that needs the dependent), else the first.
	d.Break = steps[slices.IndexFunc(steps, func(s Step) bool { return s.Relation == RelDependsOn })]
	for i, st := range steps {
		if st.Relation == RelWaitsFor {
			prev := steps[(i+len(steps)-1)%len(steps)]
			if prev.Relation == RelDependsOn {
				d.Break = prev
			}
		}
	}
	d.Suggestion = fmt.Sprintf("remove %q from the dependsOn of %s", d.Break.To.Name, d.Break.From)
	if i := slices.IndexFunc(steps, func(s Step) bool { return s.Relation == RelWaitsFor }); i >= 0 {
		d.Suggestion += fmt.Sprintf(", or let %s stop waiting for %s (wait: false, or leave it out of healthChecks)", steps[i].From, steps[i].To)
	}
	r.Deadlocks = append(r.Deadlocks, d)
}

// story rotates a cycle of steps to start where a reader would: at a Kustomization
// that waits (the one Flux shows as timing out), else at a dependsOn, the smallest
// object first, so that the same graph always reads the same.
func story(steps []Step) []Step {
	start := -1
	for _, rel := range []Relation{RelWaitsFor, RelDependsOn} {
		for i, s := range steps {
			if s.Relation == rel && (start < 0 || compareIDs(s.From, steps[start].From) < 0) {
				start = i
			}
		}
		if start >= 0 {
			break
		}
	}
	if start <= 0 {
		return steps
	}
	return append(slices.Clone(steps[start:]), steps[:start]...)
}

// PathWords renders a deadlock as a sentence: "A waits for B, which depends on C, …,
// which exists only after A".
func (d *Deadlock) PathWords() string {
	var b strings.Builder
	for i, s := range d.Steps {
		if i == 0 {
			b.WriteString(s.From.String())
		} else {
			b.WriteString(", which")
		}
		b.WriteString(" " + string(s.Relation) + " " + s.To.String())
	}
	return b.String()
}
