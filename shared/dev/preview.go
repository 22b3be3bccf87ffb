package dev

import (
	"context"
	"fmt"

	"k8s.io/apimachinery/pkg/types"

	"github.com/kubectl-gitops/kubectl-gitops/shared/diff"
	"github.com/kubectl-gitops/kubectl-gitops/shared/git"
	"github.com/kubectl-gitops/kubectl-gitops/shared/output"
)

// PreviewFunc previews the next apply of each of targets with opts: diff's engine,
// bound to the cluster (diff.KustomizationsPreviewer).
type PreviewFunc func(ctx context.Context, targets []types.NamespacedName, opts diff.Options) []diff.ConsumerPreview

// preview says what Flux will change when it applies the session branch as committed
// (what 'finish' pushes for review, squashed): each Kustomization the session works on,
// rendered at the branch's head from the clone and dry-run against the cluster as the
// session left it. Before any checkpoint the head is the tracked branch's, and the
// preview is what handing back puts back. Uncommitted changes are not in a commit Flux
// could apply: they are named in a note, not previewed.
func (r DiffRequest) preview(ctx context.Context, res *Result) {
	if r.Preview == nil || r.Clone == nil {
		return
	}
	s := r.Session
	head := r.Clone.Head(ctx, s.Branch)
	if head == "" {
		res.Notes = append(res.Notes, fmt.Sprintf("no preview: the clone has no branch %s", s.Branch))
		return
	}
	if dirty, err := r.Clone.Dirty(ctx); err == nil && len(dirty) > 0 {
		res.Notes = append(res.Notes, fmt.Sprintf("the preview is of %s at %s, as committed: %s not in it ('checkpoint' commits them)",
			s.Branch, git.Short(head), output.Count(len(dirty), "uncommitted change is", "uncommitted changes are")))
	}
	targets := make([]types.NamespacedName, 0, len(s.Kustomizations))
	for _, k := range s.Kustomizations {
		targets = append(targets, types.NamespacedName{Namespace: k.Namespace, Name: k.Name})
	}
	r.Say("previewing what Flux will change when it applies %s (dry runs, nothing written)", s.Branch)
	pctx, cancel := diff.PreviewContext(ctx)
	defer cancel()
	res.Changes = r.Preview(pctx, targets, diff.Options{GitDir: r.Clone.Dir, Revision: head})
}
