package diff

import (
	helmv2 "github.com/fluxcd/helm-controller/api/v2"
	"github.com/fluxcd/pkg/ssa"
)

// controller is what differs between the two controllers whose apply is compared: the
// field manager and API group the dry runs apply as, whether kustomize-controller's
// metadata cleanup comes first, and the ways out each offers in its own words.
type controller struct {
	Owner ssa.Owner
	// Cleanup: the controller removes kubectl's metadata before it applies
	// (cleanup.go); helm-controller does not.
	Cleanup bool
	// ForceHint is appended to a refusal of an immutable field.
	ForceHint string
	// SkipHint is why a live object is left alone when no selector of the desired
	// one says so.
	SkipHint string
	// IgnoreField is the field of the owner whose rules leave a conflicting field to
	// another manager ("spec.ignore").
	IgnoreField string
	// Annotation, when not empty, is the annotation that leaves it there too.
	Annotation string
}

// HelmControllerName is helm-controller's field manager: its drift detection dry-runs
// the release's objects under it.
const HelmControllerName = "helm-controller"

var helmGroup = helmv2.GroupVersion.Group

var kustomizeController = controller{
	Owner:       ssa.Owner{Field: ControllerName, Group: group},
	Cleanup:     true,
	ForceHint:   " (set spec.force, or annotate the object " + group + "/force: enabled, to have it recreated)",
	SkipHint:    "the live object is labelled or annotated " + group + "/reconcile: disabled or " + group + "/ssa: Ignore",
	IgnoreField: "spec.ignore",
	Annotation:  group + "/ssa: IfNotPresent",
}

var helmController = controller{
	Owner:       ssa.Owner{Field: HelmControllerName, Group: helmGroup},
	ForceHint:   " (set spec.upgrade.force to have helm-controller replace it)",
	SkipHint:    "the live object is labelled or annotated " + helmv2.DriftDetectionMetadataKey + ": " + helmv2.DriftDetectionDisabledValue,
	IgnoreField: "spec.driftDetection.ignore",
}
