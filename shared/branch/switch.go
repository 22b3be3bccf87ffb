package branch

import (
	"context"
	"encoding/json"
	"sort"
	"strings"

	"fmt"
	"time"

	"k8s.io/apimachinery/pkg/types"

	kustomizev1 "github.com/fluxcd/kustomize-controller/api/v1"
	sourcev1 "github.com/fluxcd/source-controller/api/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/client-go/dynamic"

	"github.com/kubectl-gitops/kubectl-gitops/shared/cluster"
	"github.com/kubectl-gitops/kubectl-gitops/shared/diff"
	"github.com/kubectl-gitops/kubectl-gitops/shared/exitcode"
	"github.com/kubectl-gitops/kubectl-gitops/shared/flux"
	"github.com/kubectl-gitops/kubectl-gitops/shared/history"
	"github.com/kubectl-gitops/kubectl-gitops/shared/inventory"
	"github.com/kubectl-gitops/kubectl-gitops/shared/invocation"
	"github.com/kubectl-gitops/kubectl-gitops/shared/output"
	"github.com/kubectl-gitops/kubectl-gitops/shared/reconcile"
	"github.com/kubectl-gitops/kubectl-gitops/shared/redact"
	"github.com/kubectl-gitops/kubectl-gitops/shared/source"
	"github.com/kubectl-gitops/kubectl-gitops/shared/status"
	"github.com/kubectl-gitops/kubectl-gitops/shared/suggest"
	"github.com/kubectl-gitops/kubectl-gitops/shared/write"
)

// Request says what to switch and how.
type Request struct {
	Namespace, Name string
	// Branch is the branch to switch to (Set only).
	Branch string
	// Commit, instead of Branch, pins the source to one commit and keeps the branch it
	// tracks (spec.ref.commit beside spec.ref.branch): the rollback's emergency brake.
	Commit string
	// UndoCommand is the command, canonical (it is recorded on the object, see
	// Record.UndoCommand), the result names to undo the change (default: branch
	// restore of the source).
	UndoCommand string
	// Hooks: who switches (for the record), a server-side dry run, the confirmation
	// asked before anything is written, progress and the clock.
	write.Hooks
	// Wait until the source fetched the ref and every consumer applied it.
	Wait bool
	// AutoRestore restores the recorded ref when the switch does not apply, within
	// RestoreTimeout.
	AutoRestore    bool
	RestoreTimeout time.Duration
	// RestoreContext bounds the restore instead of the switch's context, which may
	// have run out: the command's own (Ctrl-C still stops it).
	RestoreContext context.Context
	// Remote lists the branches of a Git URL and the commit of each, with the user's
	// own git (git.Heads); err when git could not ask.
	Remote func(ctx context.Context, url string) (heads map[string]string, err error)
	// Preview (Set and pin), when set, says what each Kustomization reading the source
	// will change when it applies the commit switched to: shown before asking, kept in
	// the result.
	Preview func(ctx context.Context, namespace, name, commit string) []diff.ConsumerPreview
}

// Result is the document `branch set|restore -o json|yaml` prints: kind BranchSwitch.
type Result struct {
	output.TypeMeta `json:",inline"`
	Object          output.ObjectRef `json:"object"`
	// Action is "set" or "restore".
	Action string `json:"action"`
	// Changed is false for a no-op (already on that ref, nothing to restore).
	Changed bool        `json:"changed"`
	DryRun  bool        `json:"dryRun,omitempty"`
	From    *source.Ref `json:"from,omitempty"`
	To      *source.Ref `json:"to,omitempty"`
	// Cleared are the fields that outranked the branch and were removed.
	Cleared []string `json:"cleared,omitempty"`
	// RevisionBefore and RevisionAfter are the artifact revisions.
	RevisionBefore string `json:"revisionBefore,omitempty"`
	RevisionAfter  string `json:"revisionAfter,omitempty"`
	// ExpectedCommit is what the remote says the ref points at, when git could ask.
	ExpectedCommit string `json:"expectedCommit,omitempty"`
	// Parent is what was done to the Kustomization that applies the source from Git.
	Parent    *Parent             `json:"parent,omitempty"`
	Consumers []reconcile.Outcome `json:"consumers,omitempty"`
	// Undo is the command that puts everything back.
	Undo            string  `json:"undo,omitempty"`
	DurationSeconds float64 `json:"durationSeconds"`
	// Changes are what each Kustomization reading the source was to change when it
	// applied the commit switched to, as previewed before the switch.
	Changes []diff.ConsumerPreview `json:"changes,omitempty"`
	// Notes are what the user must know (the remote could not be asked, …).
	Notes []string `json:"notes,omitempty"`
	// Restored is the restore --auto-restore ran after a switch that did not apply.
	Restored *Result `json:"restored,omitempty"`
	// Plan is, for a pin, the commit it goes back to and the commits it takes out of
	// the cluster.
	Plan *history.Plan `json:"plan,omitempty"`
}

