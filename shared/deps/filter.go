package deps

import (
	"fmt"
	"slices"
	"strings"

	"github.com/kubectl-gitops/kubectl-gitops/shared/suggest"
)

// Filter narrows the report to what matters for the named objects, as in
// `deps NAME…`: the named entries, everything they depend on transitively
// and everything that depends on them transitively. Siblings reached only
// through a shared dependency are left out.
//
// A name is matched as "name" (any kind and namespace), "namespace/name" or
// "Kind/namespace/name" (kind case-insensitive; ks and hr are accepted).
// Names matching nothing are returned so the caller can report them.
// Problems are kept when they touch the view: cycles through kept entries,
// missing dependencies of kept entries, and root causes whose culprit or a
// victim is kept (victims outside the view are dropped). The original report
// is not modified.
func (r *Report) Filter(names []string) (*Report, []string) {
	byName := make(map[string][]int)
	for i := range r.Entries {
		byName[r.Entries[i].Name] = append(byName[r.Entries[i].Name], i)
	}

	var seeds []int
	var unknown []string
	for _, name := range names {
		found := false
		for _, i := range byName[lastSegment(name)] {
			if matches(r.Entries[i].ID(), name) {
				seeds = append(seeds, i)
				found = true
			}
		}
		if !found {
			unknown = append(unknown, name)
		}
	}

	keep := make([]bool, len(r.Entries))
	r.reach(seeds, keep, func(e *Entry) []int { return e.Dependencies })
	r.reach(seeds, keep, func(e *Entry) []int { return e.Dependents })
	return r.subset(keep), unknown
}

// reach marks everything reachable from seeds along next, seeds included.
// It keeps its own visited set so the two directions do not stop each other.
func (r *Report) reach(seeds []int, keep []bool, next func(*Entry) []int) {
	seen := make([]bool, len(r.Entries))
	queue := make([]int, 0, len(seeds))
	for _, s := range seeds {
		if !seen[s] {
			seen[s] = true
			queue = append(queue, s)
		}
	}
	for len(queue) > 0 {
		v := queue[len(queue)-1]
		queue = queue[:len(queue)-1]
		keep[v] = true
		for _, w := range next(&r.Entries[v]) {
			if !seen[w] {
				seen[w] = true
				queue = append(queue, w)
			}
		}
	}
}

// subset copies the kept entries and the problems touching them, remapping
// every index.
func (r *Report) subset(keep []bool) *Report {
	// What could not be read, or that nothing was, stays true of any view.
	out := &Report{index: make(map[NodeID]int), FileErrors: r.FileErrors, NothingChecked: r.NothingChecked, Unrendered: r.Unrendered, Strict: r.Strict}
	remap := make([]int, len(r.Entries))
	for i := range r.Entries {
		remap[i] = -1
		if keep[i] {
			remap[i] = len(out.Entries)
			out.index[r.Entries[i].ID()] = remap[i]
			out.Entries = append(out.Entries, r.Entries[i])
		}
	}
	kept := func(id NodeID) bool { i, ok := r.index[id]; return ok && keep[i] }

	cycleMap := make([]int, len(r.Cycles))
	for c, cy := range r.Cycles {
		cycleMap[c] = -1
		if kept(cy.Members[0]) {
			cycleMap[c] = len(out.Cycles)
			out.Cycles = append(out.Cycles, cy)
		}
	}
	for _, d := range r.Deadlocks {
		if slices.ContainsFunc(d.Members, kept) {
			out.Deadlocks = append(out.Deadlocks, d)
		}
	}
	for _, m := range r.Unknown {
		if kept(m.Dependent) {
			out.Unknown = append(out.Unknown, m)
		}
	}
	for _, c := range r.ReadyExprs {
		if kept(c.Dependent) {
			out.ReadyExprs = append(out.ReadyExprs, c)
		}
	}
	for _, m := range r.Missing {
		if kept(m.Dependent) {
			out.Missing = append(out.Missing, m)
		}
	}
	causeMap := make([]int, len(r.RootCauses))
	for c, rc := range r.RootCauses {
		causeMap[c] = -1
		var victims []NodeID
		for _, v := range rc.Victims {
			if kept(v) {
				victims = append(victims, v)
			}
		}
		if kept(rc.Node) || len(victims) > 0 {
			rc.Victims = victims
			causeMap[c] = len(out.RootCauses)
			out.RootCauses = append(out.RootCauses, rc)
		}
	}
	for _, d := range r.Duplicates {
		if kept(d.ID) {
			out.Duplicates = append(out.Duplicates, d)
		}
	}

	for i := range out.Entries {
		e := &out.Entries[i]
		e.Dependencies = remapAll(e.Dependencies, remap)
		e.Dependents = remapAll(e.Dependents, remap)
		if e.Cycle >= 0 {
			e.Cycle = cycleMap[e.Cycle]
		}
		if e.Cause >= 0 {
			e.Cause = causeMap[e.Cause]
		}
	}
	return out
}

