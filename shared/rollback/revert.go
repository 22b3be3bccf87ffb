package rollback

import (
	"bytes"
	"context"
	"fmt"
	"strings"
	"time"

	sourcev1 "github.com/fluxcd/source-controller/api/v1"
	"k8s.io/client-go/dynamic"

	"github.com/kubectl-gitops/kubectl-gitops/shared/diff"
	"github.com/kubectl-gitops/kubectl-gitops/shared/exitcode"
	"github.com/kubectl-gitops/kubectl-gitops/shared/flux"
	"github.com/kubectl-gitops/kubectl-gitops/shared/git"
	"github.com/kubectl-gitops/kubectl-gitops/shared/history"
	"github.com/kubectl-gitops/kubectl-gitops/shared/invocation"
	"github.com/kubectl-gitops/kubectl-gitops/shared/output"
	"github.com/kubectl-gitops/kubectl-gitops/shared/reconcile"
	"github.com/kubectl-gitops/kubectl-gitops/shared/redact"
	"github.com/kubectl-gitops/kubectl-gitops/shared/source"
	"github.com/kubectl-gitops/kubectl-gitops/shared/status"
	"github.com/kubectl-gitops/kubectl-gitops/shared/write"
)

// RevertRequest is `rollback revert`: one new commit on the branch Flux tracks that
// brings what the Kustomization applies back to the chosen revision.
type RevertRequest struct {
	Namespace, Name string
	Choice          history.Choice
	// OneCommit, instead of Choice, reverts that one commit's changes under what the
	// Kustomization builds from, as `git revert` would for those paths alone.
	OneCommit string
	// GitDir is the user's clone of the source; it is fetched, never checked out.
	GitDir string
	// Reason goes into the commit message.
	Reason string
	// NoPush leaves the commit on a local branch for a pull request.
	NoPush bool
	Wait   bool
	// Hooks: a dry run (the commit is made and checked, nothing pushed), the
	// confirmation asked before the push, progress and the clock.
	write.Hooks
	// Preview, when set, says what each Kustomization reading the source will change
	// when it applies the revert commit (read from the clone: it is not pushed yet):
	// shown before asking, kept in the result, a dry run's too.
	Preview func(ctx context.Context, namespace, name, commit string) []diff.ConsumerPreview
}

// RevertResult is the document `rollback revert -o json|yaml` prints: kind Revert.
type RevertResult struct {
	output.TypeMeta `json:",inline"`
	Object          output.ObjectRef `json:"object"`
	Source          output.ObjectRef `json:"source"`
	// URL is the source's address, credentials removed; Remote the clone's remote for it.
	URL    string `json:"url"`
	Remote string `json:"remote"`
	Branch string `json:"branch"`
	// Target is the revision gone back to (or Reverted, the one commit undone), Base the
	// branch head the commit is made on.
	Target   string `json:"target,omitempty"`
	Reverted string `json:"reverted,omitempty"`
	Base     string `json:"base"`
	// Commit is the new commit; Changed false when the files already equal the target.
	Commit  string `json:"commit,omitempty"`
	Changed bool   `json:"changed"`
	DryRun  bool   `json:"dryRun,omitempty"`
	Pushed  bool   `json:"pushed"`
	// LocalBranch holds the commit when it was not pushed (--no-push, or the push failed).
	LocalBranch string `json:"localBranch,omitempty"`
	// Paths are the repository paths the Kustomization builds from; Files those the
	// commit changes.
	Paths []string `json:"paths"`
	Files []string `json:"files,omitempty"`
	// BuildChecked says kustomize built the result to the same objects as the target.
	BuildChecked bool `json:"buildChecked"`
	// Plan names the target and the commits the revert undoes, from the clone.
	Plan            *history.Plan      `json:"plan,omitempty"`
	Applied         *reconcile.Outcome `json:"applied,omitempty"`
	Undo            string             `json:"undo,omitempty"`
	DurationSeconds float64            `json:"durationSeconds"`
	Notes           []string           `json:"notes,omitempty"`
	// Changes are what each Kustomization reading the source was to change when it
	// applied the revert commit, as previewed before the push.
	Changes []diff.ConsumerPreview `json:"changes,omitempty"`
}

