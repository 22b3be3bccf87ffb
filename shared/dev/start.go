package dev

import (
	"context"
	"encoding/json"
	"fmt"
	"path"
	"strings"
	"time"

	kustomizev1 "github.com/fluxcd/kustomize-controller/api/v1"
	sourcev1 "github.com/fluxcd/source-controller/api/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/client-go/dynamic"

	"github.com/kubectl-gitops/kubectl-gitops/shared/exitcode"
	"github.com/kubectl-gitops/kubectl-gitops/shared/flux"
	"github.com/kubectl-gitops/kubectl-gitops/shared/git"
	"github.com/kubectl-gitops/kubectl-gitops/shared/invocation"
	"github.com/kubectl-gitops/kubectl-gitops/shared/output"
	"github.com/kubectl-gitops/kubectl-gitops/shared/source"
	"github.com/kubectl-gitops/kubectl-gitops/shared/status"
	"github.com/kubectl-gitops/kubectl-gitops/shared/suspend"
	"github.com/kubectl-gitops/kubectl-gitops/shared/write"
)

// fluxManager is kustomize-controller's field manager on what it applies.
const fluxManager = "kustomize-controller"

// StartRequest opens a session.
type StartRequest struct {
	write.Hooks
	Description string
	GitDir      string
	// Namespace and Kustomizations name what to pause; or Path, a folder of the
	// repository, names it by the Kustomizations that apply it.
	Namespace      string
	Kustomizations []string
	Path           string
	// For is how long the session is meant to last: past it, status calls it overdue.
	For time.Duration
}

// Start creates the session branch from the branch Flux tracks, records the session
// and pauses its Kustomizations. A failure part way undoes what was done.
func Start(ctx context.Context, dyn dynamic.Interface, r StartRequest) (*Result, error) {
	begin := r.Clock()
	id, err := Slug(r.Description)
	if err != nil {
		return nil, err
	}
	targets, repo, err := r.resolve(ctx, dyn)
	if err != nil {
		return nil, err
	}
	tracked, err := trackedBranch(ctx, repo)
	if err != nil {
		return nil, err
	}
	clone, err := OpenClone(ctx, r.GitDir, repo.Spec.URL)
	if err != nil {
		return nil, err
	}
	if dirty, err := clone.Dirty(ctx); err != nil {
		return nil, err
	} else if len(dirty) > 0 {
		return nil, exitcode.New(exitcode.Usage, "the clone at %s has uncommitted changes (%s): commit or stash them first; nothing was changed", clone.Dir, strings.Join(first(dirty, 3), "; "))
	}
	at := begin.UTC().Truncate(time.Second)
	s := &Session{
		ID: id, Description: r.Description, User: r.User, Started: at,
		Namespace: repo.Namespace, Source: output.ObjectRef{Kind: flux.KindGitRepository, Namespace: repo.Namespace, Name: repo.Name},
		TrackedBranch: tracked, Branch: BranchPrefix + id,
	}
	if r.For > 0 {
		until := at.Add(r.For)
		s.Until = &until
	}
	for _, k := range targets {
		s.Kustomizations = append(s.Kustomizations, output.ObjectRef{Kind: flux.KindKustomization, Namespace: k.GetNamespace(), Name: k.GetName()})
	}
	res := newResult("start", s, r.DryRun)
	if err := checkFree(ctx, dyn, s, targets); err != nil {
		return nil, err
	}
	if clone.Head(ctx, s.Branch) != "" {
		return nil, exitcode.New(exitcode.Usage, "branch %s already exists in %s: describe the session differently, or delete the branch", s.Branch, clone.Dir)
	}
	r.Say("fetching %s from %s", tracked, clone.Remote)
	if s.Base, err = clone.Fetch(ctx, tracked); err != nil {
		return nil, err
	}
	names := make([]string, len(s.Kustomizations))
	for i, k := range s.Kustomizations {
		names[i] = k.Namespace + "/" + k.Name
	}
	if err := r.Ask(fmt.Sprintf("start dev session %s: branch %s from %s at %s in %s, suspend Kustomization %s",
		id, s.Branch, tracked, git.Short(s.Base), clone.Dir, strings.Join(names, ", "))); err != nil {
		return nil, err
	}
	res.Notes = append(res.Notes, parentNotes(targets)...)
	store := Store{Dyn: dyn, DryRun: r.DryRun}
	if err := store.Create(ctx, s); err != nil {
		return nil, err
	}
	if r.DryRun {
		if err := r.suspendAll(ctx, dyn, s, res); err != nil {
			return nil, err
		}
		res.Notes = append(res.Notes, fmt.Sprintf("would create branch %s from %s (%s) in %s", s.Branch, tracked, git.Short(s.Base), clone.Dir))
		res.DurationSeconds = since(begin)
		return res, nil
	}
	previous := clone.CurrentBranch(ctx)
	if _, err := git.Run(ctx, clone.Dir, "checkout", "--quiet", "--no-track", "-b", s.Branch, s.Base); err != nil {
		return nil, r.unwind(ctx, dyn, s, res, clone, "", err)
	}
	if err := r.suspendAll(ctx, dyn, s, res); err != nil {
		return nil, r.unwind(ctx, dyn, s, res, clone, previous, err)
	}
	res.Next = fmt.Sprintf("edit in %s, try it with '%s', save with '%s', end with '%s' (or 'abort')", clone.Dir,
		invocation.Command(ctx, "dev test FILE"), invocation.Command(ctx, "dev checkpoint MSG"), invocation.Command(ctx, "dev finish MSG"))
	res.DurationSeconds = since(begin)
	return res, nil
}

