package reconcile

import (
	"context"
	"time"

	"k8s.io/client-go/dynamic"

	"github.com/kubectl-gitops/kubectl-gitops/shared/cluster"
	"github.com/kubectl-gitops/kubectl-gitops/shared/exitcode"
	"github.com/kubectl-gitops/kubectl-gitops/shared/flux"
	"github.com/kubectl-gitops/kubectl-gitops/shared/source"
	"github.com/kubectl-gitops/kubectl-gitops/shared/write"
)

// Outcome is what one consumer of a source did with the source's new revision.
type Outcome struct {
	Kind      string `json:"kind"`
	Namespace string `json:"namespace"`
	Name      string `json:"name"`
	// Applied is what it applied (a HelmChart: the source revision it built from; a
	// HelmRelease: the chart version it installed).
	Applied string `json:"applied,omitempty"`
	// Status is Applied, Failed, Suspended, Waiting (timed out), Interrupted (the
	// command was stopped), Planned (a dry run) or NotWaited (--wait=false).
	Status  string `json:"status"`
	Message string `json:"message,omitempty"`
}

// Follower waits for a source's consumers to take up its new revision.
type Follower struct {
	Interval time.Duration
	// Hooks are the writer's: its progress lines and its clock.
	write.Hooks
}

// Propagate asks every consumer of the GitRepository repo to reconcile and waits until
// each has applied revision, in Flux's order: Kustomizations, then the HelmCharts built
// from the source, then the HelmReleases installing those charts. A consumer that
// fails or times out does not stop the others; the first failure is returned beside
// every outcome.
func (f Follower) Propagate(ctx context.Context, dyn dynamic.Interface, repo Target, revision string) ([]Outcome, error) {
	consumers, err := source.Consumers(ctx, dyn, repo.Namespace, repo.Name, revision)
	if err != nil {
		return nil, err
	}
	// Every consumer is asked first, so that Flux works on them all at once, as it does
	// on its own when a source moves; they are then waited for in order.
	tokens := map[Target]string{}
	for _, c := range consumers {
		if t := (Target{Kind: c.Kind, Namespace: c.Namespace, Name: c.Name}); !c.Suspended {
			if token, err := Request(ctx, dyn, t, f.Clock()); err == nil {
				tokens[t] = token
			}
		}
	}
	var out []Outcome
	var failed error
	charts := map[string]string{} // HelmChart "ns/name" -> the chart revision it built
	for _, c := range consumers {
		o := Outcome{Kind: c.Kind, Namespace: c.Namespace, Name: c.Name}
		if failed != nil && cluster.IsInterrupted(failed) {
			// Stopped by the user: the rest is not waited for, and says so once each.
			o.Status, o.Message = StatusInterrupted, "not waited for: the command was interrupted"
			out = append(out, o)
			continue
		}
		if c.Suspended {
			o.Status, o.Message = "Suspended", "suspended: it applies nothing until it is resumed"
			out = append(out, o)
			continue
		}
		t := Target{Kind: c.Kind, Namespace: c.Namespace, Name: c.Name}
		var done func(token string) Done
		switch c.Kind {
		case flux.KindKustomization:
			done = func(token string) Done { return appliedRevision(token, revision) }
		case flux.KindHelmChart:
			done = func(token string) Done { return builtFrom(token, revision) }
		case flux.KindHelmRelease:
			built, ok := charts[c.Chart]
			if !ok {
				o.Status, o.Message = StatusWaiting, "its HelmChart "+c.Chart+" did not build the new revision"
				out = append(out, o)
				continue
			}
			done = func(token string) Done { return installed(token, built) }
		}
		f.Say("waiting for %s to apply %s", t, revision)
		s, err := f.follow(ctx, dyn, t, done, tokens[t])
		switch c.Kind {
		case flux.KindKustomization:
			o.Applied = s.LastAppliedRevision
		case flux.KindHelmChart:
			o.Applied = s.ObservedSourceRevision
			if err == nil {
				charts[c.Namespace+"/"+c.Name] = s.ArtifactRevision
			}
		case flux.KindHelmRelease:
			o.Applied = s.LastAttemptedRevision
		}
		o.Status, o.Message = outcomeOf(err)
		out = append(out, o)
		if err != nil && failed == nil {
			failed = err
		}
		if err != nil && cluster.IsUnreachable(err) {
			// Every further consumer would wait for the same lost server.
			return out, err
		}
	}
	return out, failed
}

