package deps

import (
	"cmp"
	"slices"
	"strings"

	"github.com/kubectl-gitops/kubectl-gitops/shared/suggest"
)

const (
	// maxSuggestions bounds "did you mean" lists: past three, a list reads
	// as noise rather than help.
	maxSuggestions = 3
	// maxTypoDistance is the largest edit distance offered as a typo fix.
	maxTypoDistance = 2
	// typoBudget caps the candidate names examined for typo suggestions per
	// Analyze call. Typo search costs O(missing targets × names in the
	// target's namespace); on a pathological input (hundreds of missing
	// targets in one namespace of 100k objects) the budget keeps Analyze
	// linear: once spent, only exact names in other namespaces are
	// suggested, which cost nothing extra.
	typoBudget = 1 << 18
)

type kindName struct {
	kind Kind
	name string
}

// findMissing records every dependsOn entry that resolves to a placeholder,
// in dependent order then dependsOn order, with suggestions computed once
// per distinct target. Only dependents of placeholders are revisited, so a
// healthy graph pays nothing here.
func (r *Report) findMissing() {
	real := len(r.Entries)
	for real > 0 && r.Entries[real-1].Missing {
		real--
	}
	if real == len(r.Entries) {
		return
	}

	// Exact names in other namespaces: index only the names being looked
	// for.
	wanted := make(map[kindName][]int)
	for p := real; p < len(r.Entries); p++ {
		wanted[kindName{r.Entries[p].Kind, r.Entries[p].Name}] = nil
	}
	for i := 0; i < real; i++ {
		k := kindName{r.Entries[i].Kind, r.Entries[i].Name}
		if list, ok := wanted[k]; ok {
			wanted[k] = append(list, i)
		}
	}

	budget := typoBudget
	// suggestions holds, per placeholder, the ranked candidates with room
	// for the target's own dependents, which are then left out: a dependent
	// is never told to depend on itself ("apps" depending on a missing "app"
	// would otherwise be offered "apps").
	suggestions := make([][]NodeID, len(r.Entries)-real)
	otherKind := make([][]NodeID, len(r.Entries)-real)
	var dependents []int
	isDependent := make(map[int]bool)
	for p := real; p < len(r.Entries); p++ {
		t := r.Entries[p].ID()
		limit := maxSuggestions + len(r.Entries[p].Dependents)
		suggestions[p-real] = r.suggest(t, real, wanted[kindName{t.Kind, t.Name}], &budget, limit)
		for _, k := range []Kind{KindKustomization, KindHelmRelease} {
			o := NodeID{Kind: k, Namespace: t.Namespace, Name: t.Name}
			if j, ok := r.index[o]; ok && k != t.Kind && !r.Entries[j].Missing {
				otherKind[p-real] = append(otherKind[p-real], o)
			}
		}
		for _, i := range r.Entries[p].Dependents {
			if !isDependent[i] {
				isDependent[i] = true
				dependents = append(dependents, i)
			}
		}
	}
	slices.Sort(dependents)
	r.suggested = make(map[NodeID][]NodeID, len(r.Entries)-real)
	for p := real; p < len(r.Entries); p++ {
		if len(suggestions[p-real]) > 0 {
			r.suggested[r.Entries[p].ID()] = suggestions[p-real]
		}
	}

	for _, i := range dependents {
		e := &r.Entries[i]
		reported := make(map[int]bool)
		for _, ref := range e.DependsOn {
			t := e.target(ref)
			p := r.index[t]
			if !r.Entries[p].Missing || reported[p] {
				continue
			}
			reported[p] = true
			if Unknowable(t) {
				// A name holding a variable no offline source defines: unknown,
				// never missing.
				r.Unknown = append(r.Unknown, MissingDependency{Dependent: e.ID(), Ref: ref, Target: t})
				continue
			}
			r.Missing = append(r.Missing, MissingDependency{
				Dependent:   e.ID(),
				Ref:         ref,
				Target:      t,
				Suggestions: withoutIDs(suggestions[p-real], func(id NodeID) bool { return id == e.ID() }),
				OtherKind:   otherKind[p-real],
			})
		}
	}
}

// Unknowable reports whether an ID holds a post-build variable left as ${NAME}: its
// value could not be known offline.
func Unknowable(id NodeID) bool {
	return strings.Contains(id.Name, "${") || strings.Contains(id.Namespace, "${")
}

// suggest ranks existing objects of t's kind that t was probably meant to
// be, best first, at most limit. Names at edit distance 1 or 2 in t's namespace score their distance;
// the exact name in another namespace (sameName) scores 1. So a one-letter
// typo ties with the exact name elsewhere, and both beat a two-letter typo.
//
// Typos are looked for in t's own namespace only: the namespace of a
// dependsOn entry is usually defaulted, so a wrong name rarely comes with a
// wrong namespace too, and that keeps the search to one namespace, a
// contiguous run of the sorted entries.
func (r *Report) suggest(t NodeID, real int, sameName []int, budget *int, limit int) []NodeID {
	type cand struct{ idx, score int }
	var cands []cand
	for _, j := range sameName {
		cands = append(cands, cand{j, 1})
	}

	lo, _ := slices.BinarySearchFunc(r.Entries[:real], t.Namespace, func(e Entry, ns string) int {
		return cmp.Compare(e.Namespace, ns)
	})
	hi := lo
	for hi < real && r.Entries[hi].Namespace == t.Namespace {
		hi++
	}
	if hi-lo > *budget {
		*budget = 0
	} else {
		*budget -= hi - lo
		for j := lo; j < hi; j++ {
			e := &r.Entries[j]
			if e.Kind != t.Kind || len(e.Name) < len(t.Name)-maxTypoDistance || len(e.Name) > len(t.Name)+maxTypoDistance {
				continue
			}
			// 0 cannot happen (the target is missing); -1 is too far.
			if d := suggest.Distance(t.Name, e.Name, maxTypoDistance); d > 0 {
				cands = append(cands, cand{j, d})
			}
		}
	}
	if len(cands) == 0 {
		return nil
	}
	slices.SortFunc(cands, func(a, b cand) int {
		if a.score != b.score {
			return a.score - b.score
		}
		return a.idx - b.idx
	})
	out := make([]NodeID, 0, min(len(cands), limit))
	for _, c := range cands[:min(len(cands), limit)] {
		out = append(out, r.Entries[c.idx].ID())
	}
	return out
}

// withoutIDs returns the first maxSuggestions of ids that drop rejects.
func withoutIDs(ids []NodeID, drop func(NodeID) bool) []NodeID {
	var out []NodeID
	for _, id := range ids {
		if len(out) == maxSuggestions {
			break
		}
		if !drop(id) {
			out = append(out, id)
		}
	}
	return out
}