// Parent names the Kustomization that manages the GitRepository and what the switch did.
type Parent struct {
	Namespace string `json:"namespace"`
	Name      string `json:"name"`
	// Action is "skips the GitRepository" (set) or "manages it again" (restore).
	Action string `json:"action"`
}

// Set switches the GitRepository to r.Branch.
func Set(ctx context.Context, dyn dynamic.Interface, r Request) (*Result, error) {
	start := r.Clock()
	u, gr, err := get(ctx, dyn, r.Namespace, r.Name)
	if err != nil {
		return nil, err
	}
	action, verb := status.SwitchSet, "switch"
	if r.Commit != "" {
		action, verb = status.SwitchPin, "pin"
	}
	res := r.newResult(ctx, action, gr, u)
	newRef, refName := r.target(gr.Spec.Reference)
	to := source.FromGit(newRef)
	res.To = &to
	if *res.From == to {
		res.Notes = append(res.Notes, fmt.Sprintf("already tracks %s: nothing to do", to))
		return res, nil
	}
	sha := r.Commit
	if r.Commit == "" {
		if sha, err = r.checkRemote(ctx, gr.Spec.URL, r.Branch, res); err != nil {
			return nil, err
		}
	}
	rec, err := status.SwitchOf(u.GetAnnotations())
	if err != nil {
		return nil, err
	}
	if rec == nil {
		// The first switch records the ref to come back to; a later one keeps it.
		rec = &status.Switch{Action: action, RefBefore: gr.Spec.Reference, By: r.User, At: r.Clock().UTC().Truncate(time.Second), Undo: r.undoCommand(gr)}
		if parent, ok, err := parentOf(ctx, dyn, u); err != nil {
			return nil, err
		} else if ok {
			rec.Parent, rec.ParentDisabled = parent, true
			if v, ok := u.GetAnnotations()[ReconcileAnnotation]; ok {
				rec.ReconcileBefore = &v
			}
		}
	}
	if newRef.Branch != "" {
		res.Cleared = cleared(gr.Spec.Reference)
	}
	recJSON, err := json.Marshal(rec)
	if err != nil {
		return nil, err
	}
	annotations := map[string]any{status.SwitchAnnotation: string(recJSON)}
	if rec.ParentDisabled {
		annotations[ReconcileAnnotation] = ReconcileDisabled
		res.Parent = parentResult(rec.Parent, "skips the GitRepository until restore (kustomize.toolkit.fluxcd.io/reconcile: disabled)")
	}
	summary := fmt.Sprintf("%s GitRepository %s/%s from %s to %s", verb, r.Namespace, r.Name, res.From, to)
	if res.Parent != nil {
		summary += fmt.Sprintf("; Kustomization %s %s", rec.Parent, res.Parent.Action)
	}
	if r.Preview != nil && sha != "" {
		r.Say("previewing what the Kustomizations reading it will change (dry runs, nothing written)")
		pctx, cancel := diff.PreviewContext(ctx)
		res.Changes = r.Preview(pctx, r.Namespace, r.Name, sha)
		cancel()
		for _, c := range res.Changes {
			summary += "\n  " + output.Safe(c.String())
		}
	}
	if err := r.write(ctx, dyn, u, refPatch(newRef), annotations, summary, res); err != nil {
		return nil, err
	}
	err = r.finish(ctx, dyn, res, refName, sha, start)
	if err == nil || !r.AutoRestore || !res.Changed || cluster.IsInterrupted(err) {
		// Stopped by the user: nothing is restored behind their back; the undo is printed.
		return res, err
	}
	// The new ref did not apply: back to the recorded ref, waited for like any restore.
	r.Say("the switch failed (%v): restoring", err)
	back, rerr := r.undo(ctx, dyn, r.Namespace, r.Name)
	res.Restored = back
	if rerr != nil {
		return res, exitcode.New(exitcode.Of(err), "%v; restoring failed too: %v", err, rerr)
	}
	res.Undo = ""
	return res, exitcode.New(exitcode.Of(err), "%v; restored to %s and applied again", err, back.To)
}

