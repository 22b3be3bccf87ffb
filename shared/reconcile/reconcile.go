// Package reconcile asks Flux to reconcile an object and waits until Flux has really
// done so, the way the rollback and branch commands must before they exit 0.
//
// Flux's own semantics decide what "done" means: the controller echoes the request's
// token in status.lastHandledReconcileAt, and only a Ready=True condition at the
// current generation says the result was applied. kustomize-controller leaves
// observedGeneration behind while a dependency blocks it, so a wait that only checks
// generations hangs; Wait reports the blocking dependency instead.
package reconcile

import (
	"context"
	"errors"
	"fmt"
	"net"
	"time"

	"k8s.io/client-go/dynamic"

	"github.com/kubectl-gitops/kubectl-gitops/shared/cluster"
	"github.com/kubectl-gitops/kubectl-gitops/shared/exitcode"
	"github.com/kubectl-gitops/kubectl-gitops/shared/flux"
	"github.com/kubectl-gitops/kubectl-gitops/shared/invocation"
	"github.com/kubectl-gitops/kubectl-gitops/shared/revision"
	"github.com/kubectl-gitops/kubectl-gitops/shared/status"
)

// Target names a Flux object.
type Target struct{ Kind, Namespace, Name string }

func (t Target) String() string { return t.Kind + " " + t.Namespace + "/" + t.Name }

// Status is what one poll saw, for progress output and timeout messages.
type Status = status.Status

// Request sets Flux's reconcile annotation to a fresh token and returns it. It is a
// merge patch of one annotation through flux.Patch (cluster.FieldManager), so it cannot
// overwrite anyone's concurrent change. A suspended object ignores requests: that is an
// error here, not a silent wait.
func Request(ctx context.Context, dyn dynamic.Interface, t Target, now time.Time) (string, error) {
	u, err := flux.Get(ctx, dyn, t.Kind, t.Namespace, t.Name)
	if err != nil {
		if ctx.Err() != nil {
			return "", cut(ctx, t)
		}
		if cluster.IsUnreachable(err) {
			// Requests follow a write: the server going away now is not a kubeconfig
			// to check.
			return "", Lost(t, err)
		}
		return "", err
	}
	if status.Of(u).Suspended {
		return "", exitcode.New(exitcode.Failure, "%s is suspended: Flux ignores reconcile requests until it is resumed", t)
	}
	token := now.UTC().Format(time.RFC3339Nano)
	patch := map[string]any{"metadata": map[string]any{"annotations": map[string]any{flux.ReconcileAnnotation: token}}}
	if err := flux.Patch(ctx, dyn, t.Kind, t.Namespace, t.Name, "", patch, false); err != nil {
		if ctx.Err() != nil {
			return "", cut(ctx, t)
		}
		if cluster.IsUnreachable(err) {
			return "", Lost(t, err)
		}
		return "", err
	}
	return token, nil
}

// Done decides from a Status whether the wait is over; an error ends it early (a
// failure Flux reported for the awaited generation).
type Done func(Status) (bool, error)

// ReadyAt waits for Ready=True at the current generation and, when token is set, for
// the controller to have handled that reconcile request.
func ReadyAt(token string) Done {
	return func(s Status) (bool, error) {
		if token != "" && s.HandledToken != token {
			return false, nil
		}
		return s.ReadyAtGeneration(), nil
	}
}

// Applied waits until a Kustomization reports commit sha as applied and is Ready.
func Applied(sha string) Done {
	return func(s Status) (bool, error) {
		return isCommit(s.LastAppliedRevision, sha) && s.ReadyAtGeneration(), nil
	}
}

// Fetched waits until a source's artifact is at commit sha.
func Fetched(sha string) Done {
	return func(s Status) (bool, error) { return isCommit(s.ArtifactRevision, sha), nil }
}

// isCommit reports whether a Flux revision names commit sha, in any spelling Flux has
// written (main@sha1:…, sha1:…, the legacy main/…).
func isCommit(rev, sha string) bool {
	r, err := revision.Parse(rev)
	return err == nil && r.Commit() != "" && r.Commit() == sha
}

