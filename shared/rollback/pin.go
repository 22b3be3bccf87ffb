// Package rollback brings what a Kustomization applies back to a revision it applied
// before: by pinning its source to that commit in the cluster (the emergency brake when
// Git cannot be written) or by a new commit in Git that restores the files (the GitOps
// way), and waits until Flux applied the result.
package rollback

import (
	"context"
	"fmt"
	"strings"

	"github.com/kubectl-gitops/kubectl-gitops/shared/git"

	kustomizev1 "github.com/fluxcd/kustomize-controller/api/v1"
	"k8s.io/client-go/dynamic"

	"github.com/kubectl-gitops/kubectl-gitops/shared/branch"
	"github.com/kubectl-gitops/kubectl-gitops/shared/exitcode"
	"github.com/kubectl-gitops/kubectl-gitops/shared/flux"
	"github.com/kubectl-gitops/kubectl-gitops/shared/history"
	"github.com/kubectl-gitops/kubectl-gitops/shared/reconcile"
	"github.com/kubectl-gitops/kubectl-gitops/shared/source"
)

// Target is the Kustomization a rollback is about, its source and the history entry
// it goes back to.
type Target struct {
	Kustomization kustomizev1.Kustomization
	// Source is the GitRepository the Kustomization reads.
	SourceNamespace, SourceName string
	Entry                       history.Entry
}

// Resolve reads the Kustomization namespace/name, checks that it reads a GitRepository,
// and picks the history entry the choice names (none for an unpin).
func Resolve(ctx context.Context, dyn dynamic.Interface, namespace, name string, choice *history.Choice) (*Target, error) {
	t := &Target{}
	if err := flux.GetInto(ctx, dyn, flux.KindKustomization, namespace, name, &t.Kustomization); err != nil {
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
	entry, err := history.Pick(history.FromKustomization(&t.Kustomization), *choice)
	if err != nil {
		return nil, err
	}
	t.Entry = entry
	return t, nil
}

// PinRequest is a pin or unpin of the source of Kustomization Namespace/Name; Switch
// carries the confirmation, dry run, wait and record settings of the source change.
type PinRequest struct {
	Namespace, Name string
	Choice          history.Choice
	Switch          branch.Request
}

// Pin sets the Kustomization's source to the chosen commit (spec.ref.commit, keeping
// the branch), through the branch command's one way of changing a ref: recorded, the
// parent kept from undoing it, every consumer waited for. A pin moves every consumer of
// a shared source: they are named before asking, and in the result.
func Pin(ctx context.Context, dyn dynamic.Interface, r PinRequest) (*branch.Result, error) {
	t, err := Resolve(ctx, dyn, r.Namespace, r.Name, &r.Choice)
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
	req.UndoCommand = fmt.Sprintf("kubectl gitops rollback unpin %s -n %s", r.Name, r.Namespace)
	if confirm := req.Confirm; confirm != nil && len(names) > 1 {
		req.Confirm = func(summary string) error {
			return confirm(summary + "; this moves every consumer of the source: " + strings.Join(names, ", "))
		}
	}
	res, err := branch.Set(ctx, dyn, req)
	if res == nil {
		return nil, err
	}
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
			branchName, git.Short(t.Entry.SHA), req.UndoCommand))
	}
	return res, err
}

// Unpin puts the Kustomization's source back to the ref recorded by the pin.
func Unpin(ctx context.Context, dyn dynamic.Interface, r PinRequest) (*branch.Result, error) {
	t, err := Resolve(ctx, dyn, r.Namespace, r.Name, nil)
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
