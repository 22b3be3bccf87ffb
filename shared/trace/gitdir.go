package trace

import (
	"context"
	"strings"

	"github.com/kubectl-gitops/kubectl-gitops/shared/gitlocate"
)

// LocateInGit fills r.Commit.Git from a local clone: where the object (or, for an
// object rendered by a HelmRelease, the HelmRelease) is defined at the applied commit,
// and that commit's subject and author. Problems (a clone without the commit) become a
// note rather than an error: the trace itself stands without them.
func (r *Report) LocateInGit(ctx context.Context, gitDir string) {
	if r.Commit == nil || r.Commit.SHA == "" {
		return
	}
	target, ks := definedObject(r)
	if ks == nil {
		return
	}
	g := &GitLocation{}
	r.Commit.Git = g
	res, err := gitlocate.Locate(ctx, gitlocate.Request{
		GitDir: gitDir, Commit: r.Commit.SHA, Path: ks.Path,
		APIVersion: target.APIVersion, Kind: target.Kind, Namespace: target.Namespace, Name: target.Name,
	})
	if err != nil {
		g.Note = err.Error()
		return
	}
	if res.Found {
		g.File, g.Line = res.File, res.Line
	}
	g.Note = res.Reason
	if target != r.Object {
		note := r.Object.String() + " is rendered from a Helm chart; this is where " + target.String() + " is defined"
		g.Note = strings.TrimSpace(note + ". " + g.Note)
	}
	if res.Commit != nil {
		g.Subject = res.Commit.Subject
		g.Author = res.Commit.AuthorName + " <" + res.Commit.AuthorEmail + ">"
	}
}

// definedObject returns the object a Kustomization applied from Git (the traced object,
// its labelled owner, or the HelmRelease that rendered it) and that Kustomization's hop.
func definedObject(r *Report) (ObjectRef, *Hop) {
	target := r.Object
	for i := range r.Hops {
		h := &r.Hops[i]
		switch h.Role {
		case RoleOwner, RoleHelmRelease:
			target = h.Ref
		case RoleKustomization:
			return target, h
		}
	}
	return target, nil
}