// Revert makes, pushes and waits for the revert commit. The user's own git and
// credentials do the fetch and the push; nothing is forced, and the working tree, the
// index and the checked-out branch are never touched.
func Revert(ctx context.Context, dyn dynamic.Interface, r RevertRequest) (*RevertResult, error) {
	start := r.Clock()
	choice := &r.Choice
	if r.OneCommit != "" {
		choice = nil
	}
	t, err := Resolve(ctx, dyn, r.Namespace, r.Name, choice, r.GitDir)
	if err != nil {
		return nil, err
	}
	u, err := flux.Get(ctx, dyn, flux.KindGitRepository, t.SourceNamespace, t.SourceName)
	if err != nil {
		return nil, err
	}
	var gr sourcev1.GitRepository
	if err := flux.FromUnstructured(u, &gr); err != nil {
		return nil, err
	}
	res := &RevertResult{
		TypeMeta: output.NewTypeMeta(output.KindRevert),
		Object:   output.ObjectRef{Kind: flux.KindKustomization, Namespace: r.Namespace, Name: r.Name},
		Source:   output.ObjectRef{Kind: flux.KindGitRepository, Namespace: t.SourceNamespace, Name: t.SourceName},
		URL:      redact.URL(gr.Spec.URL), Target: t.Entry.SHA, DryRun: r.DryRun,
	}
	defer func() { res.DurationSeconds = r.Clock().Sub(start).Round(time.Millisecond).Seconds() }()
	// The branch Git declares: the recorded one while the source is switched or pinned.
	ref := source.FromGit(gr.Spec.Reference)
	rec, err := status.SwitchOf(u.GetAnnotations())
	if err != nil {
		return nil, err
	}
	if rec != nil {
		ref = source.FromGit(rec.RefBefore)
		if !r.NoPush {
			return nil, exitcode.New(exitcode.Failure, "GitRepository %s/%s is held on %s by %s: Flux would not apply the revert; undo that first ('%s') or use --no-push",
				t.SourceNamespace, t.SourceName, source.FromGit(gr.Spec.Reference), invocation.Suite(ctx), rec.UndoCommand(ctx, t.SourceNamespace, t.SourceName))
		}
	}
	if res.Branch = ref.TrackedBranch(); res.Branch == "" {
		return nil, exitcode.New(exitcode.Usage, "GitRepository %s/%s tracks %s, not a branch: a revert needs a branch to commit on", t.SourceNamespace, t.SourceName, ref)
	}

	r.Say("fetching %s from %s", res.Branch, res.URL)
	if res.Remote, err = git.RemoteFor(ctx, r.GitDir, gr.Spec.URL); err != nil {
		return nil, exitcode.Wrap(exitcode.Usage, fmt.Errorf("%s: clone %s, or pass the folder of a clone of it", redact.Text(err.Error()), res.URL))
	}
	// Paths are the repository's: work from its top, whatever folder of it was given.
	if top, err := git.Line(ctx, r.GitDir, "rev-parse", "--show-toplevel"); err == nil && top != "" {
		r.GitDir = top
	}
	if _, err := git.Run(ctx, r.GitDir, "fetch", "--quiet", res.Remote, "refs/heads/"+res.Branch); err != nil {
		return nil, exitcode.Wrap(exitcode.Failure, fmt.Errorf("%s (nothing was changed)", redact.Text(err.Error())))
	}
	if res.Base, err = git.Line(ctx, r.GitDir, "rev-parse", "FETCH_HEAD^{commit}"); err != nil {
		return nil, err
	}
	if r.OneCommit != "" {
		return resultOf(res, r.revertOne(ctx, dyn, t, res))
	}
	if !git.HasCommit(ctx, r.GitDir, t.Entry.SHA) {
		return nil, exitcode.New(exitcode.NotFound, "commit %s is not in the clone at %s: fetch it ('git -C %s fetch --all') and run again", git.Short(t.Entry.SHA), r.GitDir, r.GitDir)
	}

	// What the Kustomization builds from, at the target and now: restoring all of it
	// to the target reverts exactly the commits after it that touched it.
	root := t.Kustomization.Spec.Path
	atTarget, err := Inputs(ctx, r.GitDir, t.Entry.SHA, root)
	if err != nil {
		return nil, err
	}
	atBase, err := Inputs(ctx, r.GitDir, res.Base, root)
	if err != nil {
		return nil, err
	}
	res.Paths = union(atTarget, atBase)
	if res.Files, err = git.Changed(ctx, r.GitDir, t.Entry.SHA, res.Base, res.Paths); err != nil {
		return nil, err
	}
	res.Undo = ""
	if len(res.Files) == 0 {
		res.Notes = append(res.Notes, fmt.Sprintf("what %s builds from on %s already equals %s: nothing to revert", output.Name(flux.KindKustomization, r.Namespace, r.Name), res.Branch, git.Short(t.Entry.SHA)))
		return res, nil
	}
	if res.Plan, err = history.PlanFromGit(ctx, r.GitDir, t.Entry.SHA, res.Base, res.Paths, t.History); err != nil {
		return nil, err
	}
	message := r.message(t, res)
	if res.Commit, err = git.CommitWithPaths(ctx, r.GitDir, res.Base, t.Entry.SHA, res.Paths, message); err != nil {
		return nil, err
	}
	if err := r.checkBuild(ctx, t, res); err != nil {
		return nil, err
	}
	return resultOf(res, r.deliver(ctx, dyn, t, res))
}

