// Package diff tells what Flux will change: the objects a Kustomization renders at a
// revision, compared with the live cluster exactly as kustomize-controller v1.9.5
// compares them (fluxcd/pkg/ssa's server-side dry-run apply, with the controller's
// field manager, owner labels and options), and the objects its next apply would
// prune. Nothing is changed: every request is a dry run or a read.
package diff

import (
	"fmt"
	"strings"

	"github.com/kubectl-gitops/kubectl-gitops/shared/output"
)

// Action is what the controller's next apply would do to one object.
type Action string

// The actions, as kustomize-controller's change set names them where it has a name.
const (
	// Created: the object does not exist; the apply creates it.
	Created Action = "created"
	// Changed: the object exists and the apply changes it (ssa's "configured": drift
	// or a new revision).
	Changed Action = "changed"
	// Unchanged: the dry run leaves the object as it is.
	Unchanged Action = "unchanged"
	// Skipped: the controller leaves the object alone (Reason says why).
	Skipped Action = "skipped"
	// Pruned: in the Kustomization's inventory, no longer rendered, and deleted by a
	// Kustomization with spec.prune.
	Pruned Action = "pruned"
	// Failed: the dry run is refused (an immutable field, a validation error): the
	// apply would fail, and the Kustomization with it.
	Failed Action = "failed"
	// Recreated: an immutable field changes and spec.force (or the object's force
	// annotation) has the controller delete and create it again.
	Recreated Action = "recreated"
	// Removed: in the Helm release installed last and no longer rendered: Helm deletes
	// it on upgrade.
	Removed Action = "removed"
)

// IsDifference reports whether an object with action a means the apply changes the
// cluster (or fails).
func (a Action) IsDifference() bool {
	switch a {
	case Created, Changed, Pruned, Failed, Recreated, Removed:
		return true
	}
	return false
}

// Diff is the document `kubectl gitops diff` prints: one entry per Kustomization and
// per HelmRelease named.
type Diff struct {
	output.TypeMeta `json:",inline"`
	Kustomizations  []Kustomization `json:"kustomizations"`
	// HelmReleases are compared as helm-controller would upgrade them (helm.go).
	HelmReleases []HelmRelease `json:"helmReleases,omitempty"`
	// Clusters are set by the offline comparison (--base, --base-dir; offline.go):
	// each cluster of a repository rendered at two revisions, compared.
	Clusters []Cluster `json:"clusters,omitempty"`
}

// New returns an empty Diff document.
func New() *Diff {
	return &Diff{TypeMeta: output.NewTypeMeta(output.KindDiff), Kustomizations: []Kustomization{}}
}

// Differs reports whether any Kustomization's apply would change the cluster.
func (d *Diff) Differs() bool {
	for _, k := range d.Kustomizations {
		if k.Differs() {
			return true
		}
	}
	for _, h := range d.HelmReleases {
		if differs(h.Objects) {
			return true
		}
	}
	return false
}

// Kustomization is what one Kustomization's next apply would do.
type Kustomization struct {
	Name      string `json:"name"`
	Namespace string `json:"namespace"`
	// Source is the source it reads, "Kind namespace/name".
	Source string `json:"source,omitempty"`
	// Path is spec.path, the folder rendered.
	Path string `json:"path"`
	// Revision is the source revision compared (main@sha1:…), as Flux writes it.
	Revision string `json:"revision"`
	// RevisionFrom says where Revision came from: "source" (the artifact the source
	// holds now), "applied" (status.lastAppliedRevision), "flag" (--revision SHA) or
	// "dir" (--dir: the folder as it is; Revision is then what the source holds).
	RevisionFrom string `json:"revisionFrom"`
	// Summary counts the objects by action.
	Summary Summary `json:"summary"`
	// Objects are the rendered objects (unchanged ones included) and the pruned ones.
	Objects []Object `json:"objects"`
	// Notes are what the comparison could not do as the controller would.
	Notes []string `json:"notes,omitempty"`
	// Error is why this Kustomization could not be compared (a build failure).
	Error string `json:"error,omitempty"`
	// Skipped is why this Kustomization was not compared with the files given (it reads
	// another source or repository, the clone lacks the commit): the others named were.
	Skipped string `json:"skipped,omitempty"`
}

// Differs reports whether the apply would change the cluster, fail, or could not be
// predicted.
func (k Kustomization) Differs() bool { return differs(k.Objects) }

func differs(objects []Object) bool {
	for _, o := range objects {
		if o.Action.IsDifference() {
			return true
		}
	}
	return false
}

// Summary counts objects by action.
type Summary struct {
	Created   int `json:"created"`
	Changed   int `json:"changed"`
	Recreated int `json:"recreated"`
	Pruned    int `json:"pruned"`
	Failed    int `json:"failed"`
	Skipped   int `json:"skipped"`
	Unchanged int `json:"unchanged"`
	// Removed counts a HelmRelease's objects Helm deletes on upgrade.
	Removed int `json:"removed,omitempty"`
}

// String is the summary as the text view ends a Kustomization: "5 differences: 1
// created, 3 changed, 1 pruned; 1 unchanged", or "no differences: 5 objects unchanged",
// and the skipped ones.
func (s Summary) String() string {
	n := s.Created + s.Changed + s.Recreated + s.Pruned + s.Removed + s.Failed
	var out string
	if n == 0 {
		out = "no differences: " + output.Count(s.Unchanged, "object", "objects") + " unchanged"
	} else {
		var parts []string
		for _, c := range []struct {
			n    int
			what string
		}{{s.Created, "created"}, {s.Changed, "changed"}, {s.Recreated, "recreated"}, {s.Pruned, "pruned"}, {s.Removed, "removed"}, {s.Failed, "failing"}} {
			if c.n > 0 {
				parts = append(parts, fmt.Sprintf("%d %s", c.n, c.what))
			}
		}
		out = fmt.Sprintf("%s: %s; %d unchanged", output.Count(n, "difference", "differences"), strings.Join(parts, ", "), s.Unchanged)
	}
	if s.Skipped > 0 {
		out += fmt.Sprintf(", %d skipped", s.Skipped)
	}
	return out
}

func (s *Summary) add(a Action) {
	switch a {
	case Created:
		s.Created++
	case Changed:
		s.Changed++
	case Recreated:
		s.Recreated++
	case Pruned:
		s.Pruned++
	case Removed:
		s.Removed++
	case Failed:
		s.Failed++
	case Skipped:
		s.Skipped++
	case Unchanged:
		s.Unchanged++
	}
}

// Object is one object and what the apply would do to it.
type Object struct {
	output.ObjectRef `json:",inline"`
	Action           Action `json:"action"`
	// Diff is the unified diff of the live object's YAML against the dry run's, without
	// managedFields and status (changed objects only). A Secret's values, and any value
	// of a substituteFrom Secret, are masked.
	Diff string `json:"diff,omitempty"`
	// ChangedKeys are the data keys of a Secret whose value is added, changed or
	// removed: the values themselves are never shown.
	ChangedKeys []string `json:"changedKeys,omitempty"`
	// Reason says why an object is skipped, fails, or is recreated.
	Reason string `json:"reason,omitempty"`
	// Fields are the fields a changed object's apply changes, each drift or pending
	// and, when drift, who wrote it (fields.go, drift.go).
	Fields []Field `json:"fields,omitempty"`
	// Conflicts are the fields of a changed object that another field manager owns and
	// the apply takes over.
	Conflicts []Conflict `json:"conflicts,omitempty"`

	// live and merged are the masked YAML the external diff program is given (see
	// external.go); never in the document.
	live, merged string
}
