package dev

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	kustomizev1 "github.com/fluxcd/kustomize-controller/api/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/client-go/dynamic"

	"github.com/kubectl-gitops/kubectl-gitops/shared/branch"
	"github.com/kubectl-gitops/kubectl-gitops/shared/cluster"
	"github.com/kubectl-gitops/kubectl-gitops/shared/exitcode"
	"github.com/kubectl-gitops/kubectl-gitops/shared/flux"
	"github.com/kubectl-gitops/kubectl-gitops/shared/git"
	"github.com/kubectl-gitops/kubectl-gitops/shared/inventory"
	"github.com/kubectl-gitops/kubectl-gitops/shared/invocation"
	"github.com/kubectl-gitops/kubectl-gitops/shared/output"
	"github.com/kubectl-gitops/kubectl-gitops/shared/reconcile"
	"github.com/kubectl-gitops/kubectl-gitops/shared/status"
	"github.com/kubectl-gitops/kubectl-gitops/shared/suspend"
	"github.com/kubectl-gitops/kubectl-gitops/shared/write"
)

// HandBack is how a session gives the cluster back to Flux: resume what it paused,
// wait until each paused Kustomization applied the tracked branch, give back the
// fields it wrote, delete what it created that Git does not declare, close the record.
type HandBack struct {
	write.Hooks
	Session *Session
	Mapper  meta.RESTMapper
	// Wait until Flux applied the tracked branch (the cleanup then sees Flux's
	// inventory as Git declares it).
	Wait bool
}

// FinishRequest squashes and pushes the session branch, then hands back.
type FinishRequest struct {
	HandBack
	Clone   *Clone
	Message string
	// Preview has Flux apply the pushed session branch (the branch command's set,
	// restored on failure) and then the tracked branch again, before the cleanup.
	Preview bool
}

// Abort hands the cluster back without pushing anything.
func Abort(ctx context.Context, dyn dynamic.Interface, r HandBack) (*Result, error) {
	begin := r.Clock()
	res := newResult("abort", r.Session, r.DryRun)
	if err := r.Ask(r.summary("abort")); err != nil {
		return nil, err
	}
	err := r.run(ctx, dyn, res)
	res.Notes = append(res.Notes, keptBranchNote(r.Session))
	res.DurationSeconds = since(begin)
	return res, err
}

// keptBranchNote says where an aborted session's work is and how to delete it: git
// refuses to delete the branch a clone has checked out, which after `dev start` the
// clone has, so the command switches back to the tracked branch first.
func keptBranchNote(s *Session) string {
	return fmt.Sprintf("nothing was pushed; the branch %s with its checkpoints stays in your clone (to delete it: 'git switch %s && git branch -D %s')", s.Branch, s.TrackedBranch, s.Branch)
}