func (r StartRequest) suspendAll(ctx context.Context, dyn dynamic.Interface, s *Session, res *Result) error {
	for _, k := range s.Kustomizations {
		r.Say("suspending Kustomization %s/%s", k.Namespace, k.Name)
		_, err := suspend.Suspend(ctx, dyn, suspend.Request{
			Kind: flux.KindKustomization, Namespace: k.Namespace, Name: k.Name,
			Reason: s.Reason(), Until: s.Until, Hooks: write.Hooks{User: s.User, DryRun: r.DryRun, Now: r.Now},
		})
		if err != nil {
			return err
		}
		res.Suspended = append(res.Suspended, k)
	}
	return nil
}

// unwind undoes a start that failed part way: what it suspended is resumed, the record
// deleted, the branch removed and the previous branch checked out again.
func (r StartRequest) unwind(ctx context.Context, dyn dynamic.Interface, s *Session, res *Result, clone *Clone, previous string, cause error) error {
	var left []string
	for _, k := range res.Suspended {
		if _, err := suspend.Resume(ctx, dyn, suspend.Request{Kind: flux.KindKustomization, Namespace: k.Namespace, Name: k.Name}); err != nil {
			left = append(left, fmt.Sprintf("Kustomization %s/%s is still suspended (%v)", k.Namespace, k.Name, err))
		}
	}
	if err := (Store{Dyn: dyn}).Delete(ctx, s); err != nil {
		left = append(left, fmt.Sprintf("the session record %s/%s is left (%v)", s.Namespace, recordName(s.ID), err))
	}
	if previous != "" {
		if _, err := git.Run(ctx, clone.Dir, "checkout", "--quiet", previous); err == nil {
			_, _ = git.Run(ctx, clone.Dir, "branch", "--quiet", "-D", s.Branch)
		}
	}
	if len(left) > 0 {
		return exitcode.New(exitcode.Of(cause), "%v; undoing the start failed too: %s ('%s' finishes it)", cause, strings.Join(left, "; "), invocation.Command(ctx, "dev abort --session "+s.ID))
	}
	return exitcode.New(exitcode.Of(cause), "%v (the start was undone: nothing is left)", cause)
}

