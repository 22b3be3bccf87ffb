package follow

import (
	"context"
	"reflect"
	"strings"
	"testing"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/kubectl-gitops/kubectl-gitops/shared/deps"
	"github.com/kubectl-gitops/kubectl-gitops/shared/reconcile"
	"github.com/kubectl-gitops/kubectl-gitops/shared/status"
)

const (
	oldSHA = "1111111111111111111111111111111111111111"
	newSHA = "2222222222222222222222222222222222222222"
	ns     = "flux-system"
)

var repo = deps.SourceRef{Kind: "GitRepository", Namespace: ns, Name: "flux-system"}

func rev(sha string) string { return "main@sha1:" + sha }

func src(phase Phase) Source {
	s := Source{Kind: "GitRepository", Namespace: ns, Name: "flux-system", Branch: "main", Commit: newSHA, Phase: phase}
	if phase == PhaseFetched {
		s.Revision = rev(newSHA)
	}
	if phase == PhaseFailed {
		s.Message = "fetching failed: authentication required"
	}
	return s
}

func ready() status.Condition {
	return status.Condition{Status: metav1.ConditionTrue, Reason: "ReconciliationSucceeded"}
}
func progressing() status.Condition {
	return status.Condition{Status: metav1.ConditionUnknown, Reason: "Progressing"}
}
func failing(msg string) status.Condition {
	return status.Condition{Status: metav1.ConditionFalse, Reason: "ReconciliationFailed", Message: msg}
}
func depBlocked() status.Condition {
	return status.Condition{Status: metav1.ConditionFalse, Reason: "DependencyNotReady", Message: "dependency 'flux-system/infrastructure' is not ready"}
}

// asked is when the tests' follow asked a failed object to try once more.
var asked = time.Date(2026, 12, 4, 10, 0, 0, 0, time.UTC)

// handled marks c as having handled a request at asked+d (before it when d < 0): the
// test snapshot then records the request as made at asked.
func handled(c Consumer, d time.Duration) Consumer {
	c.Status.HandledToken = asked.Add(d).Format(time.RFC3339Nano)
	return c
}

// retried is the Snapshot.Retried of consumers: asked for every one that handled a
// request (see handled).
func retried(cs []Consumer) map[reconcile.Target]time.Time {
	out := map[reconcile.Target]time.Time{}
	for _, c := range cs {
		if c.Status.HandledToken != "" {
			out[reconcile.Target{Kind: c.Kind, Namespace: c.Namespace, Name: c.Name}] = asked
		}
	}
	return out
}

// ks is a Kustomization consumer: what it applied, attempted, and its Ready.
func ks(name, applied, attempted string, c status.Condition) Consumer {
	return Consumer{Kind: "Kustomization", Namespace: ns, Name: name, Source: repo,
		Status: status.Status{Ready: c, Generation: 1, ObservedGeneration: 1, LastAppliedRevision: rev(applied), LastAttemptedRevision: rev(attempted)}}
}

// graph is the demo fleet's dependsOn: apps on infrastructure.
func graph(t *testing.T, cs []Consumer) *deps.Report {
	t.Helper()
	var nodes []deps.Node
	for _, c := range cs {
		n := deps.Node{Kind: deps.Kind(c.Kind), Namespace: c.Namespace, Name: c.Name, Ready: c.Status.Ready,
			Generation: c.Status.Generation, ObservedGeneration: c.Status.ObservedGeneration, Suspended: c.Status.Suspended,
			LastAppliedRevision: c.Status.LastAppliedRevision}
		if c.Kind == "Kustomization" {
			n.SourceRef = repo
			n.SourceRevision = rev(newSHA)
		}
		if c.Name == "apps" {
			n.DependsOn = []deps.DependencyRef{{Name: "infrastructure", Namespace: ns}}
		}
		if c.Kind == "HelmChart" {
			continue // not in the dependsOn graph
		}
		nodes = append(nodes, n)
	}
	return deps.Analyze(context.Background(), nodes)
}