// Finish squashes the session's commits into one (message), pushes the session branch
// without force and hands back. A push the remote rejects leaves everything as it was.
func Finish(ctx context.Context, dyn dynamic.Interface, r FinishRequest) (*Result, error) {
	begin := r.Clock()
	s := r.Session
	res := newResult("finish", s, r.DryRun)
	if dirty, err := r.Clone.Dirty(ctx); err != nil {
		return nil, err
	} else if len(dirty) > 0 {
		return nil, exitcode.New(exitcode.Usage, "the clone at %s has uncommitted changes (%s): save them with '%s' first; nothing was changed", r.Clone.Dir, strings.Join(first(dirty, 3), "; "), invocation.Command(ctx, "dev checkpoint MSG"))
	}
	head := r.Clone.Head(ctx, s.Branch)
	if head == "" {
		return nil, exitcode.New(exitcode.NotFound, "the session branch %s is not in the clone at %s: finish from the clone the session started in, or '%s'", s.Branch, r.Clone.Dir, invocation.Command(ctx, "dev abort"))
	}
	n, err := r.Clone.count(ctx, s.Base, head)
	if err != nil {
		return nil, err
	}
	if n == 1 && r.Clone.remoteHead(ctx, s.Branch) == head {
		// A finish cut short after its push: the squashed commit is on the remote
		// already; squashing it again would make a push the remote must reject.
		return r.handBackPushed(ctx, dyn, res, head, begin)
	}
	plan := fmt.Sprintf("squash %s of %s into one and push it to %s", output.Count(n, "commit", "commits"), s.Branch, r.Clone.Remote)
	if n == 0 {
		plan = "push nothing (" + s.Branch + " has no commit)"
	}
	if err := r.Ask(plan + "; then " + r.summary("finish")); err != nil {
		return nil, err
	}
	if r.DryRun {
		res.Notes = append(res.Notes, "would "+plan)
		err := r.run(ctx, dyn, res)
		res.DurationSeconds = since(begin)
		return res, err
	}
	if n > 0 {
		r.Say("squashing %s of %s", output.Count(n, "commit", "commits"), s.Branch)
		sha, err := r.Clone.squash(ctx, s.Branch, s.Base, head, r.Message)
		if err != nil {
			return nil, err
		}
		r.Say("pushing %s to %s", s.Branch, r.Clone.Remote)
		if err := r.Clone.push(ctx, s.Branch); err != nil {
			if _, uerr := git.Run(ctx, r.Clone.Dir, "update-ref", "refs/heads/"+s.Branch, head, sha); uerr != nil {
				return nil, exitcode.New(exitcode.Failure, "the push was rejected (%v) and %s could not be put back on its checkpoints (%v): they are at %s", err, s.Branch, uerr, head)
			}
			return nil, exitcode.New(exitcode.Failure, "the push was rejected: %v; nothing was lost: %s points at its checkpoints again (%s) and the cluster was not touched (bring the remote's changes into the branch, then finish again)", err, s.Branch, git.Short(head))
		}
		res.Commit, res.Pushed, res.PullRequest = sha, true, pullRequest(s, r.Message)
	} else {
		note := "the session branch has no commit: nothing was pushed"
		if r.Preview {
			note += ", so there is nothing to preview"
		}
		res.Notes = append(res.Notes, note)
	}
	var previewErr error
	if r.Preview && res.Pushed {
		previewErr = r.preview(ctx, dyn, res)
	}
	err = r.run(ctx, dyn, res)
	res.DurationSeconds = since(begin)
	if previewErr != nil {
		return res, exitcode.New(exitcode.Of(previewErr), "the preview of %s did not apply: %v; the cluster is back on %s (fix the branch and push again)", s.Branch, previewErr, s.TrackedBranch)
	}
	return res, err
}

// handBackPushed finishes a session whose squashed commit was pushed by a finish that
// did not get to hand back.
func (r FinishRequest) handBackPushed(ctx context.Context, dyn dynamic.Interface, res *Result, head string, begin time.Time) (*Result, error) {
	if err := r.Ask("hand back dev session " + r.Session.ID + " (its branch is pushed already); " + r.summary("finish")); err != nil {
		return nil, err
	}
	res.Commit, res.Pushed, res.PullRequest = head, !r.DryRun, pullRequest(r.Session, r.Message)
	res.Notes = append(res.Notes, fmt.Sprintf("%s was pushed already, at %s", r.Session.Branch, git.Short(head)))
	err := r.run(ctx, dyn, res)
	res.DurationSeconds = since(begin)
	return res, err
}

// preview resumes the paused Kustomizations, switches the source to the pushed
// session branch with auto-restore, waits until Flux applied it, and restores.
func (r FinishRequest) preview(ctx context.Context, dyn dynamic.Interface, res *Result) error {
	if err := r.resume(ctx, dyn, res); err != nil {
		return err
	}
	s := r.Session
	req := branch.Request{
		Namespace: s.Source.Namespace, Name: s.Source.Name, Branch: s.Branch, Wait: true,
		Hooks: write.Hooks{User: r.User, Now: r.Now, Progress: r.Progress}, AutoRestore: true, RestoreContext: context.WithoutCancel(ctx),
		Remote: git.Heads,
	}
	r.Say("preview: Flux applies %s", s.Branch)
	set, err := branch.Set(ctx, dyn, req)
	if set != nil {
		res.Preview = set.Consumers
	}
	if err != nil {
		return err
	}
	r.Say("preview applied: back to %s", s.TrackedBranch)
	_, err = branch.Restore(ctx, dyn, req)
	return err
}