// undo restores one source after a switch that did not apply: without asking again
// (--auto-restore was agreed to with the switch), within a budget of its own, since the
// switch may have used all of ctx's.
func (r Request) undo(ctx context.Context, dyn dynamic.Interface, namespace, name string) (*Result, error) {
	base := r.RestoreContext
	if base == nil {
		base = context.WithoutCancel(ctx)
	}
	budget := r.RestoreTimeout
	if budget <= 0 {
		budget = 5 * time.Minute
	}
	restoreCtx, cancel := context.WithTimeout(base, budget)
	defer cancel()
	back := r
	back.Namespace, back.Name, back.Confirm = namespace, name, nil
	return Restore(restoreCtx, dyn, back)
}

// Restore puts the GitRepository back to the ref recorded by the first switch and
// hands it back to its parent.
func Restore(ctx context.Context, dyn dynamic.Interface, r Request) (*Result, error) {
	start := r.Clock()
	u, gr, err := get(ctx, dyn, r.Namespace, r.Name)
	if err != nil {
		return nil, err
	}
	res := r.newResult(ctx, status.SwitchRestore, gr, u)
	rec, err := status.SwitchOf(u.GetAnnotations())
	if err != nil {
		return nil, err
	}
	if rec == nil {
		res.Undo = ""
		res.Notes = append(res.Notes, "was never switched by "+invocation.Command(ctx, "branch set")+": nothing to restore")
		return res, nil
	}
	to := source.FromGit(rec.RefBefore)
	res.To = &to
	annotations := map[string]any{status.SwitchAnnotation: nil}
	if rec.ParentDisabled {
		if rec.ReconcileBefore != nil {
			annotations[ReconcileAnnotation] = *rec.ReconcileBefore
		} else {
			annotations[ReconcileAnnotation] = nil
		}
		res.Parent = parentResult(rec.Parent, "manages the GitRepository again")
	}
	var sha string
	if b := to.TrackedBranch(); b != "" && to.Kind != source.RefCommit {
		if sha, err = r.checkRemote(ctx, gr.Spec.URL, b, res); err != nil {
			return nil, err
		}
	}
	summary := fmt.Sprintf("restore GitRepository %s/%s from %s to %s, as recorded on %s", r.Namespace, r.Name, res.From, to, rec.At.Format(time.RFC3339))
	if err := r.write(ctx, dyn, u, refPatch(rec.RefBefore), annotations, summary, res); err != nil {
		return nil, err
	}
	res.Undo = ""
	return res, r.finish(ctx, dyn, res, to.RevisionRef(), sha, start)
}

// target is the ref a Set writes and the ref name its artifact revision will carry
// ("" for a bare commit). A source that names its ref in full (flux-operator's roots:
// ref.name refs/heads/main) keeps that style; every other one gets ref.branch. A pin
// keeps the branch tracked, so that unpinning is only clearing the commit.
func (r Request) target(current *sourcev1.GitRepositoryRef) (*sourcev1.GitRepositoryRef, string) {
	if r.Commit != "" {
		if from := source.FromGit(current); from.Kind == source.RefBranch || from.Branch != "" {
			b := from.TrackedBranch()
			return &sourcev1.GitRepositoryRef{Branch: b, Commit: r.Commit}, b
		}
		return &sourcev1.GitRepositoryRef{Commit: r.Commit}, ""
	}
	if current != nil && current.Commit == "" && strings.HasPrefix(current.Name, "refs/heads/") {
		name := "refs/heads/" + r.Branch
		return &sourcev1.GitRepositoryRef{Name: name}, name
	}
	return &sourcev1.GitRepositoryRef{Branch: r.Branch}, r.Branch
}