// resolve returns the Kustomizations to pause and the GitRepository they read: the
// named ones, or those whose path holds r.Path.
func (r StartRequest) resolve(ctx context.Context, dyn dynamic.Interface) ([]*unstructured.Unstructured, *sourcev1.GitRepository, error) {
	var targets []*unstructured.Unstructured
	if r.Path != "" {
		var err error
		if targets, err = byPath(ctx, dyn, r.Path); err != nil {
			return nil, nil, err
		}
	}
	for _, name := range r.Kustomizations {
		u, err := flux.Get(ctx, dyn, flux.KindKustomization, r.Namespace, name)
		if err != nil {
			return nil, nil, err
		}
		targets = append(targets, u)
	}
	var repo *sourcev1.GitRepository
	for _, u := range targets {
		var ks kustomizev1.Kustomization
		if err := flux.FromUnstructured(u, &ks); err != nil {
			return nil, nil, err
		}
		ref := ks.Spec.SourceRef
		if ref.Kind != flux.KindGitRepository {
			return nil, nil, exitcode.New(exitcode.Usage, "Kustomization %s/%s reads a %s: a dev session works on a Git source", u.GetNamespace(), u.GetName(), ref.Kind)
		}
		ns := flux.RefNamespace(ref.Namespace, u.GetNamespace())
		if repo != nil && (repo.Namespace != ns || repo.Name != ref.Name) {
			return nil, nil, exitcode.New(exitcode.Usage, "Kustomization %s/%s reads GitRepository %s/%s, the others %s/%s: one session works on one repository", u.GetNamespace(), u.GetName(), ns, ref.Name, repo.Namespace, repo.Name)
		}
		if repo == nil {
			repo = &sourcev1.GitRepository{}
			if err := flux.GetInto(ctx, dyn, ns, ref.Name, repo); err != nil {
				return nil, nil, err
			}
		}
	}
	return targets, repo, nil
}

