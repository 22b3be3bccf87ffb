// Package history reads the revisions a Kustomization applied, from status.history:
// the list a rollback picks its target from.
package history

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"time"

	helmv2 "github.com/fluxcd/helm-controller/api/v2"
	kustomizev1 "github.com/fluxcd/kustomize-controller/api/v1"
	"github.com/fluxcd/pkg/apis/meta"
	apimeta "k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/kubectl-gitops/kubectl-gitops/shared/exitcode"
	"github.com/kubectl-gitops/kubectl-gitops/shared/git"
	"github.com/kubectl-gitops/kubectl-gitops/shared/invocation"
	"github.com/kubectl-gitops/kubectl-gitops/shared/output"
	"github.com/kubectl-gitops/kubectl-gitops/shared/redact"
	"github.com/kubectl-gitops/kubectl-gitops/shared/revision"
)

// History is the document `rollback history -o json|yaml` prints: kind History.
type History struct {
	output.TypeMeta `json:",inline"`
	// Object is the Kustomization whose history this is.
	Object  output.ObjectRef `json:"object"`
	Entries []Entry          `json:"entries"`
	// Notes say what could not be found out (a commit the clone lacks).
	Notes []string `json:"notes,omitempty"`
	// Described says the entries were described from a clone (--git-dir): the text
	// view then shows each commit's subject, author and files, blank where unknown.
	Described bool `json:"-"`
}

// New returns the History document of ks.
func New(ks *kustomizev1.Kustomization) History {
	h := History{
		TypeMeta: output.NewTypeMeta(output.KindHistory),
		Object:   output.ObjectRef{Kind: kustomizev1.KustomizationKind, Namespace: ks.Namespace, Name: ks.Name},
		Entries:  FromKustomization(ks),
	}
	for _, e := range h.Entries {
		if e.NeverApplied {
			h.Notes = append(h.Notes, fmt.Sprintf("commit %s never applied (%s): %s", e.SHA[:min(12, len(e.SHA))], e.Status, e.Message))
		}
	}
	return h
}