func (r HandBack) summary(action string) string {
	s := r.Session
	names := make([]string, len(s.Kustomizations))
	for i, k := range s.Kustomizations {
		names[i] = k.Namespace + "/" + k.Name
	}
	created := 0
	for _, a := range s.Applied {
		if a.Created {
			created++
		}
	}
	return fmt.Sprintf("%s dev session %s: resume Kustomization %s, give back %d applied objects (delete the %d it created unless Git declares them)",
		action, s.ID, strings.Join(names, ", "), len(s.Applied), created)
}

// run is the hand-back proper. Every part is safe to run again: a session left
// half-closed by Ctrl-C is closed by the next abort.
func (r HandBack) run(ctx context.Context, dyn dynamic.Interface, res *Result) error {
	if err := r.resume(ctx, dyn, res); err != nil {
		return err
	}
	if r.DryRun {
		for _, a := range r.Session.Applied {
			if a.Created {
				res.Notes = append(res.Notes, fmt.Sprintf("would delete %s unless Git declares it", a.ObjectRef))
			} else {
				res.Notes = append(res.Notes, fmt.Sprintf("would give %s back to Git", a.ObjectRef))
			}
		}
		return nil
	}
	var waitErr error
	if r.Wait {
		waitErr = r.waitApplied(ctx, dyn, res)
		if cluster.IsUnreachable(waitErr) || errors.Is(waitErr, context.Canceled) {
			return r.left(ctx, waitErr)
		}
	}
	declared, err := r.inventories(ctx, dyn)
	if err != nil {
		return r.left(ctx, err)
	}
	for _, a := range r.Session.Applied {
		if err := r.cleanup(ctx, dyn, a, declared, res); err != nil {
			return r.left(ctx, err)
		}
	}
	if waitErr != nil {
		return r.left(ctx, waitErr)
	}
	if err := (Store{Dyn: dyn}).Delete(ctx, r.Session); err != nil {
		return r.left(ctx, err)
	}
	res.Closed = true
	return nil
}

// left says that the session is still open, and how to close it.
func (r HandBack) left(ctx context.Context, err error) error {
	return exitcode.New(exitcode.Of(err), "%v (the session is still open: '%s' finishes handing back)", err, invocation.Command(ctx, "dev abort --session "+r.Session.ID))
}

// resume resumes the Kustomizations the session paused, and only those: one suspended
// since by someone else keeps that suspension.
func (r HandBack) resume(ctx context.Context, dyn dynamic.Interface, res *Result) error {
	for _, k := range r.Session.Kustomizations {
		u, err := flux.Get(ctx, dyn, flux.KindKustomization, k.Namespace, k.Name)
		if exitcode.Of(err) == exitcode.NotFound {
			res.Notes = append(res.Notes, fmt.Sprintf("Kustomization %s/%s no longer exists", k.Namespace, k.Name))
			continue
		}
		if err != nil {
			return r.left(ctx, err)
		}
		st := status.Of(u)
		rec := status.SuspensionOf(u.GetAnnotations())
		switch {
		case !st.Suspended:
			continue
		case rec == nil || !r.Session.owns(rec.Reason): // a suspension with no record is not the session's
			res.Notes = append(res.Notes, fmt.Sprintf("Kustomization %s/%s was suspended again by someone else (%s): left suspended", k.Namespace, k.Name, rec.String(time.Now())))
			continue
		}
		r.Say("resuming Kustomization %s/%s", k.Namespace, k.Name)
		if _, err := suspend.Resume(ctx, dyn, suspend.Request{Kind: flux.KindKustomization, Namespace: k.Namespace, Name: k.Name, Hooks: write.Hooks{DryRun: r.DryRun, Now: r.Now}}); err != nil {
			return r.left(ctx, err)
		}
		res.Resumed = append(res.Resumed, k)
	}
	return nil
}