// resultOf keeps the result only when something was done or checked: a refusal before
// the commit was kept anywhere is the error alone.
func resultOf(res *RevertResult, err error) (*RevertResult, error) {
	if err != nil && !res.Changed {
		return nil, err
	}
	return res, err
}

// deliver asks, then pushes the checked commit (or keeps it on a local branch) and
// waits until Flux applied it.
func (r RevertRequest) deliver(ctx context.Context, dyn dynamic.Interface, t *Target, res *RevertResult) error {
	r.preview(ctx, res)
	if r.DryRun {
		res.Commit = "" // made to be checked, referred to by nothing
		res.Notes = append(res.Notes, "dry run: the commit was built and checked, nothing was pushed or changed")
		return nil
	}
	summary := fmt.Sprintf("commit a revert of %s %s on %s (%s) and push it to %s", output.Name(flux.KindKustomization, r.Namespace, r.Name), r.what(t, res), res.Branch, output.Count(len(res.Files), "file", "files"), res.Remote)
	if r.NoPush {
		summary = fmt.Sprintf("commit a revert of %s %s on a local branch (%s)", output.Name(flux.KindKustomization, r.Namespace, r.Name), r.what(t, res), output.Count(len(res.Files), "file", "files"))
	}
	if p := res.Plan.Summary(); p != "" {
		summary += ": " + p
	}
	for _, c := range res.Changes {
		summary += "\n  " + output.Safe(c.String())
	}
	if err := r.Ask(summary); err != nil {
		return err
	}
	res.Changed = true
	if r.NoPush {
		return r.keep(ctx, res, "")
	}
	r.Say("pushing %s to %s %s", git.Short(res.Commit), res.Remote, res.Branch)
	if _, err := git.Run(ctx, r.GitDir, "push", "--quiet", "--porcelain", res.Remote, res.Commit+":refs/heads/"+res.Branch); err != nil {
		// Rejected (the remote moved) or unreachable: nothing was forced, and the commit
		// is kept on a local branch.
		kerr := r.keep(ctx, res, redact.Text(err.Error()))
		return exitcode.Wrap(exitcode.Failure, fmt.Errorf("the push to %s %s was refused (%s): the remote moved or cannot be written, nothing was forced; the commit is kept on local branch %s: run the command again after 'git -C %s fetch'%s",
			res.Remote, res.Branch, redact.Text(err.Error()), res.LocalBranch, r.GitDir, errSuffix(kerr)))
	}
	res.Pushed = true
	// The clone's checkout was left where it was, so a `git revert` there would not
	// find the pushed commit on its branch: the undo is this command undoing that one
	// commit, which works on the fetched branch head from the same clone.
	res.Undo = invocation.Command(ctx, fmt.Sprintf("rollback revert %s -n %s --commit %s --git-dir %s", r.Name, r.Namespace, git.Short(res.Commit), r.GitDir))
	if !r.Wait {
		return nil
	}
	return r.waitApplied(ctx, dyn, t, res)
}

