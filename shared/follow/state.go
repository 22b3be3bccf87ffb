package follow

import (
	"slices"
	"strings"
	"time"

	"github.com/kubectl-gitops/kubectl-gitops/shared/deps"
	"github.com/kubectl-gitops/kubectl-gitops/shared/flux"
	"github.com/kubectl-gitops/kubectl-gitops/shared/output"
	"github.com/kubectl-gitops/kubectl-gitops/shared/reconcile"
	"github.com/kubectl-gitops/kubectl-gitops/shared/revision"
	"github.com/kubectl-gitops/kubectl-gitops/shared/status"
)

// Phase is where one object stands with the followed revision.
type Phase string

// The phases of a source and of a consumer. Applied, Failed, Blocked and Suspended are
// final for this revision: Flux does nothing more with it on its own.
const (
	// PhaseFetching: a source has not fetched the revision yet.
	PhaseFetching Phase = "Fetching"
	// PhaseFetched: a source holds the revision.
	PhaseFetched Phase = "Fetched"
	// PhasePending: a consumer whose source has not fetched the revision yet.
	PhasePending Phase = "Pending"
	// PhaseApplying: a consumer Flux is applying the revision with.
	PhaseApplying Phase = "Applying"
	// PhaseWaiting: a consumer whose dependsOn have not applied the revision yet.
	PhaseWaiting Phase = "Waiting"
	PhaseApplied Phase = "Applied"
	PhaseFailed  Phase = "Failed"
	// PhaseBlocked: a consumer that will not apply the revision because a dependency
	// (or its source) failed or is suspended.
	PhaseBlocked   Phase = "Blocked"
	PhaseSuspended Phase = "Suspended"
)

// final reports whether Flux will do nothing more with the revision on its own.
func (p Phase) final() bool {
	return p == PhaseApplied || p == PhaseFailed || p == PhaseBlocked || p == PhaseSuspended
}

// broken reports whether p stops what depends on it for good.
func (p Phase) broken() bool { return p == PhaseFailed || p == PhaseSuspended }

// Source is one GitRepository that tracks the followed revision.
type Source struct {
	Kind      string `json:"kind"`
	Namespace string `json:"namespace"`
	Name      string `json:"name"`
	// URL is the repository's address, credentials removed.
	URL    string `json:"url"`
	Branch string `json:"branch"`
	// Commit is the full SHA followed through this source.
	Commit string `json:"commit"`
	// Revision is the artifact revision once fetched ("main@sha1:…").
	Revision string `json:"revision,omitempty"`
	Phase    Phase  `json:"phase"`
	Message  string `json:"message,omitempty"`
}

// Target names the source for reconcile.
func (s Source) Target() reconcile.Target {
	return reconcile.Target{Kind: s.Kind, Namespace: s.Namespace, Name: s.Name}
}

func (s Source) ref() deps.SourceRef {
	return deps.SourceRef{Kind: s.Kind, Namespace: s.Namespace, Name: s.Name}
}

// Object is one Kustomization, HelmChart or HelmRelease built from a followed source.
type Object struct {
	Kind      string `json:"kind"`
	Namespace string `json:"namespace"`
	Name      string `json:"name"`
	Phase     Phase  `json:"phase"`
	// Applied is the revision it applied last (a HelmChart: the source revision it
	// built from; a HelmRelease: the chart version).
	Applied string `json:"applied,omitempty"`
	// WaitsOn are the dependencies (Kind namespace/name) that have not applied the
	// revision yet, or that block it.
	WaitsOn []string `json:"waitsOn,omitempty"`
	Message string   `json:"message,omitempty"`
	// Cluster is the cluster it applies to through spec.kubeConfig (a context of the
	// user's kubeconfig pointing at the same server, else "Secret namespace/name");
	// absent for the cluster it is in.
	Cluster string `json:"cluster,omitempty"`
	// built is a HelmChart's chart revision, which its HelmReleases install.
	built string
}

// ID names the object as every command of the suite does.
func (o Object) ID() deps.NodeID {
	return deps.NodeID{Kind: deps.Kind(o.Kind), Namespace: o.Namespace, Name: o.Name}
}

// Consumer is an object built from a followed source, as source.Consumers lists it,
// with the status it read.
type Consumer struct {
	Kind, Namespace, Name string
	// Source is the followed source it reads (a HelmRelease: its chart's).
	Source deps.SourceRef
	// Chart is, for a HelmRelease, the HelmChart it installs from ("namespace/name").
	Chart  string
	Status status.Status
	// Cluster is where it applies when spec.kubeConfig names another cluster
	// (Options.Where's name); "" for its own.
	Cluster string
}

