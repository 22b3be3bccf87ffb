package deps

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/kubectl-gitops/kubectl-gitops/shared/flux"
	"github.com/kubectl-gitops/kubectl-gitops/shared/invocation"
	"github.com/kubectl-gitops/kubectl-gitops/shared/status"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// blockKind is the outcome of replaying Flux's check on one dependency.
type blockKind int

const (
	passes         blockKind = iota
	blockMissing             // check 1: the dependency does not exist
	blockNotReady            // check 3: no Ready=True at the current generation
	blockLag                 // check 4: shared source moved past lastAppliedRevision
	blockReadyExpr           // check 2: the readyExpr is false or fails
)

const unexplained = -2

type causeKey struct {
	kind CauseKind
	ref  int // entry index of the culprit, or the cycle index for CauseCycle
	// source is the failing source of a CauseSource.
	source SourceRef
}

// causeFinder walks blocked chains down to their root causes. Each entry's
// explanation is memoised, so every entry and every dependsOn edge is looked
// at a bounded number of times: linear overall.
type causeFinder struct {
	r        *Report
	comp     []int32
	cyclic   []bool
	memo     []int // cause index per entry, -1 for none, unexplained before
	keys     map[causeKey]int
	causes   []RootCause
	culprits []int // entry index of each cause's culprit
	path     []int // scratch
	// name says the suite's commands in next steps as the user typed them.
	name invocation.Name
}

// findRootCauses explains every live node that is not Ready. Offline nodes
// carry no status, so they are never explained and never block.
func (r *Report) findRootCauses(name invocation.Name, comp []int32, cyclic []bool) {
	f := &causeFinder{r: r, comp: comp, cyclic: cyclic, keys: map[causeKey]int{}, name: name}
	f.memo = make([]int, len(r.Entries))
	for i := range f.memo {
		f.memo[i] = unexplained
	}

	var blocked []int
	for s := range r.Entries {
		e := &r.Entries[s]
		if e.Missing || e.Offline || e.Ready.IsTrue() {
			continue
		}
		blocked = append(blocked, s)
		f.explain(s)
	}
	// A failing source whose consumers are still Ready on its last artifact: they
	// apply nothing newer from Git, which is what "nothing is moving" means.
	for s := range r.Entries {
		e := &r.Entries[s]
		if !e.Missing && !e.Offline && e.Kind == KindKustomization && e.SourceReady.IsFalse() && e.Ready.IsTrue() {
			f.source(s)
		}
	}
	if len(f.causes) == 0 {
		return
	}

	// Victims lists are cut to size: on a big broken fleet most nodes are
	// victims, and growing the lists by appending would copy them over and
	// over.
	count := make([]int, len(f.causes))
	for _, s := range blocked {
		if c := f.memo[s]; c >= 0 {
			r.Entries[s].Cause = c
		}
		if c := f.victimOf(s); c >= 0 {
			count[c]++
		}
	}
	for c := range f.causes {
		f.causes[c].Victims = make([]NodeID, 0, count[c])
	}
	for _, s := range blocked {
		if c := f.victimOf(s); c >= 0 {
			f.causes[c].Victims = append(f.causes[c].Victims, r.Entries[s].ID())
		}
	}
	f.publish()
}

// victimOf returns the cause blocked entry s is a victim of, or -1 when it
// has none or is part of its cause: the culprit itself, or a member of the
// culprit's cycle.
func (f *causeFinder) victimOf(s int) int {
	c := f.memo[s]
	if c >= 0 && f.causes[c].Kind == CauseSource {
		return c // the culprit is the source, not an entry
	}
	if c < 0 || f.culprits[c] == s {
		return -1
	}
	r := f.r
	if f.causes[c].Kind == CauseCycle && r.Entries[s].Cycle >= 0 &&
		r.Entries[s].Cycle == r.Entries[f.culprits[c]].Cycle {
		return -1
	}
	return c
}