// preview says, with r.Preview, what Flux's apply of the revert commit will change: a
// revert lands on the branch every Kustomization reading the source applies, so each is
// previewed, not only the one named.
func (r RevertRequest) preview(ctx context.Context, res *RevertResult) {
	if r.Preview == nil || res.Commit == "" {
		return
	}
	r.Say("previewing what the Kustomizations reading %s will change (dry runs, nothing written)", res.Source)
	pctx, cancel := diff.PreviewContext(ctx)
	defer cancel()
	res.Changes = r.Preview(pctx, res.Source.Namespace, res.Source.Name, res.Commit)
}

// what says what a revert goes back to, for the confirmation.
func (r RevertRequest) what(t *Target, res *RevertResult) string {
	if res.Reverted != "" {
		return "undoing commit " + git.Short(res.Reverted)
	}
	return "to " + git.Short(t.Entry.SHA)
}

// revertOne undoes one commit's changes under what the Kustomization builds from.
func (r RevertRequest) revertOne(ctx context.Context, dyn dynamic.Interface, t *Target, res *RevertResult) error {
	sha, err := git.Line(ctx, r.GitDir, "rev-parse", "--verify", "--quiet", r.OneCommit+"^{commit}")
	if err != nil || sha == "" {
		return exitcode.New(exitcode.NotFound, "commit %s is not in the clone at %s: fetch it and run again", r.OneCommit, r.GitDir)
	}
	res.Reverted = sha
	if _, err := git.Run(ctx, r.GitDir, "merge-base", "--is-ancestor", sha, res.Base); err != nil {
		return exitcode.New(exitcode.Usage, "commit %s is not on %s (its head is %s): nothing to revert there", git.Short(sha), res.Branch, git.Short(res.Base))
	}
	if res.Plan, err = history.PlanOfCommit(ctx, r.GitDir, sha, history.FromKustomization(&t.Kustomization)); err != nil {
		return err
	}
	root := t.Kustomization.Spec.Path
	then, err := Inputs(ctx, r.GitDir, sha, root)
	if err != nil {
		return err
	}
	now, err := Inputs(ctx, r.GitDir, res.Base, root)
	if err != nil {
		return err
	}
	res.Paths = union(then, now)
	if res.Files, err = git.Changed(ctx, r.GitDir, sha+"^", sha, res.Paths); err != nil {
		return exitcode.Wrap(exitcode.Usage, fmt.Errorf("commit %s has no parent to revert to: %w", git.Short(sha), err))
	}
	res.Undo = ""
	if len(res.Files) == 0 {
		res.Notes = append(res.Notes, fmt.Sprintf("commit %s changed nothing %s builds from: nothing to revert", git.Short(sha), output.Name(flux.KindKustomization, r.Namespace, r.Name)))
		return nil
	}
	subject, _ := git.Line(ctx, r.GitDir, "show", "-s", "--format=%s", sha)
	message := fmt.Sprintf("Revert %q for %s/%s\n\nUndoes what commit %s changed in %s.", subject, r.Namespace, r.Name, sha, strings.Join(res.Paths, ", "))
	if r.Reason != "" {
		message += "\n\nReason: " + r.Reason
	}
	// Git keeps the canonical name: the commit outlives this invocation (package invocation).
	message += "\n\nMade with kubectl gitops rollback revert."
	if res.Commit, err = git.RevertPaths(ctx, r.GitDir, res.Base, sha, res.Paths, message); err != nil {
		return exitcode.Wrap(exitcode.Failure, fmt.Errorf("commit %s's changes do not revert cleanly on %s (later commits built on them): %s; revert to an earlier revision with --to instead; nothing was written", git.Short(sha), res.Branch, redact.Text(err.Error())))
	}
	// No revision to compare with: the result must at least build.
	if _, err := Build(ctx, r.GitDir, res.Commit, root, res.Paths); err != nil {
		return exitcode.New(exitcode.Failure, "the revert commit does not build: %s; nothing was pushed", redact.Text(err.Error()))
	}
	res.BuildChecked = true
	return r.deliver(ctx, dyn, t, res)
}

