package timeline

import (
	"fmt"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// attribute gives each step with a time the gap since the step it waited for, split
// into causes, and the timeline its total:
//
//   - fetched waited for the commit: the source's next poll (spec.interval);
//   - a Kustomization applying the object waited for the artifact, then for each
//     dependency that applied after it (dependency), then for the controller's next
//     look at it (dependency requeue, --requeue-dependency), or failed and waited to
//     retry (retries, spec.retryInterval), then its own apply with its health checks;
//   - the HelmRelease waited for the Kustomization that applied it;
//   - the object's rollout after the last apply.
//
// Time no setting explains is the controller's queue.
func (tl *Timeline) attribute(req Request) {
	var committed, fetched *Step
	var lastApply *Step
	var deps []*Step
	for i := range tl.Steps {
		s := &tl.Steps[i]
		switch {
		case s.What == Committed:
			committed = s
		case s.What == Fetched:
			fetched = s
			if committed != nil && s.At != nil {
				p := Part{Cause: CausePoll, Setting: fmt.Sprintf("%s spec.interval=%s", s.Object, s.settings.interval),
					Detail: "the source fetches on its interval; a webhook Receiver for it makes this seconds"}
				if s.settings.receiver != "" {
					p.Cause, p.Detail = CauseWebhook, "Receiver "+s.settings.receiver+" triggers it on a push; longer than seconds means the Git server's call did not come, and the poll fetched it"
				}
				s.Wait = gap(committed, s, p)
			}
		case s.What == Applied && fetched != nil && fetched.At != nil && s.At != nil && s.At.Before(fetched.At):
			// Its history's snapshot for the revision began before the revision was
			// fetched: the revision did not change its objects (Flux updates the
			// snapshot of the same objects with the new revision).
			s.What, s.At, s.From, s.Took = Unchanged, nil, "", nil
			s.Note = "applied it without a change to its objects (its history keeps when they last changed)"
			if lr := s.settings.lastReconciled; s.Dependency && !lr.Before(fetched.At.Time) && !lr.After(dependentAt(tl.Steps[i:])) {
				// A dependency still gates the one waiting on it: its last reconcile of
				// the revision is when it did (a later periodic one would show later, and
				// is then left out by the one waiting, which applied before it).
				s.At, s.From = &metav1.Time{Time: lr}, "status.history: lastReconciled (its objects unchanged)"
				deps = append(deps, s)
			}
		case s.What == Applied && s.Dependency:
			deps = append(deps, s)
			if fetched != nil && fetched.At != nil && s.At != nil && s.At.After(fetched.At.Time) {
				s.Wait = applyGap(fetched, s, nil, req)
			}
		case s.What == Applied:
			if s.At != nil {
				lastApply = s
				if fetched != nil && fetched.At != nil && s.At.After(fetched.At.Time) {
					s.Wait = applyGap(fetched, s, deps, req)
				}
			}
		case s.What == Installed:
			if s.At != nil && lastApply != nil && s.At.After(lastApply.At.Time) {
				s.Wait = gap(lastApply, s, Part{Cause: CauseApply, Detail: "helm-controller's install or upgrade, with its wait for the release's resources"})
			}
			if s.At != nil {
				lastApply = s
			}
		case s.What == Ready:
			switch {
			case lastApply == nil:
			case s.At.After(lastApply.At.Time):
				s.Wait = gap(lastApply, s, Part{Cause: CauseRollout, Detail: "the object's own rollout after the apply"})
			default:
				s.Note = "ready before the apply finished: the apply's health checks waited for it, or it did not change"
			}
		}
	}
	var first, last *metav1.Time
	for _, s := range tl.Steps {
		if s.At == nil {
			continue
		}
		if first == nil || s.At.Before(first) {
			first = s.At
		}
		if last == nil || last.Before(s.At) {
			last = s.At
		}
	}
	if first != nil {
		d := duration(last.Sub(first.Time))
		tl.Total = &d
	}
}

// gap is the whole time from since to s, given to one cause.
func gap(since, s *Step, p Part) *Gap {
	d := duration(s.At.Sub(since.At.Time))
	p.Duration = d
	return &Gap{Duration: d, Since: since.What + " " + since.Object.String(), Parts: []Part{p}}
}

// applyGap splits the time from the artifact to a Kustomization's apply: the
// dependencies that applied later, then retries or the dependency requeue, then the
// apply itself (Took, when the history gives it for this revision alone).
func applyGap(fetched, s *Step, deps []*Step, req Request) *Gap {
	total := s.At.Sub(fetched.At.Time)
	g := &Gap{Duration: duration(total), Since: fetched.What + " " + fetched.Object.String()}
	start := fetched.At.Time
	// The dependency that applied last after the artifact held it back until then.
	var lastDep *Step
	for _, d := range deps {
		// Flux's times are to the second: a dependency applying in the second of the
		// fetch still held this one back.
		if d.At != nil && !d.At.Before(&metav1.Time{Time: start}) && !d.At.After(s.At.Time) && (lastDep == nil || d.At.After(lastDep.At.Time)) {
			lastDep = d
		}
	}
	if lastDep != nil {
		g.Parts = append(g.Parts, Part{Cause: CauseDependency, Duration: duration(lastDep.At.Sub(start)),
			Setting: fmt.Sprintf("%s spec.dependsOn", s.Object), Detail: "waiting for " + lastDep.Object.String() + " to apply it"})
		start = lastDep.At.Time
	}
	took := time.Duration(0)
	if s.Took != nil {
		took = min(s.Took.Duration, s.At.Sub(start))
	}
	// A suspension that ended inside the wait held the revision back for its overlap.
	if l := s.settings.suspended; l != nil && l.At != nil {
		from, to := maxTime(start, *l.At), minTime(s.At.Time.Add(-took), l.Resumed)
		if to.After(from) {
			g.Parts = append(g.Parts, Part{Cause: CauseSuspended, Duration: duration(to.Sub(from)),
				Setting: fmt.Sprintf("%s spec.suspend", s.Object), Detail: "suspended" + suspensionText(&l.Suspension) + ", resumed" + by(l.ResumedBy)})
			start = to
		}
	}
	rest := s.At.Sub(start) - took
	failed := 0
	for _, f := range s.settings.failures {
		if f.After(fetched.At.Time) && !f.After(s.At.Time) {
			failed++
		}
	}
	switch {
	case rest < time.Second:
	case failed > 0:
		g.Parts = append(g.Parts, Part{Cause: CauseRetry, Duration: duration(rest),
			Setting: fmt.Sprintf("%s spec.retryInterval=%s", s.Object, s.settings.retry),
			Detail:  fmt.Sprintf("%d failure(s) reported before it applied", failed)})
	case lastDep != nil:
		g.Parts = append(g.Parts, Part{Cause: CauseRequeue, Duration: duration(rest),
			Setting: fmt.Sprintf("kustomize-controller --requeue-dependency=%s", req.RequeueDependency),
			Detail:  "the controller looks at a Kustomization waiting on a dependency again only after this interval"})
	default:
		g.Parts = append(g.Parts, Part{Cause: CauseQueue, Duration: duration(rest),
			Detail: "no setting explains it: the controller's work queue (--concurrent) or its start"})
	}
	if took > 0 {
		p := Part{Cause: CauseApply, Duration: duration(took), Detail: "the apply"}
		if s.settings.wait {
			p.Setting = fmt.Sprintf("%s spec.wait/healthChecks, spec.timeout=%s", s.Object, s.settings.timeout)
			p.Detail = "the apply and its health checks"
		}
		g.Parts = append(g.Parts, p)
	}
	return g
}

func maxTime(a, b time.Time) time.Time {
	if a.After(b) {
		return a
	}
	return b
}

func minTime(a, b time.Time) time.Time {
	if a.Before(b) {
		return a
	}
	return b
}

func by(user string) string {
	if user == "" {
		return ""
	}
	return " by " + user
}

// dependentAt is when the Kustomization the dependencies among steps gate applied: the
// first applied step that is no dependency; the zero time when none has a time.
func dependentAt(steps []Step) time.Time {
	for _, s := range steps {
		if s.What == Applied && !s.Dependency && s.At != nil {
			return s.At.Time
		}
	}
	return time.Time{}
}