// publish sorts causes by culprit and rewrites the entries' Cause indices.
func (f *causeFinder) publish() {
	order := make([]int, len(f.causes))
	for i := range order {
		order[i] = i
	}
	slices.SortFunc(order, func(a, b int) int {
		if c := compareIDs(f.causes[a].Node, f.causes[b].Node); c != 0 {
			return c
		}
		return strings.Compare(string(f.causes[a].Kind), string(f.causes[b].Kind))
	})
	newIndex := make([]int, len(order))
	f.r.RootCauses = make([]RootCause, len(order))
	for to, from := range order {
		newIndex[from] = to
		f.r.RootCauses[to] = f.causes[from]
	}
	for i := range f.r.Entries {
		if c := f.r.Entries[i].Cause; c >= 0 {
			f.r.Entries[i].Cause = newIndex[c]
		}
	}
}

// explain returns the cause index for entry s, which failed Flux's readiness
// check, following first failing dependencies downwards the way the
// controller does. Every entry passed on the way gets the same answer.
func (f *causeFinder) explain(s int) int {
	r := f.r
	f.path = f.path[:0]
	x := s
	result := -1
walk:
	for {
		if m := f.memo[x]; m != unexplained {
			result = m
			break
		}
		f.path = append(f.path, x)
		e := &r.Entries[x]
		if e.Suspended {
			// A suspended object never reconciles, whatever its own
			// dependencies do: resuming it is the first step.
			result = f.suspendedNotReady(x)
			break
		}
		if e.Kind == KindKustomization && e.SourceReady.IsFalse() {
			// kustomize-controller asks for the source's artifact before it looks
			// at dependencies: a source that cannot fetch stops it first.
			result = f.source(x)
			break
		}
		d, kind := f.firstFailing(x)
		switch kind {
		case passes:
			if d := r.deadlockOf[x]; d >= 0 {
				result = f.deadlock(d)
				break walk
			}
			result = f.own(x)
			break walk
		case blockMissing:
			result = f.missing(d)
			break walk
		case blockLag:
			result = f.lagging(d, x)
			break walk
		case blockReadyExpr:
			result = f.readyExpr(x, d)
			break walk
		case blockNotReady:
			if f.cyclic[f.comp[x]] && f.comp[d] == f.comp[x] {
				result = f.cycle(r.Entries[x].Cycle)
				break walk
			}
			x = d
		}
	}
	for _, p := range f.path {
		f.memo[p] = result
	}
	return result
}

// firstFailing replays the controller's dependency check for entry x in
// dependsOn order and returns the first dependency that fails it.
// Offline dependencies have no status to check and are taken as passing.
// readyExpr is not evaluated (no CEL here): the built-in check stands in.
func (f *causeFinder) firstFailing(x int) (int, blockKind) {
	r := f.r
	e := &r.Entries[x]
	// Dependencies keeps dependsOn order (repeats dropped), so the first
	// failure found here is the one the controller reports.
	for _, j := range e.Dependencies {
		d := &r.Entries[j]
		if d.Missing {
			return j, blockMissing
		}
		if c, ok := r.readyExprOf[[2]int{x, j}]; ok && r.ReadyExprs[c].Result != ExprNotEvaluated {
			if r.ReadyExprs[c].Result != ExprTrue {
				return j, blockReadyExpr
			}
			continue // with a readyExpr, the built-in checks are skipped
		}
		switch {
		case d.Offline:
			continue
		case !d.reconciled():
			return j, blockNotReady
		case sharesSource(e, d) && e.SourceRevision != "" && e.SourceRevision != d.LastAppliedRevision:
			return j, blockLag
		}
	}
	return -1, passes
}

// sharesSource reports whether Flux's revision check applies between a
// dependent and its dependency: Kustomizations built from the same source.
// helm-controller has no such check.
func sharesSource(dependent, dependency *Entry) bool {
	return dependent.Kind == KindKustomization && !dependent.SourceRef.IsZero() &&
		dependent.SourceRef == dependency.SourceRef
}

// get returns the cause for key, and whether it was just created and still
// needs its message.
func (f *causeFinder) get(key causeKey, culprit int) (int, bool) {
	if c, ok := f.keys[key]; ok {
		return c, false
	}
	c := len(f.causes)
	f.keys[key] = c
	f.causes = append(f.causes, RootCause{Kind: key.kind, Node: f.r.Entries[culprit].ID()})
	f.culprits = append(f.culprits, culprit)
	if key.kind != CauseSource {
		f.r.Entries[culprit].Cause = c // a source is no entry: its victims carry it
	}
	return c, true
}