// Snapshot is one look at the cluster: what the waits reported so far and the live
// dependency graph, analysed by deps.
type Snapshot struct {
	Sources   []Source
	Consumers []Consumer
	Report    *deps.Report
	// Retried are the objects asked to reconcile once more after a first failure, and
	// when (the token of that request; zero when it could not be made).
	Retried map[reconcile.Target]time.Time
}

// Verdict is how the follow ends, once it does.
type Verdict string

// The verdicts.
const (
	VerdictRunning Verdict = ""
	VerdictApplied Verdict = "Applied"
	VerdictFailed  Verdict = "Failed"
	// VerdictTimedOut and VerdictInterrupted are set by Run when its context ends.
	VerdictTimedOut    Verdict = "TimedOut"
	VerdictInterrupted Verdict = "Interrupted"
	// VerdictUnreachable is a context that did not answer (ClusterResult only).
	VerdictUnreachable Verdict = "Unreachable"
)

// State is what Evaluate makes of a Snapshot.
type State struct {
	Sources []Source
	Objects []Object
	Verdict Verdict
	// RootCause is set with VerdictFailed: the object (or source) that failed first in
	// dependsOn order, as deps names it.
	RootCause *RootCause
	// Retry are the objects that failed once: the caller asks each to reconcile again
	// and records when in Snapshot.Retried.
	Retry []reconcile.Target
	// Nudge are the objects Flux still holds on a dependency although every followed
	// dependency applied the revision: left alone, the controller looks again only
	// after its --requeue-dependency interval (30s by default); the caller asks each
	// once to reconcile now.
	Nudge []reconcile.Target
}

// RootCause is why the revision will not be applied everywhere.
type RootCause struct {
	// Object is "Kind namespace/name".
	Object string `json:"object"`
	// Kind is deps' word for it: failing, suspended, source, …
	Kind     string `json:"kind"`
	Message  string `json:"message,omitempty"`
	NextStep string `json:"nextStep,omitempty"`
	// Blocked are the followed objects that wait on it.
	Blocked []string `json:"blocked,omitempty"`
}

// Evaluate decides where every followed object stands and whether the follow is over.
// It reads nothing: the same snapshot always gives the same state, which is what the
// unit tests pin.
func Evaluate(snap Snapshot) State {
	st := State{Sources: slices.Clone(snap.Sources)}
	commits := map[deps.SourceRef]Source{}
	for _, s := range st.Sources {
		commits[s.ref()] = s
	}
	phase := map[deps.NodeID]int{} // index into st.Objects
	charts := map[string]Object{}
	for _, c := range snap.Consumers {
		o := Object{Kind: c.Kind, Namespace: c.Namespace, Name: c.Name, Cluster: c.Cluster}
		src := commits[c.Source]
		o.Phase, o.Applied, o.Message = observe(snap, c, src, charts)
		if o.Phase == phaseFailedOnce {
			// A first failure is asked once more before it counts:
			// while a source moves, a controller can fail on an artifact replaced under
			// it, and its next attempt succeeds.
			st.Retry = append(st.Retry, reconcile.Target{Kind: c.Kind, Namespace: c.Namespace, Name: c.Name})
			o.Phase, o.Message = PhaseApplying, "failed, asked to try once more: "+o.Message
		}
		if c.Kind == flux.KindHelmChart {
			o.built = c.Status.ArtifactRevision
			charts[c.Namespace+"/"+c.Name] = o
		}
		if chart, ok := charts[c.Chart]; ok && c.Kind == flux.KindHelmRelease && (o.Phase == PhaseWaiting || o.Phase == PhaseBlocked) {
			o.WaitsOn = []string{chart.ID().String()}
		}
		phase[o.ID()] = len(st.Objects)
		st.Objects = append(st.Objects, o)
	}
	// What waits on what: a consumer not applied yet waits on each dependency that has
	// not; one whose dependency failed (or is suspended, or blocked) is blocked.
	blockedBy := map[int]int{} // object index -> index of the broken object at the bottom
	for i := range st.Objects {
		o := &st.Objects[i]
		if o.Phase.final() {
			continue
		}
		for _, d := range dependencies(snap.Report, o.ID()) {
			j, followed := phase[d]
			if !followed {
				continue
			}
			switch dep := st.Objects[j]; {
			case dep.Phase == PhaseApplied:
			case dep.Phase.broken():
				if _, ok := blockedBy[i]; !ok {
					blockedBy[i] = j
				}
				o.WaitsOn = append(o.WaitsOn, d.String())
			default:
				o.WaitsOn = append(o.WaitsOn, d.String())
			}
		}
		if len(o.WaitsOn) > 0 && o.Phase == PhaseApplying {
			o.Phase = PhaseWaiting
		}
		// Objects are in the consumers' order, one each.
		if c := snap.Consumers[i]; o.Phase == PhaseApplying && c.Status.Ready.DependencyBlocked() && followedDependency(snap.Report, o.ID(), phase) {
			st.Nudge = append(st.Nudge, reconcile.Target{Kind: c.Kind, Namespace: c.Namespace, Name: c.Name})
		}
	}
	for i, j := range blockedBy {
		st.Objects[i].Phase = PhaseBlocked
		st.Objects[i].Message = "will not apply: " + st.Objects[j].ID().String() + " " + strings.ToLower(string(st.Objects[j].Phase))
	}
	// Blocked spreads: what waits on a blocked object is blocked too.
	for changed := true; changed; {
		changed = false
		for i := range st.Objects {
			o := &st.Objects[i]
			if o.Phase.final() {
				continue
			}
			for _, d := range dependencies(snap.Report, o.ID()) {
				if j, ok := phase[d]; ok && st.Objects[j].Phase == PhaseBlocked {
					o.Phase, o.Message = PhaseBlocked, "will not apply: it depends on "+d.String()+", which is blocked"
					blockedBy[i] = blockedBy[j]
					changed = true
					break
				}
			}
		}
	}
	st.Verdict = verdict(st)
	if st.Verdict == VerdictFailed {
		st.RootCause = rootCause(snap.Report, st, blockedBy)
	}
	return st
}

