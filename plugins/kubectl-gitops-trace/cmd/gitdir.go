package cmd

import (
	"context"
	"strings"

	"github.com/kubectl-gitops/kubectl-gitops/shared/gitlocate"
	"github.com/kubectl-gitops/kubectl-gitops/shared/resolve"
)

// locate fills r.Commit.Git from a local clone: where the object (or, for an object
// rendered by a HelmRelease, the HelmRelease) is defined at the applied commit.
func locate(ctx context.Context, gitDir string, r *resolve.Report) {
	if r.Commit == nil || r.Commit.SHA == "" {
		return
	}
	target, ks := definedObject(r)
	if ks == nil {
		return
	}
	g := &resolve.GitLocation{}
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
		note := describeRef(r.Object) + " is rendered from a Helm chart; this is where " + describeRef(target) + " is defined"
		g.Note = strings.TrimSpace(note + ". " + g.Note)
	}
	if res.Commit != nil {
		g.Subject = res.Commit.Subject
		g.Author = res.Commit.AuthorName + " <" + res.Commit.AuthorEmail + ">"
	}
}

// definedObject returns the object a Kustomization applied from Git (the traced object,
// its labelled owner, or the HelmRelease that rendered it) and that Kustomization's hop.
func definedObject(r *resolve.Report) (resolve.ObjectRef, *resolve.Hop) {
	target := r.Object
	for i := range r.Hops {
		h := &r.Hops[i]
		switch h.Role {
		case resolve.RoleOwner, resolve.RoleHelmRelease:
			target = h.Ref
		case resolve.RoleKustomization:
			return target, h
		}
	}
	return target, nil
}

func describeRef(ref resolve.ObjectRef) string {
	if ref.Namespace == "" {
		return ref.Kind + " " + ref.Name
	}
	return ref.Kind + " " + ref.Namespace + "/" + ref.Name
}