func (f *causeFinder) suspendedNotReady(x int) int {
	c, fresh := f.get(causeKey{kind: CauseSuspended, ref: x}, x)
	if fresh {
		e := &f.r.Entries[x]
		rc := &f.causes[c]
		rc.Message = fmt.Sprintf("%s is suspended while not Ready (%s): it blocks its dependents until it is resumed",
			e.ID(), readySummary(e.Ready))
		rc.NextStep = f.resumeStep(e)
	}
	return c
}

func (f *causeFinder) lagging(d, dependent int) int {
	e := &f.r.Entries[d]
	kind := CauseRevisionLag
	if e.Suspended {
		kind = CauseSuspended
	}
	c, fresh := f.get(causeKey{kind: kind, ref: d}, d)
	if !fresh {
		return c
	}
	src := f.r.Entries[dependent].SourceRevision
	applied := e.LastAppliedRevision
	if applied == "" {
		applied = "nothing"
	}
	rc := &f.causes[c]
	if e.Suspended {
		rc.Message = fmt.Sprintf("%s is suspended and its source %s moved on: it applied %s, the source is at %s (Flux: revision is not up to date)",
			e.ID(), e.SourceRef, applied, src)
		rc.NextStep = f.resumeStep(e)
	} else {
		rc.Message = fmt.Sprintf("%s applied %s but its source %s is at %s (Flux: revision is not up to date)",
			e.ID(), applied, e.SourceRef, src)
		rc.NextStep = fmt.Sprintf("flux reconcile %s %s -n %s --with-source", e.Kind.lower(), e.Name, e.Namespace)
	}
	return c
}

// source explains Kustomization x, whose source is not Ready, by the source.
func (f *causeFinder) source(x int) int {
	e := &f.r.Entries[x]
	ref := e.SourceRef
	c, fresh := f.get(causeKey{kind: CauseSource, source: ref}, x)
	if fresh {
		rc := &f.causes[c]
		rc.Node = NodeID{Kind: Kind(ref.Kind), Namespace: ref.Namespace, Name: ref.Name}
		rc.Message = fmt.Sprintf("%s cannot fetch (%s): what is built from it applies nothing new", ref, readySummary(e.SourceReady))
		rc.NextStep = fmt.Sprintf("kubectl describe %s %s -n %s (then 'flux reconcile source %s %s -n %s')",
			strings.ToLower(ref.Kind), ref.Name, ref.Namespace, sourceCLI(ref.Kind), ref.Name, ref.Namespace)
	}
	return c
}

// sourceCLI is how the flux CLI names a source kind.
func sourceCLI(kind string) string {
	switch kind {
	case flux.KindGitRepository:
		return "git"
	case flux.KindOCIRepository:
		return "oci"
	case flux.KindBucket:
		return "bucket"
	case flux.KindHelmRepository:
		return "helm"
	}
	return strings.ToLower(kind)
}

func (f *causeFinder) missing(p int) int {
	c, fresh := f.get(causeKey{kind: CauseMissing, ref: p}, p)
	if !fresh {
		return c
	}
	r := f.r
	e := &r.Entries[p]
	var dependents []string
	for _, i := range e.Dependents {
		dependents = append(dependents, r.Entries[i].ID().String())
	}
	who := strings.Join(dependents, ", ")
	rc := &f.causes[c]
	rc.Message = fmt.Sprintf("%s does not exist; dependsOn of %s points at it", e.ID(), who)
	// One next step for every dependent: suggest none of them.
	isDependent := func(id NodeID) bool {
		j, ok := r.index[id]
		return ok && r.DependsOn(j, p)
	}
	var hint []string
	for _, s := range withoutIDs(r.suggested[e.ID()], isDependent) {
		hint = append(hint, s.String())
	}
	if len(hint) > 0 {
		rc.NextStep = fmt.Sprintf("fix the name in the dependsOn of %s (did you mean %s?)", who, strings.Join(hint, " or "))
	} else {
		rc.NextStep = fmt.Sprintf("create %s, or remove it from the dependsOn of %s", e.ID(), who)
	}
	return c
}

func (f *causeFinder) cycle(idx int) int {
	cy := &f.r.Cycles[idx]
	culprit := f.r.index[cy.Path[0]]
	c, fresh := f.get(causeKey{kind: CauseCycle, ref: idx}, culprit)
	if fresh {
		rc := &f.causes[c]
		rc.Message = fmt.Sprintf("%s cycle %s: its members wait for each other forever (Flux only shows DependencyNotReady)",
			cy.Kind, PathString(cy.Path))
		rc.NextStep = cy.Suggestion
	}
	return c
}

