package follow

import (
	"reflect"
	"testing"
)

func TestClustersOf(t *testing.T) {
	fetched := []Source{{Kind: "GitRepository", Namespace: "flux-system", Name: "fleet", Phase: PhaseFetched}}
	obj := func(name, cluster string, p Phase, msg string) Object {
		return Object{Kind: "Kustomization", Namespace: "fleet", Name: name, Cluster: cluster, Phase: p, Message: msg}
	}
	for _, tc := range []struct {
		name    string
		st      State
		want    []ClusterResult
		summary string
	}{{
		name:    "one cluster, applied",
		st:      State{Sources: fetched, Objects: []Object{obj("apps", "", PhaseApplied, "")}, Verdict: VerdictApplied},
		want:    []ClusterResult{{Name: "management", Result: VerdictApplied}},
		summary: "applied in 1 of 1 clusters",
	}, {
		name: "a workload cluster fails, another is blocked, the own one applied",
		st: State{Sources: fetched, Verdict: VerdictFailed,
			Objects: []Object{
				obj("apps", "", PhaseApplied, ""),
				obj("w1", "workload-1", PhaseFailed, "namespaces \"missing\"\nnot found"),
				obj("w2", "workload-2", PhaseBlocked, "will not apply"),
			},
			RootCause: &RootCause{Object: "Kustomization fleet/w1", Message: "Kustomization fleet/w1 is failing"}},
		want: []ClusterResult{
			{Name: "management", Result: VerdictApplied},
			{Name: "workload-1", Via: "management", Result: VerdictFailed, Reason: `root cause: Kustomization fleet/w1 failed: namespaces "missing" not found`},
			{Name: "workload-2", Via: "management", Result: VerdictFailed, Reason: "blocked by root cause Kustomization fleet/w1: Kustomization fleet/w1 is failing"},
		},
		summary: `applied in 1 of 3 clusters; not in workload-1 (failed: root cause: Kustomization fleet/w1 failed: namespaces "missing" not found); workload-2 (failed: blocked by root cause Kustomization fleet/w1: Kustomization fleet/w1 is failing)`,
	}, {
		name: "timed out: what had not applied, per cluster",
		st: State{Sources: fetched, Verdict: VerdictTimedOut,
			Objects: []Object{obj("apps", "", PhaseWaiting, ""), obj("w1", "workload-1", PhaseApplied, "")}},
		want: []ClusterResult{
			{Name: "management", Result: VerdictTimedOut, Reason: "not applied yet: Kustomization fleet/apps waiting"},
			{Name: "workload-1", Via: "management", Result: VerdictApplied},
		},
		summary: "applied in 1 of 2 clusters; not in management (timed out: not applied yet: Kustomization fleet/apps waiting)",
	}, {
		name: "stopped on a failure in another cluster: one still applying did not time out",
		st: State{Sources: fetched, Verdict: VerdictFailed,
			Objects: []Object{
				obj("apps", "", PhaseApplied, ""),
				obj("w1", "workload-1", PhaseFailed, "boom"),
				obj("w2", "workload-2", PhaseApplying, ""),
			},
			RootCause: &RootCause{Object: "Kustomization fleet/w1", Message: "boom"}},
		want: []ClusterResult{
			{Name: "management", Result: VerdictApplied},
			{Name: "workload-1", Via: "management", Result: VerdictFailed, Reason: "root cause: Kustomization fleet/w1 failed: boom"},
			{Name: "workload-2", Via: "management", Result: VerdictFailed, Reason: "not applied yet (the follow stopped on a failure elsewhere): Kustomization fleet/w2 applying"},
		},
		summary: "applied in 1 of 3 clusters; not in workload-1 (failed: root cause: Kustomization fleet/w1 failed: boom); workload-2 (failed: not applied yet (the follow stopped on a failure elsewhere): Kustomization fleet/w2 applying)",
	}, {
		name: "interrupted: what had not applied, per cluster",
		st: State{Sources: fetched, Verdict: VerdictInterrupted,
			Objects: []Object{obj("apps", "", PhaseApplying, "")}},
		want:    []ClusterResult{{Name: "management", Result: VerdictInterrupted, Reason: "not applied yet: Kustomization fleet/apps applying"}},
		summary: "applied in 0 of 1 clusters; not in management (interrupted: not applied yet: Kustomization fleet/apps applying)",
	}, {
		name: "the source failed: the own cluster says so",
		st: State{Verdict: VerdictFailed, Sources: []Source{{Kind: "GitRepository", Namespace: "flux-system", Name: "fleet", Phase: PhaseFailed, Message: "auth failed"}},
			Objects: []Object{obj("apps", "", PhaseBlocked, "")}},
		want:    []ClusterResult{{Name: "management", Result: VerdictFailed, Reason: "root cause: GitRepository flux-system/fleet: auth failed"}},
		summary: "applied in 0 of 1 clusters; not in management (failed: root cause: GitRepository flux-system/fleet: auth failed)",
	}} {
		t.Run(tc.name, func(t *testing.T) {
			got := ClustersOf("management", tc.st)
			if !reflect.DeepEqual(got, tc.want) {
				t.Errorf("ClustersOf:\n got %+v\nwant %+v", got, tc.want)
			}
			if s := FleetSummary(got); s != tc.summary {
				t.Errorf("FleetSummary:\n got %q\nwant %q", s, tc.summary)
			}
		})
	}
}