// cut is the error of a request the command's own deadline (exit 6) or Ctrl-C (exit 1)
// cut short: client-go says "context deadline exceeded" then, which is not the server
// gone.
func cut(ctx context.Context, t Target) error {
	if errors.Is(ctx.Err(), context.DeadlineExceeded) {
		return exitcode.New(exitcode.Timeout, "timed out asking %s to reconcile", t)
	}
	return exitcode.Wrap(exitcode.Failure, &cluster.InterruptedError{While: fmt.Sprintf("asking %s to reconcile", t)})
}

// Lost is the error of a wait whose API server stopped answering: said as such, with
// the network's own words, not as a wait on Flux that failed or a kubeconfig to check.
func Lost(t Target, err error) error {
	var op *net.OpError
	if errors.As(err, &op) {
		err = op
	}
	return exitcode.Wrap(exitcode.Failure, fmt.Errorf("lost the Kubernetes API server while waiting for %s: %w", t, err))
}

// PollInterval is how often a wait reads Flux's status: Flux updates it once per
// reconcile step, and a quarter second keeps the wait's own delay well under a second
// while costing a few GETs of one object.
const PollInterval = 250 * time.Millisecond

// lostGrace is how long Wait polls a server that does not answer before it says the
// server is gone: longer than an API server restart, far shorter than a wait.
const lostGrace = 10 * time.Second

// Wait polls t every interval until done says so, ctx ends (exit code Timeout, with
// the last status seen) or done returns an error. progress, when set, gets every
// status that differs from the previous one.
func Wait(ctx context.Context, dyn dynamic.Interface, t Target, interval time.Duration, done Done, progress func(Status)) (Status, error) {
	var last Status
	var lostSince time.Time
	for {
		u, err := flux.Get(ctx, dyn, t.Kind, t.Namespace, t.Name)
		if err != nil && ctx.Err() != nil && lostSince.IsZero() {
			// The command's own deadline or Ctrl-C cut this request short: client-go
			// says "context deadline exceeded", which is not the server gone.
			return last, Ended(ctx, t, last)
		}
		if err == nil || !cluster.IsUnreachable(err) {
			lostSince = time.Time{}
		} else if lostSince.IsZero() {
			lostSince = time.Now()
		}
		switch {
		case !lostSince.IsZero() && (time.Since(lostSince) >= lostGrace || ctx.Err() != nil):
			// A blip is waited out; a server gone for longer is said as such, not
			// as a wait on Flux that timed out.
			return last, Lost(t, err)
		case err == nil:
			s := status.Of(u)
			if progress != nil && s != last {
				progress(s)
			}
			last = s
			finished, err := done(s)
			if err != nil || finished {
				return s, err
			}
		case ctx.Err() == nil && !cluster.IsUnreachable(err):
			// Not found, forbidden, Flux gone: waiting longer changes nothing.
			return last, err
		}
		select {
		case <-ctx.Done():
			return last, Ended(ctx, t, last)
		case <-time.After(interval):
		}
	}
}

// Ended is the error of a wait on t whose context ended: a timeout (exit 6) when its
// deadline passed, an interruption (exit 1) when the user stopped the command. A
// Ctrl-C is not Flux being slow, and a script must be able to tell the two apart.
func Ended(ctx context.Context, t Target, last Status) error {
	if errors.Is(ctx.Err(), context.DeadlineExceeded) {
		return exitcode.New(exitcode.Timeout, "timed out waiting for %s; last seen: %s%s", t, last, blockedHint(ctx, last))
	}
	return exitcode.Wrap(exitcode.Failure, &cluster.InterruptedError{While: fmt.Sprintf("waiting for %s; last seen: %s", t, last)})
}

// blockedHint names what to look at when a dependency blocks the wait, as the user
// types it.
func blockedHint(ctx context.Context, s Status) string {
	if s.Ready.DependencyBlocked() {
		return " (a dependency blocks it: see '" + invocation.Command(ctx, "deps") + "')"
	}
	return ""
}
