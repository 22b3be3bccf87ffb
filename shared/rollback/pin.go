// Package rollback brings what a Kustomization applies back to a revision it applied
// before: by pinning its source to that commit in the cluster (the emergency brake when
// Git cannot be written) or by a new commit in Git that restores the files (the GitOps
// way), and waits until Flux applied the result.
package rollback

import (
	"context"
	"fmt"
	"strings"

	kustomizev1 "github.com/fluxcd/kustomize-controller/api/v1"
	sourcev1 "github.com/fluxcd/source-controller/api/v1"
	"k8s.io/client-go/dynamic"

	"github.com/kubectl-gitops/kubectl-gitops/shared/branch"
	"github.com/kubectl-gitops/kubectl-gitops/shared/exitcode"
	"github.com/kubectl-gitops/kubectl-gitops/shared/flux"
	"github.com/kubectl-gitops/kubectl-gitops/shared/git"
	"github.com/kubectl-gitops/kubectl-gitops/shared/history"
	"github.com/kubectl-gitops/kubectl-gitops/shared/invocation"
	"github.com/kubectl-gitops/kubectl-gitops/shared/reconcile"
	"github.com/kubectl-gitops/kubectl-gitops/shared/redact"
	"github.com/kubectl-gitops/kubectl-gitops/shared/revision"
	"github.com/kubectl-gitops/kubectl-gitops/shared/source"
	"github.com/kubectl-gitops/kubectl-gitops/shared/status"
)

// Target is the Kustomization a rollback is about, its source and the history entry
// it goes back to.
type Target struct {
	Kustomization kustomizev1.Kustomization
	// Source is the GitRepository the Kustomization reads.
	SourceNamespace, SourceName string
	Entry                       history.Entry
	// History is the Kustomization's history in the order the choice was read in.
	History []history.Entry
}

// Resolve reads the Kustomization namespace/name, checks that it reads a GitRepository,
// and picks the history entry the choice names (none for an unpin). With a clone
// (gitDir), Git's ancestry orders the history where Flux's timestamps cannot.
func Resolve(ctx context.Context, dyn dynamic.Interface, namespace, name string, choice *history.Choice, gitDir string) (*Target, error) {
	t := &Target{}
	if err := flux.GetInto(ctx, dyn, namespace, name, &t.Kustomization); err != nil {
		return nil, err
	}
	ref := t.Kustomization.Spec.SourceRef
	if ref.Kind != flux.KindGitRepository {
		return nil, exitcode.New(exitcode.Usage, "Kustomization %s/%s reads a %s, not a GitRepository: only a Git source can be pinned to a commit or reverted in Git", namespace, name, ref.Kind)
	}
	t.SourceNamespace, t.SourceName = flux.RefNamespace(ref.Namespace, namespace), ref.Name
	if choice == nil {
		return t, nil
	}
	t.History = history.FromKustomization(&t.Kustomization)
	if gitDir != "" {
		history.Reorder(t.History, history.GitAncestry(ctx, gitDir))
	}
	entry, err := history.Pick(ctx, t.History, *choice)
	if err != nil {
		return nil, err
	}
	t.Entry = entry
	return t, nil
}

// Running is the entry of the revision the Kustomization applied last, if any.
func (t *Target) Running() (history.Entry, bool) {
	for _, e := range t.History {
		if e.Current {
			return e, true
		}
	}
	return history.Entry{}, false
}

// NewestFailed is the entry of the revision Flux tried last, when that is not the one
// running and it did not apply successfully.
func (t *Target) NewestFailed() (history.Entry, bool) {
	for _, e := range t.History {
		if e.LastAttempted && !e.Current && e.Status != history.Succeeded {
			return e, true
		}
	}
	return history.Entry{}, false
}