// checkBuild proves the result builds to the same objects as the target: an input the
// walk missed (a file the kustomization.yaml reaches some other way) shows here, before
// anything is pushed.
func (r RevertRequest) checkBuild(ctx context.Context, t *Target, res *RevertResult) error {
	root := t.Kustomization.Spec.Path
	want, werr := Build(ctx, r.GitDir, t.Entry.SHA, root, res.Paths)
	got, gerr := Build(ctx, r.GitDir, res.Commit, root, res.Paths)
	switch {
	case werr != nil:
		res.Notes = append(res.Notes, "not checked with kustomize: the target itself does not build here: "+redact.Text(werr.Error()))
		return nil
	case gerr != nil:
		return exitcode.New(exitcode.Failure, "the revert commit does not build: %s; nothing was pushed", redact.Text(gerr.Error()))
	case !bytes.Equal(want, got):
		return exitcode.New(exitcode.Failure, "the revert commit does not build to the objects of %s (an input outside %v changed): nothing was pushed; revert by hand", git.Short(t.Entry.SHA), res.Paths)
	}
	res.BuildChecked = true
	return nil
}

// keep names the commit with a local branch, so that nothing is lost when it is not
// pushed, and says how to open a pull request from it.
func (r RevertRequest) keep(ctx context.Context, res *RevertResult, why string) error {
	res.LocalBranch = fmt.Sprintf("rollback/%s-%s", r.Name, git.Short(res.Commit))
	if _, err := git.Run(ctx, r.GitDir, "branch", res.LocalBranch, res.Commit); err != nil {
		return err
	}
	if why == "" {
		res.Notes = append(res.Notes, fmt.Sprintf("not pushed: open a pull request with 'git -C %s push %s %s' and merge it into %s", r.GitDir, res.Remote, res.LocalBranch, res.Branch))
	}
	return nil
}

// waitApplied asks source-controller to fetch the new commit and the Kustomization to
// apply it, and waits for both.
func (r RevertRequest) waitApplied(ctx context.Context, dyn dynamic.Interface, t *Target, res *RevertResult) error {
	follower := reconcile.Follower{Interval: reconcile.PollInterval, Hooks: r.Hooks}
	repo := reconcile.Target{Kind: flux.KindGitRepository, Namespace: t.SourceNamespace, Name: t.SourceName}
	r.Say("asking source-controller to fetch %s", git.Short(res.Commit))
	token, err := reconcile.Request(ctx, dyn, repo, r.Clock())
	if err != nil {
		return pushed(err, res)
	}
	st, err := reconcile.Wait(ctx, dyn, repo, reconcile.PollInterval, func(s reconcile.Status) (bool, error) {
		if s.HandledToken != token {
			return false, nil
		}
		return reconcile.Fetched(res.Commit)(s)
	}, nil)
	if err != nil {
		return pushed(err, res)
	}
	ks := reconcile.Target{Kind: flux.KindKustomization, Namespace: r.Namespace, Name: r.Name}
	out, err := follower.Kustomization(ctx, dyn, ks, st.ArtifactRevision)
	res.Applied = &out
	return pushed(err, res)
}

// pushed says, on a failure after the push, that the commit is in Git.
func pushed(err error, res *RevertResult) error {
	if err == nil {
		return nil
	}
	return exitcode.Wrap(exitcode.Of(err), fmt.Errorf("%w (commit %s was pushed to %s; Flux applies it when it can; '%s' undoes it)", err, git.Short(res.Commit), res.Branch, res.Undo))
}

func (r RevertRequest) message(t *Target, res *RevertResult) string {
	subject := fmt.Sprintf("Revert %s/%s to %s", r.Namespace, r.Name, git.Short(t.Entry.SHA))
	body := fmt.Sprintf("Restores what Kustomization %s/%s builds from (%s) to commit %s,\nthe revision Flux applied on %s.",
		r.Namespace, r.Name, strings.Join(res.Paths, ", "), t.Entry.SHA, t.Entry.LastReconciled.Format(time.RFC3339))
	if r.Reason != "" {
		body += "\n\nReason: " + r.Reason
	}
	return subject + "\n\n" + body + "\n\nMade with kubectl gitops rollback revert."
}

func errSuffix(err error) string {
	if err == nil {
		return ""
	}
	return " (keeping it failed too: " + err.Error() + ")"
}