func get(ctx context.Context, dyn dynamic.Interface, namespace, name string) (*unstructured.Unstructured, *sourcev1.GitRepository, error) {
	u, err := flux.Get(ctx, dyn, flux.KindGitRepository, namespace, name)
	if err != nil {
		return nil, nil, err
	}
	var gr sourcev1.GitRepository
	if err := flux.FromUnstructured(u, &gr); err != nil {
		return nil, nil, err
	}
	if gr.Spec.Suspend {
		// A suspended source fetches nothing: the switch could never be applied.
		return nil, nil, exitcode.New(exitcode.Failure, "GitRepository %s/%s is suspended: resume it first (flux resume source git %s -n %s); nothing was changed", namespace, name, name, namespace)
	}
	return u, &gr, nil
}

// Unchanged is the result of an action that found nothing to do on GitRepository
// namespace/name: what it tracks, nothing written.
func Unchanged(ctx context.Context, dyn dynamic.Interface, namespace, name, action string) (*Result, error) {
	u, gr, err := get(ctx, dyn, namespace, name)
	if err != nil {
		return nil, err
	}
	res := Request{}.newResult(ctx, action, gr, u)
	res.Undo = ""
	return res, nil
}

// undoCommand is the command that puts gr back, canonical: it is recorded on the object, and
// whoever reads the record names it as they typed the suite.
func (r Request) undoCommand(gr *sourcev1.GitRepository) string {
	if r.UndoCommand != "" {
		return r.UndoCommand
	}
	return status.RestoreCommand(gr.Namespace, gr.Name)
}

func (r Request) newResult(ctx context.Context, action string, gr *sourcev1.GitRepository, u *unstructured.Unstructured) *Result {
	from := source.FromGit(gr.Spec.Reference)
	res := &Result{
		TypeMeta: output.NewTypeMeta(output.KindBranchSwitch),
		Object:   output.ObjectRef{Kind: flux.KindGitRepository, Namespace: gr.Namespace, Name: gr.Name},
		Action:   action, From: &from, Undo: invocation.Rewrite(ctx, r.undoCommand(gr)),
	}
	if gr.Status.Artifact != nil {
		res.RevisionBefore = gr.Status.Artifact.Revision
	}
	return res
}

func parentResult(parent, action string) *Parent {
	ns, name, _ := strings.Cut(parent, "/")
	return &Parent{Namespace: ns, Name: name, Action: action}
}

// checkRemote asks the remote for branch with the user's git: a branch that does not
// exist is refused before anything is written; a remote git cannot reach (credentials
// only the cluster has) is noted and the wait decides.
func (r Request) checkRemote(ctx context.Context, url, branch string, res *Result) (string, error) {
	if r.Remote == nil {
		return "", nil
	}
	heads, err := r.Remote(ctx, url)
	sha, found := heads[branch]
	switch {
	case err != nil:
		res.Notes = append(res.Notes, fmt.Sprintf("could not ask %s whether branch %s exists (%v): the wait will tell", redact.URL(url), branch, redact.Text(err.Error())))
		return "", nil
	case !found:
		names := make([]string, 0, len(heads))
		for name := range heads {
			names = append(names, name)
		}
		sort.Strings(names)
		hint := ""
		if close := suggest.Closest(branch, names, 3, 3); len(close) > 0 {
			hint = "; did you mean " + strings.Join(close, " or ") + "?"
		}
		return "", exitcode.New(exitcode.NotFound, "branch %q does not exist in %s%s: nothing was changed (list the branches with 'git ls-remote --heads %s')", branch, redact.URL(url), hint, redact.URL(url))
	}
	res.ExpectedCommit = sha
	return sha, nil
}

