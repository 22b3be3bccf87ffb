// Package render prints a dependency report: the tree and text views for people, the
// DependencyReport document for -o json|yaml, and DOT and Mermaid graphs.
package render

import "github.com/kubectl-gitops/kubectl-gitops/shared/deps"

// nodeClass names the visual class of an entry for the diagram renderers,
// most urgent first: a node in a cycle that is also failing is drawn as part
// of the cycle, because breaking the cycle comes first.
func nodeClass(r *deps.Report, i int) string {
	e := &r.Entries[i]
	switch {
	case e.Missing:
		return "missing"
	case e.Cycle >= 0:
		return "cycle"
	case e.Offline:
		return ""
	case e.Suspended:
		return "suspended"
	}
	if e.Cause >= 0 && r.RootCauses[e.Cause].Node == e.ID() {
		switch r.RootCauses[e.Cause].Kind {
		case deps.CauseFailing:
			return "failing"
		case deps.CauseNotReconciled, deps.CauseRevisionLag:
			return "stale"
		}
	}
	switch {
	case e.Ready.IsTrue():
		return "ready"
	case e.Ready.DependencyBlocked():
		return "waiting"
	default:
		return "failing"
	}
}

// classNames fixes the order classes are declared in diagram output.
func classNames() []string {
	return []string{"ready", "waiting", "stale", "suspended", "failing", "cycle", "missing"}
}

// cycleEdge reports whether the edge from dependent i to dependency j lies
// inside a cycle.
func cycleEdge(r *deps.Report, i, j int) bool {
	return r.Entries[i].Cycle >= 0 && r.Entries[i].Cycle == r.Entries[j].Cycle
}

// singleNamespace reports whether all entries share one namespace, in which
// case diagram labels drop it.
func singleNamespace(r *deps.Report) bool {
	for i := 1; i < len(r.Entries); i++ {
		if r.Entries[i].Namespace != r.Entries[0].Namespace {
			return false
		}
	}
	return true
}

// diagramLabel is the text shown in a diagram box.
func diagramLabel(r *deps.Report, i int, short bool) string {
	id := r.Entries[i].ID()
	if short {
		return id.Name
	}
	return id.Short()
}