// PinRequest is a pin or unpin of the source of Kustomization Namespace/Name; Switch
// carries the confirmation, dry run, wait and record settings of the source change.
type PinRequest struct {
	Namespace, Name string
	Choice          history.Choice
	// GitDir, when set, is a clone of the source: the target and the commits the pin
	// undoes are named with their subjects and authors, and Git's ancestry orders the
	// history.
	GitDir string
	Switch branch.Request
}

// Pin sets the Kustomization's source to the chosen commit (spec.ref.commit, keeping
// the branch), through the branch command's one way of changing a ref: recorded, the
// parent kept from undoing it, every consumer waited for. A pin moves every consumer of
// a shared source: they are named before asking, and in the result.
func Pin(ctx context.Context, dyn dynamic.Interface, r PinRequest) (*branch.Result, error) {
	t, err := Resolve(ctx, dyn, r.Namespace, r.Name, &r.Choice, r.GitDir)
	if err != nil {
		return nil, err
	}
	// --to-last-good and --steps counted from a newest commit that never applied land
	// on the revision running: nothing to do. --to names a commit on purpose (it may
	// still move the source's other consumers back), so it is pinned.
	if running, ok := t.Running(); ok && running.SHA == t.Entry.SHA && r.Choice.To == "" {
		return alreadyRunning(ctx, dyn, t, r)
	}
	plan, err := t.plan(ctx, dyn, r.GitDir)
	if err != nil {
		return nil, err
	}
	consumers, err := source.Consumers(ctx, dyn, t.SourceNamespace, t.SourceName, "")
	if err != nil && exitcode.Of(err) != exitcode.Forbidden {
		return nil, err
	}
	names := make([]string, 0, len(consumers))
	for _, c := range consumers {
		names = append(names, c.Kind+" "+c.Namespace+"/"+c.Name)
	}
	req := r.Switch
	req.Namespace, req.Name, req.Commit = t.SourceNamespace, t.SourceName, t.Entry.SHA
	req.UndoCommand = fmt.Sprintf("%s rollback unpin %s -n %s", invocation.Canonical, r.Name, r.Namespace) // recorded: canonical
	if confirm := req.Confirm; confirm != nil {
		req.Confirm = func(summary string) error {
			summary += ", " + plan.Summary()
			if len(names) > 1 {
				summary += "; this moves every consumer of the source: " + strings.Join(names, ", ")
			}
			return confirm(summary)
		}
	}
	res, err := branch.Set(ctx, dyn, req)
	if res == nil {
		return nil, err
	}
	res.Plan = plan
	if len(res.Consumers) == 0 {
		// Not waited for (a dry run, --wait=false): still say what the pin moves.
		status := "NotWaited"
		if res.DryRun {
			status = "Planned"
		}
		for _, c := range consumers {
			res.Consumers = append(res.Consumers, reconcile.Outcome{Kind: c.Kind, Namespace: c.Namespace, Name: c.Name, Applied: c.Applied, Status: status})
		}
	}
	if res.Changed || res.DryRun {
		branchName := "its branch"
		if res.To != nil && res.To.Branch != "" {
			branchName = "branch " + res.To.Branch
		}
		res.Notes = append(res.Notes, fmt.Sprintf("the cluster now differs from %s: Flux applies commit %s and nothing newer until '%s'",
			branchName, git.Short(t.Entry.SHA), invocation.Rewrite(ctx, req.UndoCommand)))
	}
	return res, err
}

// Unpin puts the Kustomization's source back to the ref recorded by the pin.
func Unpin(ctx context.Context, dyn dynamic.Interface, r PinRequest) (*branch.Result, error) {
	t, err := Resolve(ctx, dyn, r.Namespace, r.Name, nil, "")
	if err != nil {
		return nil, err
	}
	req := r.Switch
	req.Namespace, req.Name = t.SourceNamespace, t.SourceName
	return branch.Restore(ctx, dyn, req)
}