// verdict is Applied once every source fetched and every consumer applied the
// revision, Failed once nothing is left moving but something did not, else running.
func verdict(st State) Verdict {
	for _, s := range st.Sources {
		if s.Phase == PhaseFetching {
			return VerdictRunning
		}
	}
	all := true
	for _, s := range st.Sources {
		if s.Phase != PhaseFetched {
			all = false
		}
	}
	for _, o := range st.Objects {
		if !o.Phase.final() {
			return VerdictRunning
		}
		if o.Phase != PhaseApplied {
			all = false
		}
	}
	if all {
		return VerdictApplied
	}
	return VerdictFailed
}

// observe is the phase of one consumer from its source and its status; charts are the HelmCharts observed before (Consumers lists them before the
// HelmReleases installing them).
func observe(snap Snapshot, c Consumer, src Source, charts map[string]Object) (Phase, string, string) {
	t := reconcile.Target{Kind: c.Kind, Namespace: c.Namespace, Name: c.Name}
	s := c.Status
	applied := s.LastAppliedRevision
	switch c.Kind {
	case flux.KindHelmChart:
		applied = s.ObservedSourceRevision
	case flux.KindHelmRelease:
		applied = s.LastAttemptedRevision
	}
	switch {
	case s.Suspended:
		return PhaseSuspended, applied, "suspended: Flux applies nothing until it is resumed"
	case src.Phase == PhaseFailed:
		return PhaseBlocked, applied, "will not apply: its source " + sourceName(src) + " did not fetch " + short(src.Commit)
	case src.Phase != PhaseFetched:
		return PhasePending, applied, "its source has not fetched " + short(src.Commit) + " yet"
	}
	switch c.Kind {
	case flux.KindKustomization:
		if isCommit(s.LastAppliedRevision, src.Commit) && s.ReadyAtGeneration() {
			return PhaseApplied, applied, ""
		}
		if isCommit(s.LastAttemptedRevision, src.Commit) && s.Failed() {
			return failed(snap, t, s), applied, s.Ready.Message
		}
	case flux.KindHelmChart:
		if s.ObservedSourceRevision == src.Revision && s.ReadyAtGeneration() {
			return PhaseApplied, applied, ""
		}
		if s.ObservedSourceRevision == src.Revision && s.Failed() {
			return failed(snap, t, s), applied, s.Ready.Message
		}
	case flux.KindHelmRelease:
		chart, ok := charts[c.Chart]
		switch {
		case !ok:
		case chart.Phase.broken() || chart.Phase == PhaseBlocked:
			return PhaseBlocked, applied, "will not apply: its HelmChart " + c.Chart + " did not build from " + short(src.Commit)
		case chart.Phase != PhaseApplied:
			return PhaseWaiting, applied, "its HelmChart " + c.Chart + " has not built from " + short(src.Commit) + " yet"
		case s.LastAttemptedRevision == chart.built && s.ReadyAtGeneration():
			return PhaseApplied, applied, ""
		case s.LastAttemptedRevision == chart.built && s.Failed():
			return failed(snap, t, s), applied, s.Ready.Message
		}
	}
	return PhaseApplying, applied, ""
}

