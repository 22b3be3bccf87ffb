package branch

import (
	"context"
	"fmt"
	"time"

	"k8s.io/client-go/dynamic"

	"github.com/kubectl-gitops/kubectl-gitops/shared/exitcode"
	"github.com/kubectl-gitops/kubectl-gitops/shared/flux"
	"github.com/kubectl-gitops/kubectl-gitops/shared/reconcile"
	"github.com/kubectl-gitops/kubectl-gitops/shared/revision"
)

// finish waits, unless told not to, until the source holds refName (at sha, when the
// remote said) and every Kustomization reading it applied that revision.
func (r Request) finish(ctx context.Context, dyn dynamic.Interface, res *Result, refName, sha string, start time.Time) error {
	defer func() { res.DurationSeconds = time.Since(start).Round(time.Millisecond).Seconds() }()
	if res.DryRun || !res.Changed || !r.Wait {
		return nil
	}
	repo := reconcile.Target{Kind: flux.KindGitRepository, Namespace: r.Namespace, Name: r.Name}
	r.Say("asking source-controller to fetch %s", res.To)
	token, err := reconcile.Request(ctx, dyn, repo, r.Clock())
	if err != nil {
		return written(err, res)
	}
	st, err := reconcile.Wait(ctx, dyn, repo, reconcile.PollInterval, fetched(token, refName, sha), r.progressStatus(repo))
	if err != nil {
		return written(err, res)
	}
	res.RevisionAfter = st.ArtifactRevision
	follower := reconcile.Follower{Interval: reconcile.PollInterval, Hooks: r.Hooks}
	res.Consumers, err = follower.Propagate(ctx, dyn, repo, st.ArtifactRevision)
	return written(err, res)
}

// fetched is done when the controller handled the request and its artifact names the
// ref (and the commit the remote gave); a handled request that left the source failing
// ends the wait with Flux's message: a branch that cannot be fetched never arrives.
func fetched(token, refName, sha string) reconcile.Done {
	return func(s reconcile.Status) (bool, error) {
		if s.HandledToken != token {
			return false, nil
		}
		rev, err := revision.Parse(s.ArtifactRevision)
		arrived := err == nil && (refName == "" || rev.Ref == refName) && (sha == "" || rev.Commit() == sha)
		if arrived && s.ReadyAtGeneration() {
			return true, nil
		}
		if s.Failed() {
			return false, exitcode.New(exitcode.Failure, "source-controller cannot fetch it: %s", s.Ready.Message)
		}
		return false, nil
	}
}

// written says, on any failure after the write, that the write happened and how to
// undo it: a wait that failed is not a switch that did not happen.
func written(err error, res *Result) error {
	if err == nil {
		return nil
	}
	undo := ""
	if res.Undo != "" {
		undo = "; '" + res.Undo + "' puts it back"
	}
	return exitcode.Wrap(exitcode.Of(err), fmt.Errorf("%w (the change was written%s)", err, undo))
}

func (r Request) progressStatus(t reconcile.Target) func(reconcile.Status) {
	return func(s reconcile.Status) { r.Say("%s: %s", t, s) }
}
