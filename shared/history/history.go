// Package history reads the revisions a Kustomization applied, from status.history:
// the list a rollback picks its target from.
package history

import (
	"time"

	kustomizev1 "github.com/fluxcd/kustomize-controller/api/v1"

	"github.com/kubectl-gitops/kubectl-gitops/shared/output"
	"github.com/kubectl-gitops/kubectl-gitops/shared/revision"
)

// History is the document `rollback history -o json|yaml` prints: kind History.
type History struct {
	output.TypeMeta `json:",inline"`
	// Object is the Kustomization whose history this is.
	Object  Object  `json:"object"`
	Entries []Entry `json:"entries"`
}

// Object names the Kustomization.
type Object struct {
	Kind      string `json:"kind"`
	Namespace string `json:"namespace"`
	Name      string `json:"name"`
}

// New returns the History document of ks.
func New(ks *kustomizev1.Kustomization) History {
	return History{
		TypeMeta: output.NewTypeMeta(output.KindHistory),
		Object:   Object{Kind: kustomizev1.KustomizationKind, Namespace: ks.Namespace, Name: ks.Name},
		Entries:  FromKustomization(ks),
	}
}

// Entry is one applied revision, newest first.
type Entry struct {
	Revision        string    `json:"revision"`
	SHA             string    `json:"sha,omitempty"`
	Status          string    `json:"status"`
	FirstReconciled time.Time `json:"firstReconciled"`
	LastReconciled  time.Time `json:"lastReconciled"`
	Reconciliations int64     `json:"reconciliations"`
	// Current marks the revision the Kustomization applied last.
	Current bool `json:"current,omitempty"`
}

// FromKustomization lists ks's history, newest first, marking the last applied revision.
func FromKustomization(ks *kustomizev1.Kustomization) []Entry {
	entries := make([]Entry, 0, len(ks.Status.History))
	for _, s := range ks.Status.History {
		e := Entry{
			Revision:        s.Metadata["revision"],
			Status:          s.LastReconciledStatus,
			FirstReconciled: s.FirstReconciled.Time.UTC(),
			LastReconciled:  s.LastReconciled.Time.UTC(),
			Reconciliations: s.TotalReconciliations,
		}
		if r, err := revision.Parse(e.Revision); err == nil {
			e.SHA = r.Commit()
		}
		e.Current = e.Revision != "" && e.Revision == ks.Status.LastAppliedRevision
		entries = append(entries, e)
	}
	return entries
}