// AppliedBy names the Kustomization that applies the HelmRelease namespace/name (its
// kustomize.toolkit.fluxcd.io labels): a HelmRelease's chart version and values live in
// that Kustomization's files, so that is what a revert in Git works on.
func AppliedBy(ctx context.Context, dyn dynamic.Interface, namespace, name string) (string, string, error) {
	u, err := flux.Get(ctx, dyn, flux.KindHelmRelease, namespace, name)
	if err != nil {
		return "", "", err
	}
	l := u.GetLabels()
	ksName, ksNamespace := l[flux.KustomizeNameLabel], l[flux.KustomizeNamespaceLabel]
	if ksName == "" || ksNamespace == "" {
		return "", "", exitcode.New(exitcode.NotManaged, "HelmRelease %s/%s is not applied by a Flux Kustomization (no %s label): revert its manifest where it was applied from", namespace, name, flux.KustomizeNameLabel)
	}
	return ksNamespace, ksName, nil
}

// alreadyRunning answers a pin whose target is the revision running now: nothing is
// written. When the newest commit never applied, the cluster already runs the last good
// revision, and what undoes that commit is a revert in Git, not a pin.
func alreadyRunning(ctx context.Context, dyn dynamic.Interface, t *Target, r PinRequest) (*branch.Result, error) {
	res, err := branch.Unchanged(ctx, dyn, t.SourceNamespace, t.SourceName, status.SwitchPin)
	if err != nil {
		return nil, err
	}
	res.Plan = history.PlanFromHistory(t.History, t.Entry)
	res.Plan.Undoes = []history.Revision{}
	running := *res.Plan.Target
	if failed, ok := t.NewestFailed(); ok {
		clone := r.GitDir
		if clone == "" {
			clone = "CLONE"
		}
		res.Notes = append(res.Notes, fmt.Sprintf("the cluster already runs the last good revision, %s; the newest commit %s never applied (%s): '%s' undoes it in Git; nothing was changed",
			running, git.Short(failed.SHA), failed.Status, invocation.Command(ctx, fmt.Sprintf("rollback revert %s -n %s --commit %s --git-dir %s", r.Name, r.Namespace, git.Short(failed.SHA), clone))))
		return res, nil
	}
	res.Notes = append(res.Notes, fmt.Sprintf("the cluster already runs %s: nothing to pin; name an older revision with --to (see '%s')", running, invocation.Command(ctx, fmt.Sprintf("rollback history %s -n %s", r.Name, r.Namespace))))
	return res, nil
}

// plan names the target and the commits a pin takes out of the cluster: from the
// clone when there is one (every commit between the target and what the source holds
// now, since every consumer of the source moves), else from the history.
func (t *Target) plan(ctx context.Context, dyn dynamic.Interface, gitDir string) (*history.Plan, error) {
	if gitDir == "" {
		return history.PlanFromHistory(t.History, t.Entry), nil
	}
	var gr sourcev1.GitRepository
	if err := flux.GetInto(ctx, dyn, t.SourceNamespace, t.SourceName, &gr); err != nil {
		return nil, err
	}
	if _, err := git.RemoteFor(ctx, gitDir, gr.Spec.URL); err != nil {
		return nil, exitcode.Wrap(exitcode.Usage, fmt.Errorf("--git-dir: %s: pass the folder of a clone of %s", redact.Text(err.Error()), redact.URL(gr.Spec.URL)))
	}
	tip := ""
	if a := gr.Status.Artifact; a != nil {
		if rev, err := revision.Parse(a.Revision); err == nil {
			tip = rev.Commit()
		}
	}
	if !git.HasCommit(ctx, gitDir, t.Entry.SHA) || (tip != "" && !git.HasCommit(ctx, gitDir, tip)) {
		return nil, exitcode.New(exitcode.NotFound, "the clone at %s lacks commit %s or %s: run 'git -C %s fetch' and again", gitDir, git.Short(t.Entry.SHA), git.Short(tip), gitDir)
	}
	return history.PlanFromGit(ctx, gitDir, t.Entry.SHA, tip, nil, t.History)
}