// phaseFailedOnce is a failure not yet confirmed by a second attempt: shown as
// Applying, and asked once more (State.Retry).
const phaseFailedOnce Phase = "failedOnce"

// failed is Failed once the controller handled a reconcile request made after the
// failure was first seen (Snapshot.Retried) and still fails; until then, a first
// failure.
func failed(snap Snapshot, t reconcile.Target, s status.Status) Phase {
	asked, ok := snap.Retried[t]
	handled, err := time.Parse(time.RFC3339Nano, s.HandledToken)
	if ok && (asked.IsZero() || err == nil && !handled.Before(asked)) {
		// Handled since, or the request could not be made (zero): it counts.
		return PhaseFailed
	}
	if ok {
		return PhaseApplying // asked; not handled yet
	}
	return phaseFailedOnce
}

// rootCause names what the failed follow stops on: the broken object most others are
// blocked by (else the first), with deps' own explanation of it when deps has one.
func rootCause(r *deps.Report, st State, blockedBy map[int]int) *RootCause {
	for _, s := range st.Sources {
		if s.Phase == PhaseFailed {
			rc := &RootCause{Object: sourceName(s), Kind: string(deps.CauseSource), Message: s.Message}
			for _, o := range st.Objects {
				if o.Phase == PhaseBlocked {
					rc.Blocked = append(rc.Blocked, o.ID().String())
				}
			}
			return rc
		}
	}
	count := map[int]int{}
	for _, j := range blockedBy {
		count[j]++
	}
	culprit := -1
	for i, o := range st.Objects {
		if o.Phase.broken() && (culprit < 0 || count[i] > count[culprit]) {
			culprit = i
		}
	}
	if culprit < 0 {
		return nil
	}
	o := st.Objects[culprit]
	rc := &RootCause{Object: o.ID().String(), Kind: string(deps.CauseFailing), Message: o.Message}
	if o.Phase == PhaseSuspended {
		rc.Kind = string(deps.CauseSuspended)
	}
	if r != nil {
		for _, c := range r.RootCauses {
			if c.Node == o.ID() {
				rc.Kind, rc.NextStep = string(c.Kind), c.NextStep
				if c.Message != "" {
					rc.Message = c.Message
				}
				break
			}
		}
	}
	for i, j := range blockedBy {
		if j == culprit {
			rc.Blocked = append(rc.Blocked, st.Objects[i].ID().String())
		}
	}
	slices.Sort(rc.Blocked)
	return rc
}

// followedDependency reports whether id depends on an object followed (phase's keys).
func followedDependency(r *deps.Report, id deps.NodeID, phase map[deps.NodeID]int) bool {
	for _, d := range dependencies(r, id) {
		if _, ok := phase[d]; ok {
			return true
		}
	}
	return false
}

// dependencies are the dependsOn targets of id in the graph, in spec order.
func dependencies(r *deps.Report, id deps.NodeID) []deps.NodeID {
	e := entry(r, id)
	if e == nil {
		return nil
	}
	out := make([]deps.NodeID, 0, len(e.Dependencies))
	for _, j := range e.Dependencies {
		out = append(out, r.Entries[j].ID())
	}
	return out
}

func entry(r *deps.Report, id deps.NodeID) *deps.Entry {
	if r == nil {
		return nil
	}
	i, ok := r.Lookup(id)
	if !ok || r.Entries[i].Missing {
		return nil
	}
	return &r.Entries[i]
}

// isCommit reports whether a Flux revision names commit sha.
func isCommit(rev, sha string) bool {
	r, err := revision.Parse(rev)
	return err == nil && sha != "" && r.Commit() == sha
}

// short is a commit as humans read it.
func short(sha string) string {
	if len(sha) > 12 {
		return sha[:12]
	}
	return sha
}

func sourceName(s Source) string { return output.Name(s.Kind, s.Namespace, s.Name) }