type want struct {
	phases  map[string]Phase
	waits   map[string][]string
	verdict Verdict
	cause   string
	blocked []string
	// retry are the names Evaluate asks to be reconciled once more.
	retry []string
	// nudge are the names Evaluate asks to be reconciled now that their dependencies applied.
	nudge []string
}

func TestEvaluate(t *testing.T) {
	for _, tc := range []struct {
		name      string
		source    Source
		consumers []Consumer
		want      want
	}{{
		name:   "the source has not fetched yet: everything pending",
		source: src(PhaseFetching),
		consumers: []Consumer{
			ks("apps", oldSHA, oldSHA, ready()), ks("infrastructure", oldSHA, oldSHA, ready()),
		},
		want: want{phases: map[string]Phase{"apps": PhasePending, "infrastructure": PhasePending},
			waits: map[string][]string{"apps": {"Kustomization flux-system/infrastructure"}}},
	}, {
		name:   "infrastructure applying: apps waits on it",
		source: src(PhaseFetched),
		consumers: []Consumer{
			ks("apps", oldSHA, oldSHA, ready()), ks("infrastructure", oldSHA, newSHA, progressing()),
		},
		want: want{phases: map[string]Phase{"apps": PhaseWaiting, "infrastructure": PhaseApplying},
			waits: map[string][]string{"apps": {"Kustomization flux-system/infrastructure"}}},
	}, {
		name:   "infrastructure applied: apps applying, waits on nothing",
		source: src(PhaseFetched),
		consumers: []Consumer{
			ks("apps", oldSHA, oldSHA, ready()), ks("infrastructure", newSHA, newSHA, ready()),
		},
		want: want{phases: map[string]Phase{"apps": PhaseApplying, "infrastructure": PhaseApplied}},
	}, {
		name:   "infrastructure applying, apps held on it by Flux: waits, not nudged yet",
		source: src(PhaseFetched),
		consumers: []Consumer{
			ks("apps", oldSHA, oldSHA, depBlocked()), ks("infrastructure", oldSHA, newSHA, progressing()),
		},
		want: want{phases: map[string]Phase{"apps": PhaseWaiting, "infrastructure": PhaseApplying},
			waits: map[string][]string{"apps": {"Kustomization flux-system/infrastructure"}}},
	}, {
		name:   "infrastructure applied, Flux still holds apps on it: apps nudged",
		source: src(PhaseFetched),
		consumers: []Consumer{
			ks("apps", oldSHA, oldSHA, depBlocked()), ks("infrastructure", newSHA, newSHA, ready()),
		},
		want: want{phases: map[string]Phase{"apps": PhaseApplying, "infrastructure": PhaseApplied}, nudge: []string{"apps"}},
	}, {
		name:   "everything applied",
		source: src(PhaseFetched),
		consumers: []Consumer{
			ks("apps", newSHA, newSHA, ready()), ks("infrastructure", newSHA, newSHA, ready()),
		},
		want: want{phases: map[string]Phase{"apps": PhaseApplied, "infrastructure": PhaseApplied}, verdict: VerdictApplied},
	}, {
		name:   "infrastructure failed on the revision: apps blocked, infrastructure the root cause",
		source: src(PhaseFetched),
		consumers: []Consumer{
			ks("apps", oldSHA, oldSHA, depBlocked()), handled(ks("infrastructure", oldSHA, newSHA, failing(`namespaces "nope" not found`)), time.Second),
		},
		want: want{phases: map[string]Phase{"apps": PhaseBlocked, "infrastructure": PhaseFailed}, verdict: VerdictFailed,
			waits: map[string][]string{"apps": {"Kustomization flux-system/infrastructure"}},
			cause: "Kustomization flux-system/infrastructure", blocked: []string{"Kustomization flux-system/apps"}},
	}, {
		name:   "apps still Ready on the old commit when infrastructure fails: blocked all the same",
		source: src(PhaseFetched),
		consumers: []Consumer{
			ks("apps", oldSHA, oldSHA, ready()), handled(ks("infrastructure", oldSHA, newSHA, failing("boom")), time.Second),
		},
		want: want{phases: map[string]Phase{"apps": PhaseBlocked, "infrastructure": PhaseFailed}, verdict: VerdictFailed,
			waits: map[string][]string{"apps": {"Kustomization flux-system/infrastructure"}},
			cause: "Kustomization flux-system/infrastructure", blocked: []string{"Kustomization flux-system/apps"}},
	}, {
		name:   "a first failure is asked once more before it counts",
		source: src(PhaseFetched),
		consumers: []Consumer{
			ks("apps", oldSHA, oldSHA, depBlocked()), ks("infrastructure", oldSHA, newSHA, failing("artifact replaced")),
		},
		want: want{phases: map[string]Phase{"apps": PhaseWaiting, "infrastructure": PhaseApplying},
			waits: map[string][]string{"apps": {"Kustomization flux-system/infrastructure"}}, retry: []string{"infrastructure"}},
	}, {
		name:   "asked once more, not handled yet: still applying, not asked again",
		source: src(PhaseFetched),
		consumers: []Consumer{
			ks("apps", oldSHA, oldSHA, depBlocked()), handled(ks("infrastructure", oldSHA, newSHA, failing("artifact replaced")), -time.Second),
		},
		want: want{phases: map[string]Phase{"apps": PhaseWaiting, "infrastructure": PhaseApplying},
			waits: map[string][]string{"apps": {"Kustomization flux-system/infrastructure"}}},
	}, {
		name:   "a failure of an earlier revision is not this one's",
		source: src(PhaseFetched),
		consumers: []Consumer{
			ks("apps", oldSHA, oldSHA, depBlocked()), ks("infrastructure", oldSHA, oldSHA, failing("old failure")),
		},
		want: want{phases: map[string]Phase{"apps": PhaseWaiting, "infrastructure": PhaseApplying},
			waits: map[string][]string{"apps": {"Kustomization flux-system/infrastructure"}}},
	}, {
		name:   "the source failed to fetch: everything blocked by it",
		source: src(PhaseFailed),
		consumers: []Consumer{
			ks("apps", oldSHA, oldSHA, ready()), ks("infrastructure", oldSHA, oldSHA, ready()),
		},
		want: want{phases: map[string]Phase{"apps": PhaseBlocked, "infrastructure": PhaseBlocked}, verdict: VerdictFailed,
			cause:   "GitRepository flux-system/flux-system",
			blocked: []string{"Kustomization flux-system/apps", "Kustomization flux-system/infrastructure"}},
	}, {
		name:   "a suspended dependency blocks for good",
		source: src(PhaseFetched),
		consumers: func() []Consumer {
			infra := ks("infrastructure", oldSHA, oldSHA, ready())
			infra.Status.Suspended = true
			return []Consumer{ks("apps", oldSHA, oldSHA, ready()), infra}
		}(),
		want: want{phases: map[string]Phase{"apps": PhaseBlocked, "infrastructure": PhaseSuspended}, verdict: VerdictFailed,
			waits: map[string][]string{"apps": {"Kustomization flux-system/infrastructure"}},
			cause: "Kustomization flux-system/infrastructure", blocked: []string{"Kustomization flux-system/apps"}},
	}, {
		name:   "a HelmRelease installs what its HelmChart built from the revision",
		source: src(PhaseFetched),
		consumers: []Consumer{
			ks("infrastructure", newSHA, newSHA, ready()),
			{Kind: "HelmChart", Namespace: ns, Name: "shop-web", Source: repo, Status: status.Status{Ready: ready(), Generation: 1, ObservedGeneration: 1,
				ObservedSourceRevision: rev(newSHA), ArtifactRevision: "0.1.0"}},
			{Kind: "HelmRelease", Namespace: "shop", Name: "web", Source: repo, Chart: ns + "/shop-web", Status: status.Status{Ready: ready(), Generation: 1, ObservedGeneration: 1,
				LastAttemptedRevision: "0.1.0"}},
		},
		want: want{phases: map[string]Phase{"infrastructure": PhaseApplied, "shop-web": PhaseApplied, "web": PhaseApplied}, verdict: VerdictApplied},
	}, {
		name:   "a HelmRelease waits while its HelmChart has not built from the revision",
		source: src(PhaseFetched),
		consumers: []Consumer{
			{Kind: "HelmChart", Namespace: ns, Name: "shop-web", Source: repo, Status: status.Status{Ready: ready(), Generation: 1, ObservedGeneration: 1,
				ObservedSourceRevision: rev(oldSHA), ArtifactRevision: "0.1.0"}},
			{Kind: "HelmRelease", Namespace: "shop", Name: "web", Source: repo, Chart: ns + "/shop-web", Status: status.Status{Ready: ready(), Generation: 1, ObservedGeneration: 1,
				LastAttemptedRevision: "0.1.0"}},
		},
		want: want{phases: map[string]Phase{"shop-web": PhaseApplying, "web": PhaseWaiting},
			waits: map[string][]string{"web": {"HelmChart flux-system/shop-web"}}},
	}} {
		t.Run(tc.name, func(t *testing.T) {
			st := Evaluate(Snapshot{Sources: []Source{tc.source}, Consumers: tc.consumers, Report: graph(t, tc.consumers), Retried: retried(tc.consumers)})
			var retry []string
			for _, r := range st.Retry {
				retry = append(retry, r.Name)
			}
			if !reflect.DeepEqual(retry, tc.want.retry) {
				t.Errorf("asked to retry %v, want %v", retry, tc.want.retry)
			}
			var nudge []string
			for _, r := range st.Nudge {
				nudge = append(nudge, r.Name)
			}
			if !reflect.DeepEqual(nudge, tc.want.nudge) {
				t.Errorf("nudged %v, want %v", nudge, tc.want.nudge)
			}
			phases, waits := map[string]Phase{}, map[string][]string{}
			for _, o := range st.Objects {
				phases[o.Name] = o.Phase
				if len(o.WaitsOn) > 0 {
					waits[o.Name] = o.WaitsOn
				}
			}
			if !reflect.DeepEqual(phases, tc.want.phases) {
				t.Errorf("phases %v, want %v", phases, tc.want.phases)
			}
			if tc.want.waits == nil {
				tc.want.waits = map[string][]string{}
			}
			if !reflect.DeepEqual(waits, tc.want.waits) {
				t.Errorf("waits %v, want %v", waits, tc.want.waits)
			}
			if st.Verdict != tc.want.verdict {
				t.Errorf("verdict %q, want %q", st.Verdict, tc.want.verdict)
			}
			switch {
			case tc.want.cause == "" && st.RootCause != nil:
				t.Errorf("root cause %+v, want none", st.RootCause)
			case tc.want.cause != "" && st.RootCause == nil:
				t.Errorf("no root cause, want %s", tc.want.cause)
			case tc.want.cause != "":
				if st.RootCause.Object != tc.want.cause || !reflect.DeepEqual(st.RootCause.Blocked, tc.want.blocked) {
					t.Errorf("root cause %+v, want %s blocking %v", st.RootCause, tc.want.cause, tc.want.blocked)
				}
			}
		})
	}
}

// The error of a failed follow names the root cause, as deps does, and what it blocks.
func TestFailure(t *testing.T) {
	cs := []Consumer{ks("apps", oldSHA, oldSHA, depBlocked()), handled(ks("infrastructure", oldSHA, newSHA, failing(`namespaces "nope" not found`)), time.Second)}
	st := Evaluate(Snapshot{Sources: []Source{src(PhaseFetched)}, Consumers: cs, Report: graph(t, cs), Retried: retried(cs)})
	err := Failure(context.Background(), st)
	for _, w := range []string{"root cause: Kustomization flux-system/infrastructure is failing: Ready=False (ReconciliationFailed)", `namespaces "nope" not found`, "blocked by it: Kustomization flux-system/apps"} {
		if err == nil || !strings.Contains(err.Error(), w) {
			t.Errorf("error %v, want it to say %q", err, w)
		}
	}
}
