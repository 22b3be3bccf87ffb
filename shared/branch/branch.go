// Package branch switches the ref a Flux GitRepository tracks and puts it back exactly:
// the scripted branch rollback. It changes spec.ref and nothing else, records what was
// there (and who switched, when, and what was done to the parent) on the object itself,
// keeps a parent Kustomization from putting Git's ref back, and waits until Flux has
// fetched the new ref and every consumer has applied it.
package branch

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	sourcev1 "github.com/fluxcd/source-controller/api/v1"

	"github.com/kubectl-gitops/kubectl-gitops/shared/invocation"
)

// Annotations the suite writes. RecordAnnotation holds the Record of a switch; the
// parent's opt-out is Flux's own.
const (
	RecordAnnotation = "gitops.kubectl.io/switch"
	// ReconcileAnnotation set to "disabled" makes kustomize-controller skip an object
	// it would otherwise re-apply from Git (and so undo the switch).
	ReconcileAnnotation = "kustomize.toolkit.fluxcd.io/reconcile"
	ReconcileDisabled   = "disabled"
)

// The actions of a switch: a branch set, a commit pin (rollback pin), and the restore
// that undoes either.
const (
	ActionSet     = "set"
	ActionPin     = "pin"
	ActionRestore = "restore"
)

// Record is what a switch changed, kept on the GitRepository so that restore can undo
// it exactly, from any terminal, and so that show can tell who switched it.
type Record struct {
	// Action is "set" (a branch switch) or "pin" (a commit pin); empty means "set".
	Action string `json:"action,omitempty"`
	// RefBefore is spec.ref as it was before the first switch, field for field.
	RefBefore *sourcev1.GitRepositoryRef `json:"refBefore"`
	By        string                     `json:"by,omitempty"`
	At        time.Time                  `json:"at"`
	// Parent is the Kustomization that applies the GitRepository from Git, when one
	// does: "namespace/name".
	Parent string `json:"parent,omitempty"`
	// ParentDisabled says the switch set ReconcileAnnotation to "disabled";
	// ReconcileBefore is that annotation's value before (nil: absent).
	ParentDisabled  bool    `json:"parentDisabled,omitempty"`
	ReconcileBefore *string `json:"reconcileBefore,omitempty"`
	// Undo is the command that puts it back, as the command that made it printed it
	// (a pin's is `rollback unpin`): every view of the record names the same one.
	Undo string `json:"undo,omitempty"`
}

// Pinned reports a commit pin, as opposed to a branch switch.
func (r *Record) Pinned() bool { return r.Action == ActionPin }

// UndoCommand is the command that puts the GitRepository namespace/name back: the one
// recorded, or else the branch command's restore (records written before Undo was). It
// is recorded canonical, and named here as the reader typed the suite (ctx).
func (r *Record) UndoCommand(ctx context.Context, namespace, name string) string {
	undo := r.Undo
	if undo == "" {
		undo = RestoreCommand(namespace, name)
	}
	return invocation.Rewrite(ctx, undo)
}

// RestoreCommand is `branch restore` of the GitRepository namespace/name, canonical: it
// is what a Record holds (invocation.Rewrite names it for a reader).
func RestoreCommand(namespace, name string) string {
	return fmt.Sprintf("%s branch restore %s -n %s", invocation.Canonical, name, namespace)
}

// ReadRecord returns the Record in annotations, nil when the source was never switched.
func ReadRecord(annotations map[string]string) (*Record, error) {
	raw, ok := annotations[RecordAnnotation]
	if !ok {
		return nil, nil
	}
	var r Record
	if err := json.Unmarshal([]byte(raw), &r); err != nil {
		return nil, fmt.Errorf("annotation %s is not a record this suite wrote: %w", RecordAnnotation, err)
	}
	return &r, nil
}

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