// Entry is one revision Flux applied or tried, newest first.
type Entry struct {
	Revision        string    `json:"revision"`
	SHA             string    `json:"sha,omitempty"`
	Status          string    `json:"status"`
	FirstReconciled time.Time `json:"firstReconciled"`
	LastReconciled  time.Time `json:"lastReconciled"`
	Reconciliations int64     `json:"reconciliations"`
	// Current marks the revision the Kustomization applied last: the one running.
	Current bool `json:"current,omitempty"`
	// LastAttempted marks the revision Flux tried last (status.lastAttemptedRevision):
	// "back" is counted from it, and nothing newer is ever a target.
	LastAttempted bool `json:"lastAttempted,omitempty"`
	// NeverApplied marks a revision Flux tried and could not apply at all (a build
	// failure leaves no snapshot in status.history): listed so that the history does
	// not hide it, never a target.
	NeverApplied bool `json:"neverApplied,omitempty"`
	// Message is Flux's message for a revision that never applied.
	Message string `json:"message,omitempty"`
	// LastGood marks the newest revision, older than the one Flux tried last, that
	// applied successfully: what --to-last-good goes back to. When the newest try
	// failed, that is the running revision.
	LastGood bool `json:"lastGood,omitempty"`
	// Commit is what the Git clone says about the revision, with --git-dir.
	Commit *Commit `json:"commit,omitempty"`
	// Chart is, for a HelmRelease, the release and chart of this entry.
	Chart *Chart `json:"chart,omitempty"`

	// tied marks an entry first applied in the same second as another commit's, with
	// nothing to order the two: Flux records times to the second, and a switch and
	// restore (or a pin) on a fast cluster can apply two commits within one. Reorder
	// sets it; Pick refuses to count "back" across it rather than guess.
	tied bool
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
		Object:   output.ObjectRef{Kind: helmv2.HelmReleaseKind, Namespace: hr.Namespace, Name: hr.Name},
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
	if e.NeverApplied {
		marks = append(marks, "never-applied")
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

// FromKustomization lists what ks applied and tried, newest first (Order), with the
// marks a rollback picks its target by. status.history is ordered by when a revision
// was last reconciled, so a pin or a branch switch moves an old revision to its top;
// and a revision that never built leaves no snapshot there at all. Both would make
// "back" go forward: the list is ordered by when each revision was first applied, and
// the last attempt that never applied is added from status.lastAttemptedRevision.
func FromKustomization(ks *kustomizev1.Kustomization) []Entry {
	entries := make([]Entry, 0, len(ks.Status.History)+1)
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
		entries = append(entries, e)
	}
	if e, ok := neverApplied(ks, entries); ok {
		entries = append(entries, e)
	}
	for i := range entries {
		e := &entries[i]
		e.Current = e.Revision != "" && e.Revision == ks.Status.LastAppliedRevision
		e.LastAttempted = e.Revision != "" && e.Revision == ks.Status.LastAttemptedRevision
	}
	Reorder(entries, nil)
	return entries
}

// neverApplied is the entry of status.lastAttemptedRevision when no snapshot has it:
// kustomize-controller records a snapshot only for what it built, so a commit that
// failed to build is known only from the attempt and the Ready condition.
func neverApplied(ks *kustomizev1.Kustomization, entries []Entry) (Entry, bool) {
	rev := ks.Status.LastAttemptedRevision
	if rev == "" || rev == ks.Status.LastAppliedRevision {
		return Entry{}, false
	}
	for _, e := range entries {
		if e.Revision == rev {
			return Entry{}, false
		}
	}
	e := Entry{Revision: rev, Status: "Failed", NeverApplied: true}
	if r, err := revision.Parse(rev); err == nil {
		e.SHA = r.Commit()
	}
	if c := apimeta.FindStatusCondition(ks.Status.Conditions, meta.ReadyCondition); c != nil && c.Status != metav1.ConditionTrue {
		e.Status, e.Message = c.Reason, redact.Text(c.Message)
		e.FirstReconciled, e.LastReconciled = c.LastTransitionTime.Time.UTC(), c.LastTransitionTime.Time.UTC()
	}
	if e.FirstReconciled.IsZero() {
		// No failure recorded with a time: it was tried after everything applied.
		for _, o := range entries {
			if o.LastReconciled.After(e.FirstReconciled) {
				e.FirstReconciled, e.LastReconciled = o.LastReconciled, o.LastReconciled
			}
		}
	}
	return e, true
}

// Ancestry answers whether commit a is an ancestor of commit b; known is false when
// it cannot tell (a commit the clone lacks).
type Ancestry func(a, b string) (ancestor, known bool)

// Reorder puts entries newest first and marks the last good one again. Newest means
// first applied last, except where Git knows better (ancestry, with a clone): a
// descendant always comes before its ancestor, whatever the timestamps say (a snapshot
// keeps its first time when a later commit builds to the same objects).
func Reorder(entries []Entry, ancestry Ancestry) {
	sort.SliceStable(entries, func(i, j int) bool { return entries[i].FirstReconciled.After(entries[j].FirstReconciled) })
	if ancestry != nil {
		orderByAncestry(entries, ancestry)
	}
	markTies(entries, ancestry)
	markLastGood(entries)
}

// markTies marks the applied entries whose order nothing decides: two commits first
// applied in the same second (Flux's precision) that Git's ancestry, when known, does
// not order either.
func markTies(entries []Entry, ancestry Ancestry) {
	for i := range entries {
		entries[i].tied = false
	}
	for i := range entries {
		for j := i + 1; j < len(entries); j++ {
			a, b := &entries[i], &entries[j]
			if a.NeverApplied || b.NeverApplied || a.SHA == "" || b.SHA == "" || a.SHA == b.SHA ||
				!a.FirstReconciled.Truncate(time.Second).Equal(b.FirstReconciled.Truncate(time.Second)) {
				continue
			}
			if ancestry != nil {
				if is, known := ancestry(a.SHA, b.SHA); known && is {
					continue
				}
				if is, known := ancestry(b.SHA, a.SHA); known && is {
					continue
				}
			}
			a.tied, b.tied = true, true
		}
	}
}

// ambiguous refuses a count back from entries[k] to entries[t] that crosses entries
// first applied in the same second: which of them came first decides the answer, and
// status.history cannot tell. ctx names the suite's commands as the user typed them.
func ambiguous(ctx context.Context, entries []Entry, k, t int) error {
	var tied []string
	for i := k; i <= t && i < len(entries); i++ {
		if entries[i].tied {
			tied = append(tied, git.Short(entries[i].SHA))
		}
	}
	if len(tied) == 0 {
		return nil
	}
	return exitcode.New(exitcode.Usage, "commits %s were first applied in the same second: status.history cannot tell which came first, so counting back is a guess; name the commit with --to (see '%s'), or give --git-dir so Git's ancestry orders them",
		strings.Join(tied, ", "), invocation.Command(ctx, "rollback history"))
}

// orderByAncestry is a topological sort of entries (descendants first) that keeps the
// time order wherever Git does not decide.
func orderByAncestry(entries []Entry, ancestry Ancestry) {
	n := len(entries)
	// before[i][j]: entry i must come before entry j (j's commit is an ancestor of i's).
	before := make([][]bool, n)
	for i := range before {
		before[i] = make([]bool, n)
	}
	for i := range entries {
		for j := range entries {
			a, b := entries[j].SHA, entries[i].SHA
			if i == j || a == "" || b == "" || a == b {
				continue
			}
			if is, known := ancestry(a, b); known && is {
				before[i][j] = true
			}
		}
	}
	placed := make([]bool, n)
	order := make([]Entry, 0, n)
	for len(order) < n {
		next := -1
		for j := 0; j < n && next < 0; j++ {
			if placed[j] {
				continue
			}
			free := true
			for i := 0; i < n; i++ {
				if !placed[i] && before[i][j] {
					free = false
					break
				}
			}
			if free {
				next = j
			}
		}
		if next < 0 {
			// Not a partial order (cannot happen with Git's ancestry): keep time order.
			return
		}
		placed[next] = true
		order = append(order, entries[next])
	}
	copy(entries, order)
}

// newestTried is the index of the revision Flux tried last: "back" counts from there.
// Without a status saying which, it is the newest entry.
func newestTried(entries []Entry) int {
	for i, e := range entries {
		if e.LastAttempted {
			return i
		}
	}
	for i, e := range entries {
		if e.Current {
			return i
		}
	}
	return 0
}

// markLastGood marks the newest entry older than the one Flux tried last that applied
// successfully with another commit: after a commit that failed, the one running; after
// a successful one, the one before it; while pinned back, the one before the pin.
func markLastGood(entries []Entry) {
	for i := range entries {
		entries[i].LastGood = false
	}
	if len(entries) == 0 {
		return
	}
	k := newestTried(entries)
	tried := entries[k].SHA
	for i := k + 1; i < len(entries); i++ {
		if e := entries[i]; e.Status == Succeeded && !e.NeverApplied && e.SHA != "" && e.SHA != tried {
			entries[i].LastGood = true
			return
		}
	}
}

// Choice is how the user names the revision to go back to: exactly one of To (a
// commit SHA or its prefix, or a revision as Flux writes it), Steps (that many distinct
// commits back from the one Flux tried last) or LastGood.
type Choice struct {
	To       string
	Steps    int
	LastGood bool
}

// Pick returns the entry of entries (in Reorder's order) the choice names. Only
// revisions Flux applied are candidates: a rollback goes back to something that was
// live; and --steps and --to-last-good never go forward past the revision Flux tried
// last. ctx names the suite's commands in errors as the user typed them.
func Pick(ctx context.Context, entries []Entry, c Choice) (Entry, error) {
	switch {
	case c.LastGood:
		for i, e := range entries {
			if e.LastGood {
				if err := ambiguous(ctx, entries, newestTried(entries), i); err != nil {
					return Entry{}, err
				}
				return e, nil
			}
		}
		return Entry{}, exitcode.New(exitcode.NotFound, "no earlier revision applied successfully in status.history (%s): name one with --to", output.Count(len(entries), "entry", "entries"))
	case c.Steps > 0 && len(entries) == 0:
		return Entry{}, exitcode.New(exitcode.NotFound, "status.history holds 0 earlier commits, not %d: name one with --to", c.Steps)
	case c.Steps > 0:
		// Steps count distinct commits back from the one Flux tried last.
		k := newestTried(entries)
		seen := []string{entries[k].SHA}
		for i, e := range entries[k+1:] {
			if e.SHA == "" || e.NeverApplied || contains(seen, e.SHA) {
				continue
			}
			seen = append(seen, e.SHA)
			if len(seen)-1 == c.Steps {
				if err := ambiguous(ctx, entries, k, k+1+i); err != nil {
					return Entry{}, err
				}
				return e, nil
			}
		}
		return Entry{}, exitcode.New(exitcode.NotFound, "status.history holds %s, not %d: name one with --to", output.Count(len(seen)-1, "earlier commit", "earlier commits"), c.Steps)
	case c.To != "":
		want := c.To
		if r, err := revision.Parse(c.To); err == nil && r.Commit() != "" {
			want = r.Commit()
		}
		var found []Entry
		never := false
		for _, e := range entries {
			if e.SHA == "" || !strings.HasPrefix(e.SHA, strings.ToLower(want)) {
				continue
			}
			if e.NeverApplied {
				never = true
				continue
			}
			if len(found) == 0 || found[0].SHA != e.SHA {
				found = append(found, e)
			}
		}
		switch {
		case len(found) == 1:
			return found[0], nil
		case len(found) > 1:
			return Entry{}, exitcode.New(exitcode.Usage, "--to %s matches more than one commit: give more of the SHA", c.To)
		case never:
			return Entry{}, exitcode.New(exitcode.NotFound, "commit %s never applied (Flux could not build it): it is not a revision to go back to; list the candidates with '%s'", c.To, invocation.Command(ctx, "rollback history"))
		}
		return Entry{}, exitcode.New(exitcode.NotFound, "commit %s is not in status.history: list the candidates with '%s'", c.To, invocation.Command(ctx, "rollback history"))
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
