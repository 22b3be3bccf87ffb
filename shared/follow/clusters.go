package follow

import (
	"fmt"
	"strings"
)

// ClusterResult is how the revision went in one cluster: a context followed, or a
// workload cluster that a context's Flux applies to through spec.kubeConfig. A fleet
// is several clusters, and "is it live" is answered per cluster.
type ClusterResult struct {
	// Name is the context, or the workload cluster's name (Object.Cluster).
	Name string `json:"name"`
	// Via is, for a workload cluster, the context whose Flux applies there.
	Via string `json:"via,omitempty"`
	// Result is Applied, Failed, TimedOut, Interrupted or Unreachable.
	Result Verdict `json:"result"`
	// Reason says why it is not Applied: the root cause as deps names it, what had not
	// applied yet, or why the context could not be followed.
	Reason string `json:"reason,omitempty"`
}

// ClustersOf splits a follow in context into its clusters: the context's own (its
// sources and the objects applying to it) and each cluster its objects apply to
// through spec.kubeConfig, in the order first met.
func ClustersOf(context string, st State) []ClusterResult {
	if context == "" {
		context = "the current context"
	}
	names := []string{""}
	objects := map[string][]Object{}
	for _, o := range st.Objects {
		if _, ok := objects[o.Cluster]; !ok && o.Cluster != "" {
			names = append(names, o.Cluster)
		}
		objects[o.Cluster] = append(objects[o.Cluster], o)
	}
	out := make([]ClusterResult, 0, len(names))
	for _, name := range names {
		r := ClusterResult{Name: name, Via: context}
		if name == "" {
			r.Name, r.Via = context, ""
		}
		r.Result, r.Reason = clusterVerdict(st, objects[name], name == "")
		out = append(out, r)
	}
	return out
}

// clusterVerdict is Applied when every object of the cluster (and, for the context's
// own, every source) has the revision; else the follow's verdict, with the cluster's
// own reason: what failed there, else the root cause it is blocked by, else what had
// not applied yet (and, when the follow stopped on a failure in another cluster, that
// this is why).
func clusterVerdict(st State, objects []Object, own bool) (Verdict, string) {
	var pending []string
	if own {
		for _, s := range st.Sources {
			if s.Phase == PhaseFailed {
				return VerdictFailed, "root cause: " + sourceName(s) + ": " + OneLine(s.Message)
			}
			if s.Phase != PhaseFetched {
				pending = append(pending, sourceName(s)+" "+strings.ToLower(string(s.Phase)))
			}
		}
	}
	var blocked bool
	for _, o := range objects {
		switch {
		case o.Phase == PhaseApplied:
		case o.Phase.broken():
			return VerdictFailed, "root cause: " + o.ID().String() + " " + strings.ToLower(string(o.Phase)) + ": " + OneLine(o.Message)
		case o.Phase == PhaseBlocked:
			blocked = true
		default:
			pending = append(pending, o.ID().String()+" "+strings.ToLower(string(o.Phase)))
		}
	}
	switch {
	case blocked && st.RootCause != nil:
		return VerdictFailed, "blocked by root cause " + st.RootCause.Object + ": " + OneLine(st.RootCause.Message)
	case blocked:
		return VerdictFailed, "blocked"
	case len(pending) == 0:
		return VerdictApplied, ""
	}
	if v := st.Verdict; v == VerdictTimedOut || v == VerdictInterrupted {
		return v, "not applied yet: " + strings.Join(pending, ", ")
	}
	// The follow ended on a failure in another cluster (its verdict, exit 1) and left
	// this one's moving objects as they were: no time ran out, so not TimedOut.
	return VerdictFailed, "not applied yet (the follow stopped on a failure elsewhere): " + strings.Join(pending, ", ")
}

// FleetSummary is the last line of a follow over several clusters: in how many of
// them the revision applied, and for each other one why not.
func FleetSummary(rs []ClusterResult) string {
	applied := 0
	var not []string
	for _, r := range rs {
		if r.Result == VerdictApplied {
			applied++
			continue
		}
		word := strings.ToLower(string(r.Result))
		if r.Result == VerdictTimedOut {
			word = "timed out"
		}
		what := r.Name + " (" + word
		if r.Reason != "" {
			what += ": " + r.Reason
		}
		not = append(not, what+")")
	}
	line := fmt.Sprintf("applied in %d of %d clusters", applied, len(rs))
	if len(not) > 0 {
		line += "; not in " + strings.Join(not, "; ")
	}
	return line
}