// waitApplied asks the source to fetch the tracked branch and each paused
// Kustomization to apply it, and waits for them.
func (r HandBack) waitApplied(ctx context.Context, dyn dynamic.Interface, res *Result) error {
	s := r.Session
	repo := reconcile.Target{Kind: flux.KindGitRepository, Namespace: s.Source.Namespace, Name: s.Source.Name}
	r.Say("asking source-controller to fetch %s", s.TrackedBranch)
	token, err := reconcile.Request(ctx, dyn, repo, r.Clock())
	if err != nil {
		return err
	}
	st, err := reconcile.Wait(ctx, dyn, repo, reconcile.PollInterval, func(st reconcile.Status) (bool, error) {
		if st.HandledToken != token {
			return false, nil
		}
		if st.ReadyAtGeneration() && st.ArtifactRevision != "" {
			return true, nil
		}
		if st.Failed() {
			return false, exitcode.New(exitcode.Failure, "source-controller cannot fetch %s: %s", s.TrackedBranch, st.Ready.Message)
		}
		return false, nil
	}, func(st reconcile.Status) { r.Say("%s: %s", repo, st) })
	if err != nil {
		return err
	}
	follower := reconcile.Follower{Interval: reconcile.PollInterval, Hooks: r.Hooks}
	var failed error
	for _, k := range s.Kustomizations {
		t := reconcile.Target{Kind: flux.KindKustomization, Namespace: k.Namespace, Name: k.Name}
		out, err := follower.Kustomization(ctx, dyn, t, st.ArtifactRevision)
		res.Consumers = append(res.Consumers, out)
		if err != nil && failed == nil {
			failed = err
		}
		if cluster.IsUnreachable(err) {
			return err
		}
	}
	return failed
}

// inventories indexes what the paused Kustomizations apply now: what Git declares.
func (r HandBack) inventories(ctx context.Context, dyn dynamic.Interface) (*inventory.Index, error) {
	var refs []inventory.Ref
	for _, k := range r.Session.Kustomizations {
		var ks kustomizev1.Kustomization
		err := flux.GetInto(ctx, dyn, k.Namespace, k.Name, &ks)
		if exitcode.Of(err) == exitcode.NotFound {
			continue
		}
		if err != nil {
			return nil, err
		}
		if ks.Status.Inventory != nil {
			for _, e := range ks.Status.Inventory.Entries {
				refs = append(refs, inventory.Ref{ID: e.ID, V: e.Version})
			}
		}
	}
	return inventory.NewIndex(refs)
}

// cleanup gives one applied object back: deleted when the session created it and Git
// does not declare it, else stripped of the fields only the session's apply owns.
func (r HandBack) cleanup(ctx context.Context, dyn dynamic.Interface, a Applied, declared *inventory.Index, res *Result) error {
	gv, err := schema.ParseGroupVersion(a.APIVersion)
	if err != nil {
		return err
	}
	mapping, err := r.Mapper.RESTMapping(gv.WithKind(a.Kind).GroupKind(), gv.Version)
	if err != nil {
		res.Notes = append(res.Notes, fmt.Sprintf("%s: its type is no longer served (%v)", a.ObjectRef, err))
		return nil
	}
	ri := dyn.Resource(mapping.Resource).Namespace(a.Namespace)
	live, err := ri.Get(ctx, a.Name, metav1.GetOptions{})
	if apierrors.IsNotFound(err) {
		return nil
	}
	if err != nil {
		return cluster.Classify(err)
	}
	inGit := declared.Contains(gv.WithKind(a.Kind).GroupKind(), a.Namespace, a.Name)
	if a.Created && !inGit && live.GetLabels()[flux.KustomizeNameLabel] == "" {
		uid := live.GetUID()
		r.Say("deleting %s: the session created it and Git does not declare it", a.ObjectRef)
		err := ri.Delete(ctx, a.Name, metav1.DeleteOptions{Preconditions: &metav1.Preconditions{UID: &uid}})
		if err != nil && !apierrors.IsNotFound(err) {
			return cluster.Classify(err)
		}
		res.Deleted = append(res.Deleted, a.ObjectRef)
		return nil
	}
	// An apply of nothing under the suite's manager: the fields only it owns (added
	// by the session, not by Git) go; the ones Flux applied since stay.
	empty := &unstructured.Unstructured{}
	empty.SetAPIVersion(a.APIVersion)
	empty.SetKind(a.Kind)
	empty.SetName(a.Name)
	empty.SetNamespace(a.Namespace)
	if _, err := ri.Apply(ctx, a.Name, empty, metav1.ApplyOptions{FieldManager: cluster.FieldManager}); err != nil {
		return exitcode.New(exitcode.Of(cluster.Classify(err)), "giving %s back to Git: %v", a.ObjectRef, cluster.Classify(err))
	}
	res.Released = append(res.Released, a.ObjectRef)
	return nil
}
