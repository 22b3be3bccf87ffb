// Package history reads the revisions a Kustomization applied, from status.history:
// the list a rollback picks its target from.
package history

import (
	"strings"
	"time"

	helmv2 "github.com/fluxcd/helm-controller/api/v2"
	kustomizev1 "github.com/fluxcd/kustomize-controller/api/v1"
	"github.com/fluxcd/pkg/apis/meta"

	"github.com/kubectl-gitops/kubectl-gitops/shared/exitcode"
	"github.com/kubectl-gitops/kubectl-gitops/shared/output"
	"github.com/kubectl-gitops/kubectl-gitops/shared/revision"
)

// History is the document `rollback history -o json|yaml` prints: kind History.
type History struct {
	output.TypeMeta `json:",inline"`
	// Object is the Kustomization whose history this is.
	Object  Object  `json:"object"`
	Entries []Entry `json:"entries"`
	// Notes say what could not be found out (a commit the clone lacks).
	Notes []string `json:"notes,omitempty"`
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
	// LastGood marks the newest revision, other than the current one, that Flux
	// applied successfully: what --to-last-good rolls back to.
	LastGood bool `json:"lastGood,omitempty"`
	// Commit is what the Git clone says about the revision, with --git-dir.
	Commit *Commit `json:"commit,omitempty"`
	// Chart is, for a HelmRelease, the release and chart of this entry.
	Chart *Chart `json:"chart,omitempty"`
}

// Chart is one Helm release of a HelmRelease: the chart installed and the release
// number Helm gave it.
type Chart struct {
	Name       string `json:"name"`
	Version    string `json:"version"`
	AppVersion string `json:"appVersion,omitempty"`
	Release    int    `json:"release"`
}

// NewHelmRelease returns the History document of a HelmRelease, from its
// status.history (Helm release snapshots, newest first). A chart built from a Git
// source with reconcileStrategy Revision carries the commit in its version
// (0.1.0+1a2b3c4d5e6f): that is the SHA (a prefix) where known.
func NewHelmRelease(hr *helmv2.HelmRelease) History {
	h := History{
		TypeMeta: output.NewTypeMeta(output.KindHistory),
		Object:   Object{Kind: helmv2.HelmReleaseKind, Namespace: hr.Namespace, Name: hr.Name},
		Entries:  []Entry{},
	}
	for i, s := range hr.Status.History {
		e := Entry{
			Revision:        s.VersionedChartName(),
			Status:          s.Status,
			FirstReconciled: s.FirstDeployed.Time.UTC(),
			LastReconciled:  s.LastDeployed.Time.UTC(),
			Reconciliations: 1,
			Chart:           &Chart{Name: s.ChartName, Version: s.ChartVersion, AppVersion: s.AppVersion, Release: s.Version},
			Current:         i == 0 && s.Status == helmDeployed,
		}
		if _, meta, ok := strings.Cut(s.ChartVersion, "+"); ok && isHex(meta) {
			e.SHA = meta
		}
		h.Entries = append(h.Entries, e)
	}
	for i := range h.Entries {
		// A superseded release was deployed and replaced: the one before the newest
		// is what a rollback goes back to.
		if st := h.Entries[i].Status; i > 0 && (st == helmSuperseded || st == helmDeployed) {
			h.Entries[i].LastGood = true
			break
		}
	}
	return h
}

// Helm's release states a rollback cares about.
const (
	helmDeployed   = "deployed"
	helmSuperseded = "superseded"
)

func isHex(s string) bool {
	for _, c := range s {
		if !(c >= '0' && c <= '9' || c >= 'a' && c <= 'f') {
			return false
		}
	}
	return s != ""
}

// Marks names the entry's marks for a table: "current", "last-good", both or none.
func (e Entry) Marks() string {
	var marks []string
	if e.Current {
		marks = append(marks, "current")
	}
	if e.LastGood {
		marks = append(marks, "last-good")
	}
	return strings.Join(marks, ",")
}

// Commit describes one commit of the source, from the user's clone.
type Commit struct {
	Subject string `json:"subject"`
	Author  string `json:"author"`
	// Files are the files under the Kustomization's path the commit changed.
	Files []string `json:"files,omitempty"`
}

// Succeeded is the status kustomize-controller records for a successful apply.
const Succeeded = meta.ReconciliationSucceededReason

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
	markLastGood(entries)
	return entries
}

// markLastGood marks the newest successful entry whose commit differs from the newest
// entry's: after a commit that failed to apply, the one applied before it; after a
// successful one, the one before that.
func markLastGood(entries []Entry) {
	if len(entries) == 0 {
		return
	}
	newest := entries[0].SHA
	for i := range entries {
		if e := entries[i]; e.Status == Succeeded && e.SHA != "" && e.SHA != newest {
			entries[i].LastGood = true
			return
		}
	}
}

// Choice is how the user names the revision to go back to: exactly one of To (a
// commit SHA or its prefix, or a revision as Flux writes it), Steps (that many distinct
// commits back from the newest one Flux tried) or LastGood.
type Choice struct {
	To       string
	Steps    int
	LastGood bool
}

// Pick returns the entry of entries the choice names. Only revisions Flux applied are
// candidates: a rollback goes back to something that was live.
func Pick(entries []Entry, c Choice) (Entry, error) {
	switch {
	case c.LastGood:
		for _, e := range entries {
			if e.LastGood {
				return e, nil
			}
		}
		return Entry{}, exitcode.New(exitcode.NotFound, "no earlier revision applied successfully in status.history (%d entries): name one with --to", len(entries))
	case c.Steps > 0:
		// Steps count distinct commits back from the newest one Flux tried.
		var seen []string
		for _, e := range entries {
			if e.SHA == "" || e.SHA == entries[0].SHA || contains(seen, e.SHA) {
				continue
			}
			seen = append(seen, e.SHA)
			if len(seen) == c.Steps {
				return e, nil
			}
		}
		return Entry{}, exitcode.New(exitcode.NotFound, "status.history holds %d earlier commits, not %d: name one with --to", len(seen), c.Steps)
	case c.To != "":
		want := c.To
		if r, err := revision.Parse(c.To); err == nil && r.Commit() != "" {
			want = r.Commit()
		}
		var found []Entry
		for _, e := range entries {
			if e.SHA != "" && strings.HasPrefix(e.SHA, strings.ToLower(want)) && (len(found) == 0 || found[0].SHA != e.SHA) {
				found = append(found, e)
			}
		}
		switch {
		case len(found) == 1:
			return found[0], nil
		case len(found) > 1:
			return Entry{}, exitcode.New(exitcode.Usage, "--to %s matches more than one commit: give more of the SHA", c.To)
		}
		return Entry{}, exitcode.New(exitcode.NotFound, "commit %s is not in status.history: list the candidates with 'kubectl gitops rollback history'", c.To)
	}
	return Entry{}, exitcode.New(exitcode.Usage, "say where to go back to: --to SHA, --steps N or --to-last-good")
}

func contains(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}