func remapAll(idx []int, remap []int) []int {
	var out []int
	for _, i := range idx {
		if j := remap[i]; j >= 0 {
			out = append(out, j)
		}
	}
	return out
}

func lastSegment(s string) string {
	if i := strings.LastIndexByte(s, '/'); i >= 0 {
		return s[i+1:]
	}
	return s
}

// matches applies the Filter name forms to id.
func matches(id NodeID, name string) bool {
	parts := strings.Split(name, "/")
	switch len(parts) {
	case 1:
		return id.Name == parts[0]
	case 2:
		return id.Namespace == parts[0] && id.Name == parts[1]
	case 3:
		return kindMatches(id.Kind, parts[0]) && id.Namespace == parts[1] && id.Name == parts[2]
	}
	return false
}

func kindMatches(k Kind, s string) bool {
	s = strings.ToLower(s)
	switch k {
	case KindKustomization:
		return s == "kustomization" || s == "ks"
	case KindHelmRelease:
		return s == "helmrelease" || s == "hr"
	}
	return false
}

// FilterIn is Filter with plain names taken to be in namespace (when not empty), as
// `deps NAME -n NS` means: "apps" is flux-system/apps under -n flux-system.
func (r *Report) FilterIn(namespace string, names []string) (*Report, []string) {
	if namespace == "" {
		return r.Filter(names)
	}
	scoped := make([]string, 0, len(names))
	for _, n := range names {
		if strings.Contains(n, "/") {
			scoped = append(scoped, n)
			continue
		}
		scoped = append(scoped, namespace+"/"+n)
	}
	return r.Filter(scoped)
}

// Namespace narrows the report to the objects of one namespace, with everything they
// depend on and everything that depends on them, wherever those live: dependsOn
// crosses namespaces, and a view that cut those edges would hide the root cause.
func (r *Report) Namespace(namespace string) *Report {
	names := []string{}
	for i := range r.Entries {
		e := &r.Entries[i]
		if e.Namespace == namespace && !e.Missing {
			names = append(names, string(e.Kind)+"/"+e.Namespace+"/"+e.Name)
		}
	}
	view, _ := r.Filter(names)
	// A namespace holding none of them checks nothing, whatever the others hold.
	view.NothingChecked = view.NothingChecked || len(names) == 0
	return view
}

// Namespaces lists the namespaces holding an object of the report, sorted: where to
// look when the one asked about holds none.
func (r *Report) Namespaces() []string {
	var out []string
	for i := range r.Entries {
		if e := &r.Entries[i]; !e.Missing && (len(out) == 0 || out[len(out)-1] != e.Namespace) {
			out = append(out, e.Namespace)
		}
	}
	slices.Sort(out)
	return slices.Compact(out)
}

// Unmatched explains a name Filter (or FilterIn) returned as matching nothing, as one
// line for the user: when the name exists in another namespace, which one and the -n
// that finds it ("Kustomization default/apps not found; flux-system has one: add -n
// flux-system"); otherwise the close names of its namespace, if any.
func (r *Report) Unmatched(name string) string {
	parts := strings.Split(name, "/")
	var kind, namespace string
	switch len(parts) {
	case 2:
		namespace = parts[0]
	case 3:
		kind, namespace = parts[0], parts[1]
	}
	base := parts[len(parts)-1]
	what := "Kustomization or HelmRelease"
	for _, k := range []Kind{KindKustomization, KindHelmRelease} {
		if kind != "" && kindMatches(k, kind) {
			what = string(k)
		}
	}
	var elsewhere []NodeID
	var close []string
	for i := range r.Entries {
		e := &r.Entries[i]
		if e.Missing || (kind != "" && !kindMatches(e.Kind, kind)) {
			continue
		}
		switch {
		case e.Name == base:
			elsewhere = append(elsewhere, e.ID())
		case namespace == "" || e.Namespace == namespace:
			close = append(close, e.Name)
		}
	}
	asked := base
	if namespace != "" {
		asked = namespace + "/" + base
	}
	if len(elsewhere) > 0 {
		kinds := map[Kind]bool{}
		var namespaces []string
		for _, id := range elsewhere {
			kinds[id.Kind] = true
			if !slices.Contains(namespaces, id.Namespace) {
				namespaces = append(namespaces, id.Namespace)
			}
		}
		if len(kinds) == 1 {
			what = string(elsewhere[0].Kind)
		}
		if len(namespaces) == 1 {
			return fmt.Sprintf("%s %s not found; %s has one: add -n %s", what, asked, namespaces[0], namespaces[0])
		}
		return fmt.Sprintf("%s %s not found; %s have one: add -n with one of them, or -A", what, asked, strings.Join(namespaces, ", "))
	}
	msg := "no " + what + " named " + base
	if namespace != "" {
		msg += " in namespace " + namespace
	}
	if s := suggest.Closest(base, close, maxTypoDistance, maxSuggestions); len(s) > 0 {
		msg += "; did you mean " + strings.Join(s, ", ") + "?"
	}
	return msg
}