// write changes spec.ref and the annotations, nothing else, through the suite's one
// write, flux.Patch (a resourceVersion precondition, cluster.FieldManager), after asking.
func (r Request) write(ctx context.Context, dyn dynamic.Interface, u *unstructured.Unstructured, ref map[string]any, annotations map[string]any, summary string, res *Result) error {
	if err := r.Ask(summary); err != nil {
		return err
	}
	patch := map[string]any{"metadata": map[string]any{"annotations": annotations}, "spec": map[string]any{"ref": ref}}
	rv := u.GetResourceVersion()
	for attempt := 0; ; attempt++ {
		err := flux.Patch(ctx, dyn, flux.KindGitRepository, u.GetNamespace(), u.GetName(), rv, patch, r.DryRun)
		if err == nil {
			break
		}
		if !flux.IsChanged(err) || attempt == 3 {
			return err
		}
		// source-controller writes status all the time, and each write moves the
		// resourceVersion. A retry is safe only when nobody changed what this write
		// decides from: the spec (its generation) and the suite's annotations.
		now, gerr := flux.Get(ctx, dyn, flux.KindGitRepository, u.GetNamespace(), u.GetName())
		if gerr != nil || !sameIntent(u, now) {
			return err
		}
		rv = now.GetResourceVersion()
	}
	res.DryRun, res.Changed = r.DryRun, !r.DryRun
	return nil
}

// parentOf returns the Kustomization whose labels are on u and whose inventory lists
// it: the parent that would re-apply Git's ref.
func parentOf(ctx context.Context, dyn dynamic.Interface, u *unstructured.Unstructured) (string, bool, error) {
	l := u.GetLabels()
	name, ns := l[flux.KustomizeNameLabel], l[flux.KustomizeNamespaceLabel]
	if name == "" || ns == "" {
		return "", false, nil
	}
	var ks kustomizev1.Kustomization
	if err := flux.GetInto(ctx, dyn, ns, name, &ks); err != nil {
		if exitcode.Of(err) == exitcode.NotFound {
			return "", false, nil // stale labels: nothing will re-apply it
		}
		return "", false, err
	}
	if ks.Status.Inventory == nil {
		return ns + "/" + name, true, nil // not applied yet, but it will be
	}
	refs := make([]inventory.Ref, 0, len(ks.Status.Inventory.Entries))
	for _, e := range ks.Status.Inventory.Entries {
		refs = append(refs, inventory.Ref{ID: e.ID, V: e.Version})
	}
	idx, _ := inventory.NewIndex(refs)
	gk := schema.GroupKind{Group: sourcev1.GroupVersion.Group, Kind: flux.KindGitRepository}
	return ns + "/" + name, idx.Contains(gk, u.GetNamespace(), u.GetName()), nil
}

// sameIntent says that between before and now only what the controllers write changed
// (status, and with it the resourceVersion): the same generation, the same record and
// the same parent opt-out.
func sameIntent(before, now *unstructured.Unstructured) bool {
	a, b := before.GetAnnotations(), now.GetAnnotations()
	return before.GetGeneration() == now.GetGeneration() &&
		a[status.SwitchAnnotation] == b[status.SwitchAnnotation] && a[ReconcileAnnotation] == b[ReconcileAnnotation]
}

// SetFleet switches every target in turn; with r.AutoRestore it is all or nothing:
// when one does not apply, every source switched so far is restored too (the failing one
// restores itself), and the first failure is returned.
func SetFleet(ctx context.Context, dyn dynamic.Interface, r Request, targets []types.NamespacedName) ([]*Result, error) {
	var results []*Result
	var switched []*Result // the results of the sources this call moved
	for _, t := range targets {
		one := r
		one.Namespace, one.Name = t.Namespace, t.Name
		res, err := Set(ctx, dyn, one)
		if res != nil {
			results = append(results, res)
		}
		if err == nil {
			if res != nil && res.Changed {
				switched = append(switched, res)
			}
			continue
		}
		if !r.AutoRestore || r.DryRun {
			return results, err
		}
		for _, done := range switched {
			restored, rerr := r.undo(ctx, dyn, done.Object.Namespace, done.Object.Name)
			done.Restored = restored
			if rerr != nil {
				return results, exitcode.New(exitcode.Of(err), "%v; restoring GitRepository %s/%s failed too: %v", err, done.Object.Namespace, done.Object.Name, rerr)
			}
			done.Undo = ""
		}
		return results, exitcode.New(exitcode.Of(err), "%v; every source switched before it was restored too (all or nothing)", err)
	}
	return results, nil
}