// Kustomization asks one Kustomization to reconcile and waits until it applied
// revision, or failed (with Flux's message), or ctx ended.
func (f Follower) Kustomization(ctx context.Context, dyn dynamic.Interface, t Target, revision string) (Outcome, error) {
	f.Say("waiting for %s to apply %s", t, revision)
	s, err := f.follow(ctx, dyn, t, func(token string) Done { return appliedRevision(token, revision) }, "")
	o := Outcome{Kind: t.Kind, Namespace: t.Namespace, Name: t.Name, Applied: s.LastAppliedRevision}
	o.Status, o.Message = outcomeOf(err)
	return o, err
}

// The statuses of an Outcome that waited.
const (
	StatusApplied     = "Applied"
	StatusFailed      = "Failed"
	StatusWaiting     = "Waiting"
	StatusInterrupted = "Interrupted"
)

// outcomeOf is the status and message of a consumer whose wait ended with err: one
// word for each way a wait ends, so that an interrupted command never reads as a
// timeout or a failure of Flux.
func outcomeOf(err error) (string, string) {
	switch {
	case err == nil:
		return StatusApplied, ""
	case cluster.IsInterrupted(err):
		return StatusInterrupted, err.Error()
	case exitcode.Of(err) == exitcode.Timeout:
		return StatusWaiting, err.Error()
	}
	return StatusFailed, err.Error()
}

// follow requests a reconcile of t (unless asked holds the token of a request already
// made) and waits for done. A failed apply is asked once
// more before it counts: while a source moves, a controller can fail on an artifact
// replaced under it, and its next attempt succeeds.
func (f Follower) follow(ctx context.Context, dyn dynamic.Interface, t Target, done func(token string) Done, asked string) (Status, error) {
	var s Status
	var err error
	for attempt := 0; attempt < 2; attempt++ {
		token := asked
		if attempt > 0 || token == "" {
			if token, err = Request(ctx, dyn, t, f.Clock()); err != nil {
				return s, err
			}
		}
		s, err = Wait(ctx, dyn, t, f.Interval, done(token), func(s Status) { f.Say("%s: %s", t, s) })
		if exitcode.Of(err) != exitcode.Failure || cluster.IsInterrupted(err) {
			break
		}
	}
	return s, err
}

// appliedRevision is done when the Kustomization applied exactly the source's revision
// (Flux compares the strings too) and is Ready at its generation: Flux's own status
// proves it, whether or not the round the request asked for has come yet (waiting for
// that round costs seconds after Flux already finished). A failure ends the wait with
// Flux's message only once the request was handled, so an old failure never counts.
func appliedRevision(token, rev string) Done {
	return func(s Status) (bool, error) {
		if s.LastAppliedRevision == rev && s.ReadyAtGeneration() {
			return true, nil
		}
		if s.HandledToken != token {
			return false, nil
		}
		if s.Ready.IsFalse() && !s.Ready.DependencyBlocked() && s.LastAttemptedRevision == rev {
			return false, exitcode.New(exitcode.Failure, "applying %s failed: %s", rev, s.Ready.Message)
		}
		return false, nil
	}
}

// builtFrom is done when the HelmChart built its chart from the source's revision
// and is Ready (as appliedRevision, without waiting for the requested round).
func builtFrom(token, rev string) Done {
	return func(s Status) (bool, error) {
		if s.ObservedSourceRevision == rev && s.ReadyAtGeneration() {
			return true, nil
		}
		if s.HandledToken != token {
			return false, nil
		}
		if s.Failed() {
			return false, exitcode.New(exitcode.Failure, "building the chart from %s failed: %s", rev, s.Ready.Message)
		}
		return false, nil
	}
}

// installed is done when the HelmRelease is Ready with the chart revision its
// HelmChart built (as appliedRevision, without waiting for the requested round).
func installed(token, chart string) Done {
	return func(s Status) (bool, error) {
		if s.LastAttemptedRevision == chart && s.ReadyAtGeneration() {
			return true, nil
		}
		if s.HandledToken != token {
			return false, nil
		}
		if s.Failed() && s.LastAttemptedRevision == chart {
			return false, exitcode.New(exitcode.Failure, "installing chart %s failed: %s", chart, s.Ready.Message)
		}
		return false, nil
	}
}
