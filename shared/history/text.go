package history

import (
	"fmt"
	"io"
	"strings"
	"time"

	helmv2 "github.com/fluxcd/helm-controller/api/v2"

	"github.com/kubectl-gitops/kubectl-gitops/shared/output"
)

// WriteText is the human view of rollback history: a table of the revisions (or, for a
// HelmRelease, of its Helm releases), newest first. The notes go to opts.ErrOut, so that
// the table on stdout stays a table.
func (h History) WriteText(w io.Writer, opts output.TextOptions) error {
	if len(h.Entries) == 0 {
		out := &output.Writer{W: w}
		out.Printf("%s has no history yet\n", output.Name(h.Object.Kind, h.Object.Namespace, h.Object.Name))
		return out.Err
	}
	if h.Object.Kind == helmv2.HelmReleaseKind {
		return h.writeReleases(w)
	}
	headers := []any{"REVISION", "STATUS", "FIRST APPLIED", "LAST APPLIED", "RECONCILES", "MARK"}
	if h.Described {
		headers = append(headers, "SUBJECT", "AUTHOR", "FILES")
	}
	table := output.NewTable(w, headers...)
	for _, e := range h.Entries {
		row := []any{e.Revision, e.Status, e.FirstReconciled.Format(time.RFC3339), e.LastReconciled.Format(time.RFC3339), fmt.Sprint(e.Reconciliations), e.Marks()}
		if h.Described {
			if c := e.Commit; c != nil {
				row = append(row, c.Subject, c.Author, strings.Join(c.Files, " "))
			} else {
				row = append(row, "", "", "")
			}
		}
		if err := table.Append(row...); err != nil {
			return err
		}
	}
	if err := table.Render(); err != nil {
		return err
	}
	notes := &output.Writer{W: opts.ErrOut}
	for _, n := range h.Notes {
		notes.Printf("note: %s\n", n)
	}
	return notes.Err
}

// writeReleases is the table of a HelmRelease's Helm releases.
func (h History) writeReleases(w io.Writer) error {
	table := output.NewTable(w, "RELEASE", "CHART", "VERSION", "APP VERSION", "STATUS", "FIRST DEPLOYED", "LAST DEPLOYED", "MARK")
	for _, e := range h.Entries {
		c := e.Chart
		if err := table.Append(fmt.Sprint(c.Release), c.Name, c.Version, c.AppVersion, e.Status,
			e.FirstReconciled.Format(time.RFC3339), e.LastReconciled.Format(time.RFC3339), e.Marks()); err != nil {
			return err
		}
	}
	return table.Render()
}
