// Package branch switches the ref a Flux GitRepository tracks and puts it back exactly:
// the scripted branch rollback. It changes spec.ref and nothing else, records what was
// there (and who switched, when, and what was done to the parent) on the object itself,
// keeps a parent Kustomization from putting Git's ref back, and waits until Flux has
// fetched the new ref and every consumer has applied it.
package branch

import (
	sourcev1 "github.com/fluxcd/source-controller/api/v1"
)

// ReconcileAnnotation set to ReconcileDisabled makes kustomize-controller skip an
// object it would otherwise re-apply from Git (and so undo the switch): the parent's
// opt-out is Flux's own. The switch itself is recorded in status.SwitchAnnotation.
const (
	ReconcileAnnotation = "kustomize.toolkit.fluxcd.io/reconcile"
	ReconcileDisabled   = "disabled"
)

// refPatch is spec.ref as a JSON merge patch: every field of ref, and null for every
// field ref leaves empty, so the result is exactly ref whatever was there.
func refPatch(ref *sourcev1.GitRepositoryRef) map[string]any {
	if ref == nil {
		ref = &sourcev1.GitRepositoryRef{}
	}
	orNull := func(s string) any {
		if s == "" {
			return nil
		}
		return s
	}
	return map[string]any{
		"branch": orNull(ref.Branch),
		"tag":    orNull(ref.Tag),
		"semver": orNull(ref.SemVer),
		"name":   orNull(ref.Name),
		"commit": orNull(ref.Commit),
	}
}

// cleared lists the fields of ref that outrank a branch and that a switch to a branch
// clears: commit > name > semver > tag > branch.
func cleared(ref *sourcev1.GitRepositoryRef) []string {
	if ref == nil {
		return nil
	}
	var out []string
	for _, f := range []struct{ name, value string }{{"commit", ref.Commit}, {"name", ref.Name}, {"semver", ref.SemVer}, {"tag", ref.Tag}} {
		if f.value != "" {
			out = append(out, f.name+"="+f.value)
		}
	}
	return out
}