func (f *causeFinder) deadlock(idx int) int {
	d := &f.r.Deadlocks[idx]
	culprit := f.r.index[d.Steps[0].From]
	c, fresh := f.get(causeKey{kind: CauseDeadlock, ref: idx}, culprit)
	if fresh {
		rc := &f.causes[c]
		rc.Message = fmt.Sprintf("deadlock: %s; no controller sees it (Flux shows DependencyNotReady and health checks that time out)", d.PathWords())
		rc.NextStep = d.Suggestion
	}
	return c
}

func (f *causeFinder) readyExpr(x, d int) int {
	idx := f.r.readyExprOf[[2]int{x, d}]
	check := f.r.ReadyExprs[idx]
	c, fresh := f.get(causeKey{kind: CauseReadyExpr, ref: idx}, d)
	if fresh {
		rc := &f.causes[c]
		if check.Result == ExprError {
			rc.Message = fmt.Sprintf("the readyExpr of %s on %s fails: %s (Flux fails the dependency check on it)", check.Dependent, check.Dependency, check.Message)
		} else {
			rc.Message = fmt.Sprintf("the readyExpr of %s on %s is false: %s (Flux: not ready according to readyExpr eval)", check.Dependent, check.Dependency, check.Expr)
		}
		rc.NextStep = fmt.Sprintf("kubectl get %s %s -n %s -o yaml, and check the readyExpr in the dependsOn of %s",
			check.Dependency.Kind.lower(), check.Dependency.Name, check.Dependency.Namespace, check.Dependent)
	}
	return c
}

// own explains an entry none of whose dependencies fails the check.
func (f *causeFinder) own(x int) int {
	e := &f.r.Entries[x]
	kind := CauseNotReconciled
	if e.Ready.IsFalse() && !e.Ready.DependencyBlocked() {
		kind = CauseFailing
	}
	c, fresh := f.get(causeKey{kind: kind, ref: x}, x)
	if !fresh {
		return c
	}
	rc := &f.causes[c]
	if kind == CauseFailing {
		rc.Message = fmt.Sprintf("%s is failing: %s", e.ID(), readySummary(e.Ready))
		rc.NextStep = fmt.Sprintf("kubectl describe %s %s -n %s", e.Kind.lower(), e.Name, e.Namespace)
		return c
	}
	switch {
	case e.Ready.DependencyBlocked() && e.Ready.IsFalse():
		rc.Message = fmt.Sprintf("%s still reports DependencyNotReady but its dependencies pass now; it retries on its own (every 30s by default)", e.ID())
	case e.Ready.Status == "":
		rc.Message = fmt.Sprintf("%s has no Ready condition yet: the controller has not reconciled it", e.ID())
	case e.Ready.Status == metav1.ConditionUnknown:
		rc.Message = fmt.Sprintf("%s is still reconciling: %s", e.ID(), readySummary(e.Ready))
	default:
		rc.Message = fmt.Sprintf("%s has not reconciled generation %d yet (observed %d)", e.ID(), e.Generation, e.ObservedGeneration)
	}
	rc.NextStep = fmt.Sprintf("flux reconcile %s %s -n %s", e.Kind.lower(), e.Name, e.Namespace)
	return c
}

// resumeStep names the suite's resume, which waits until Flux reconciled the object and
// names a dependency that blocks it; the suspension's reason, when recorded, says who to
// ask first.
func (f *causeFinder) resumeStep(e *Entry) string {
	step := f.name.Command(fmt.Sprintf("rollback resume %s/%s -n %s --yes", e.Kind.lower(), e.Name, e.Namespace))
	if e.Suspension != nil {
		step += " (suspended: " + e.Suspension.String(time.Now()) + ")"
	}
	return step
}

// readySummary renders a Ready condition as "Ready=False (Reason): message".
func readySummary(c status.Condition) string {
	if c.Status == "" {
		return "no Ready condition"
	}
	s := "Ready=" + string(c.Status)
	if c.Reason != "" {
		s += " (" + c.Reason + ")"
	}
	if c.Message != "" {
		s += ": " + c.Message
	}
	return s
}
