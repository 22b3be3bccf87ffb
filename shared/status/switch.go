package status

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	sourcev1 "github.com/fluxcd/source-controller/api/v1"

	"github.com/kubectl-gitops/kubectl-gitops/shared/invocation"
)

// SwitchAnnotation holds the Switch record `branch set` and `rollback pin` write on the
// GitRepository they switch. It lives here, beside the suspension record, because it
// is read far more often than written: trace, deps and dev show it without importing
// the package that writes it.
const SwitchAnnotation = "gitops.kubectl.io/switch"

// The actions of a switch: a branch set, a commit pin (rollback pin), and the restore
// that undoes either.
const (
	SwitchSet     = "set"
	SwitchPin     = "pin"
	SwitchRestore = "restore"
)

// Switch is what a switch changed, kept on the GitRepository so that restore can undo
// it exactly, from any terminal, and so that every view can tell who switched it.
type Switch struct {
	// Action is SwitchSet (a branch switch) or SwitchPin (a commit pin); empty means
	// SwitchSet (records written before pins existed).
	Action string `json:"action,omitempty"`
	// RefBefore is spec.ref as it was before the first switch, field for field.
	RefBefore *sourcev1.GitRepositoryRef `json:"refBefore"`
	By        string                     `json:"by,omitempty"`
	At        time.Time                  `json:"at"`
	// Parent is the Kustomization that applies the GitRepository from Git, when one
	// does: "namespace/name".
	Parent string `json:"parent,omitempty"`
	// ParentDisabled says the switch set kustomize-controller's reconcile annotation to
	// "disabled"; ReconcileBefore is that annotation's value before (nil: absent).
	ParentDisabled  bool    `json:"parentDisabled,omitempty"`
	ReconcileBefore *string `json:"reconcileBefore,omitempty"`
	// Undo is the command that puts it back, as the command that made it printed it
	// (a pin's is `rollback unpin`): every view of the record names the same one.
	Undo string `json:"undo,omitempty"`
}

// Pinned reports a commit pin, as opposed to a branch switch.
func (s *Switch) Pinned() bool { return s.Action == SwitchPin }

// UndoCommand is the command that puts the GitRepository namespace/name back: the one
// recorded, or else the branch command's restore (records written before Undo was). It
// is recorded canonical, and named here as the reader typed the suite (ctx).
func (s *Switch) UndoCommand(ctx context.Context, namespace, name string) string {
	undo := s.Undo
	if undo == "" {
		undo = RestoreCommand(namespace, name)
	}
	return invocation.Rewrite(ctx, undo)
}

// RestoreCommand is `branch restore` of the GitRepository namespace/name, canonical: it
// is what a Switch holds (invocation.Rewrite names it for a reader).
func RestoreCommand(namespace, name string) string {
	return fmt.Sprintf("%s branch restore %s -n %s", invocation.Canonical, name, namespace)
}

// SwitchOf returns the Switch in annotations, nil when the source was never switched.
func SwitchOf(annotations map[string]string) (*Switch, error) {
	raw, ok := annotations[SwitchAnnotation]
	if !ok {
		return nil, nil
	}
	var s Switch
	if err := json.Unmarshal([]byte(raw), &s); err != nil {
		return nil, fmt.Errorf("annotation %s is not a record this suite wrote: %w", SwitchAnnotation, err)
	}
	return &s, nil
}