// byPath finds the Kustomizations reading a GitRepository whose path is the deepest
// folder holding p: the ones that apply it.
func byPath(ctx context.Context, dyn dynamic.Interface, p string) ([]*unstructured.Unstructured, error) {
	want := cleanPath(p)
	best, depth := []*unstructured.Unstructured(nil), -1
	err := flux.List(ctx, dyn, flux.KindKustomization, "", func(u *unstructured.Unstructured) error {
		kind, _, _ := unstructured.NestedString(u.Object, "spec", "sourceRef", "kind")
		kp, _, _ := unstructured.NestedString(u.Object, "spec", "path")
		kp = cleanPath(kp)
		if kind != flux.KindGitRepository || !(kp == "." || want == kp || strings.HasPrefix(want, kp+"/")) {
			return nil
		}
		d := strings.Count(kp, "/")
		if kp == "." {
			d = -1
		}
		switch {
		case d > depth:
			best, depth = []*unstructured.Unstructured{u.DeepCopy()}, d
		case d == depth:
			best = append(best, u.DeepCopy())
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	if len(best) == 0 {
		return nil, exitcode.New(exitcode.NotFound, "no Kustomization applies %s: name them with -k", output.Safe(p))
	}
	return best, nil
}

// cleanPath is p relative to the top of the repository, "." for the top itself (a
// Kustomization of path "./" or "" applies every folder).
func cleanPath(p string) string {
	if c := strings.TrimPrefix(path.Clean("/"+strings.TrimPrefix(p, "./")), "/"); c != "" {
		return c
	}
	return "."
}

// trackedBranch is the branch the source applies; a session starts from it, so a
// source on a tag, a commit or a switched branch is refused.
func trackedBranch(ctx context.Context, repo *sourcev1.GitRepository) (string, error) {
	rec, err := status.SwitchOf(repo.Annotations)
	if err != nil {
		return "", err
	}
	if rec != nil {
		return "", exitcode.New(exitcode.Failure, "GitRepository %s/%s is switched or pinned by %s and does not apply its own branch: put it back first ('%s')", repo.Namespace, repo.Name, invocation.Suite(ctx), rec.UndoCommand(ctx, repo.Namespace, repo.Name))
	}
	ref := source.FromGit(repo.Spec.Reference)
	if b := ref.TrackedBranch(); b != "" && ref.Kind != source.RefCommit {
		return b, nil
	}
	return "", exitcode.New(exitcode.Usage, "GitRepository %s/%s tracks %s, not a branch: a dev session branches from the branch Flux applies", repo.Namespace, repo.Name, ref)
}

// checkFree refuses a session whose Kustomizations another session (or anyone) has
// suspended already: resuming them at the end would undo someone else's pause.
func checkFree(ctx context.Context, dyn dynamic.Interface, s *Session, targets []*unstructured.Unstructured) error {
	open, _, err := Store{Dyn: dyn}.List(ctx, "", s.Namespace)
	if err != nil {
		return err
	}
	for _, o := range open {
		if o.ID == s.ID && o.Namespace == s.Namespace {
			return exitcode.New(exitcode.Failure, "a dev session %q is already open (by %s since %s): finish or abort it first", o.ID, orSomeone(o.User), o.Started.Format(time.RFC3339))
		}
		for _, k := range s.Kustomizations {
			if o.pauses(k.Namespace, k.Name) {
				return exitcode.New(exitcode.Failure, "Kustomization %s/%s is paused by dev session %q of %s (since %s): work in that session, or wait until it is finished; nothing was changed",
					k.Namespace, k.Name, o.ID, orSomeone(o.User), o.Started.Format(time.RFC3339))
			}
		}
	}
	for _, u := range targets {
		if manager := suspendOwner(u); manager != "" {
			return exitcode.New(exitcode.Failure, "Kustomization %s/%s declares spec.suspend in Git (field manager %s): the Kustomization that applies it would undo the pause; remove spec.suspend from its manifest first; nothing was changed",
				u.GetNamespace(), u.GetName(), output.Safe(manager))
		}
		if status.Of(u).Suspended {
			rec := status.SuspensionOf(u.GetAnnotations())
			return exitcode.New(exitcode.Failure, "Kustomization %s/%s is already suspended (%s): a session resumes what it pauses, so it cannot take over someone else's suspension; nothing was changed",
				u.GetNamespace(), u.GetName(), orSomeone(rec.String(time.Now())))
		}
	}
	return nil
}

// suspendOwner names kustomize-controller when it owns spec.suspend: Git declares the
// field, and every apply of the parent puts Git's value back.
func suspendOwner(u *unstructured.Unstructured) string {
	for _, mf := range u.GetManagedFields() {
		if mf.Manager != fluxManager || mf.FieldsV1 == nil {
			continue
		}
		var fields map[string]map[string]any
		if json.Unmarshal(mf.FieldsV1.GetRawBytes(), &fields) != nil {
			continue
		}
		if _, ok := fields["f:spec"]["f:suspend"]; ok {
			return mf.Manager
		}
	}
	return ""
}

// parentNotes names the Kustomizations that apply a paused one from Git: their apply
// leaves spec.suspend alone, since it is the suite's field manager's, not Git's.
func parentNotes(targets []*unstructured.Unstructured) []string {
	var notes []string
	for _, u := range targets {
		l := u.GetLabels()
		if p := l[flux.KustomizeNameLabel]; p != "" {
			notes = append(notes, fmt.Sprintf("Kustomization %s/%s applies %s/%s from Git; its applies keep the suspension (spec.suspend is owned by the suite's field manager, not by Git)",
				l[flux.KustomizeNamespaceLabel], p, u.GetNamespace(), u.GetName()))
		}
	}
	return notes
}

func first(lines []string, n int) []string {
	if len(lines) > n {
		return append(lines[:n:n], fmt.Sprintf("and %d more", len(lines)-n))
	}
	return lines
}

func orSomeone(s string) string {
	if s == "" {
		return "someone"
	}
	return s
}
