package resolve

import (
	"bytes"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/kubectl-gitops/kubectl-gitops/shared/output"
)

// ANSI colours for the human view; used only when the caller says the output is a
// terminal that accepts colour.
const (
	ansiRed    = "\x1b[31m"
	ansiGreen  = "\x1b[32m"
	ansiYellow = "\x1b[33m"
	ansiBold   = "\x1b[1m"
	ansiReset  = "\x1b[0m"
)

// WriteHuman renders reports as the human view: one table per object that reads
// top-down from the object to its source, then the commit and any findings.
//
// Reports without any hop (an object that does not exist) print nothing here: their
// error goes to stderr through WriteErrors, like every other error.
func WriteHuman(w io.Writer, reports []*Report, color bool, now time.Time) error {
	first := true
	for _, r := range reports {
		if len(r.Hops) == 0 {
			continue
		}
		if !first {
			fmt.Fprintln(w)
		}
		first = false
		var buf bytes.Buffer
		if err := writeOne(&buf, r, color, now); err != nil {
			return err
		}
		if _, err := w.Write(trimLines(buf.Bytes())); err != nil {
			return err
		}
	}
	return nil
}

// WriteErrors prints one "error: ..." line per report that did not trace fully.
func WriteErrors(w io.Writer, reports []*Report) {
	for _, r := range reports {
		if r.Result != ResultTraced {
			fmt.Fprintf(w, "error: %s\n", r.Error)
		}
	}
}

// trimLines drops the trailing blanks tablewriter pads the last column with.
func trimLines(b []byte) []byte {
	lines := bytes.Split(b, []byte("\n"))
	for i := range lines {
		lines[i] = bytes.TrimRight(lines[i], " ")
	}
	return bytes.Join(lines, []byte("\n"))
}

func writeOne(w io.Writer, r *Report, color bool, now time.Time) error {
	paint := func(code, s string) string {
		if !color || s == "" {
			return s
		}
		return code + s + ansiReset
	}
	fmt.Fprintf(w, "%s\n", paint(ansiBold, describe(r.Object)))
	if len(r.Hops) > 0 {
		table := output.NewTable(w, "HOP", "KIND", "NAME", "READY", "AGE", "DETAILS")
		for _, h := range r.Hops {
			ready, age := "", ""
			switch {
			case h.Forbidden:
				ready = paint(ansiRed, "Forbidden")
			case h.Error != "":
				ready = paint(ansiRed, "Error")
			case h.Health != nil:
				ready = readyText(h.Health)
				switch {
				case h.Health.Suspended || h.Health.Ready != "True":
					ready = paint(ansiYellow, ready)
					if h.Health.Ready == "False" {
						ready = paint(ansiRed, readyText(h.Health))
					}
				default:
					ready = paint(ansiGreen, ready)
				}
				if h.Health.LastReconciled != nil {
					age = shortAge(now.Sub(*h.Health.LastReconciled))
				}
			}
			if err := table.Append([]string{strings.ToLower(h.Role), h.Ref.Kind, name(h.Ref), ready, age, details(h)}); err != nil {
				return err
			}
		}
		if err := table.Render(); err != nil {
			return err
		}
	}
	if c := r.Commit; c != nil {
		field := func(label, format string, args ...any) {
			fmt.Fprintf(w, "%-11s %s\n", label+":", fmt.Sprintf(format, args...))
		}
		field("Commit", "%s", orNone(c.SHA, c.Applied))
		field("Applied", "%s by %s", orNone(c.Applied, ""), describe(c.By))
		if c.Attempted != "" {
			field("Attempted", "%s (not applied)", c.Attempted)
		}
		field("Source", "%s", orNone(c.Source, ""))
		status := c.Status
		switch c.Status {
		case CommitCurrent:
			status = paint(ansiGreen, status) + " (the source holds the applied commit)"
		case CommitApplying, CommitSuspended, CommitUnknown:
			status = paint(ansiYellow, status)
		default:
			status = paint(ansiRed, status)
		}
		field("Status", "%s", status)
		if c.BlockedBy != "" {
			field("Blocked by", "%s", c.BlockedBy)
		}
		if c.Reason != "" {
			field("Reason", "%s", oneLine(c.Reason))
		}
		if g := c.Git; g != nil {
			if g.File != "" {
				field("Defined", "%s:%d", g.File, g.Line)
			}
			if g.Note != "" {
				field("Git", "%s", g.Note)
			}
			if g.Subject != "" {
				field("Message", "%s (%s)", g.Subject, g.Author)
			}
		}
	}
	for _, h := range r.Hops {
		for _, n := range h.Notes {
			fmt.Fprintf(w, "%s %s %s: %s\n", paint(ansiYellow, "!"), h.Ref.Kind, name(h.Ref), n)
		}
		if h.Health != nil && h.Health.Ready == "False" && h.Health.Message != "" && (r.Commit == nil || r.Commit.Reason != h.Health.Message) {
			fmt.Fprintf(w, "%s %s %s: %s\n", paint(ansiRed, "!"), h.Ref.Kind, name(h.Ref), oneLine(h.Health.Message))
		}
		if h.Error != "" {
			fmt.Fprintf(w, "%s %s %s: %s\n", paint(ansiRed, "!"), h.Ref.Kind, name(h.Ref), h.Error)
		}
	}
	return nil
}

func readyText(h *Health) string {
	s := h.Ready
	if s == "" {
		s = "Unknown"
	}
	if h.Suspended {
		s += " (suspended)"
	}
	return s
}

func name(ref ObjectRef) string {
	if ref.Namespace == "" {
		return ref.Name
	}
	return ref.Namespace + "/" + ref.Name
}

// details is the hop's one-line summary for the DETAILS column.
func details(h Hop) string {
	var parts []string
	add := func(format string, args ...any) { parts = append(parts, fmt.Sprintf(format, args...)) }
	if h.Path != "" {
		add("path %s", h.Path)
	}
	if h.Chart != "" {
		if h.ChartVersion != "" {
			add("chart %s %s", h.Chart, h.ChartVersion)
		} else {
			add("chart %s", h.Chart)
		}
	}
	if h.ReleaseName != "" {
		add("release %s", h.ReleaseName)
	}
	if h.LastAppliedRevision != "" && h.Role == RoleKustomization {
		add("applied %s", shortRev(h.LastAppliedRevision))
	}
	if h.LastAttemptedRevision != "" && h.LastAttemptedRevision != h.LastAppliedRevision {
		add("attempted %s", shortRev(h.LastAttemptedRevision))
	}
	if h.URL != "" {
		add("%s", h.URL)
	}
	if h.Tracks != "" {
		add("%s", h.Tracks)
	}
	if h.Revision != "" {
		add("at %s", shortRev(h.Revision))
	}
	if h.OriginURL != "" || h.OriginRevision != "" {
		add("origin %s %s", h.OriginURL, h.OriginRevision)
	}
	switch h.Inventory {
	case InventoryNotListed:
		add("NOT in its inventory")
	case InventoryUnknown:
		add("no inventory")
	}
	if h.Via != "" && h.Role == RoleOwner {
		add("via %s", h.Via)
	}
	return strings.Join(parts, ", ")
}

// shortRev abbreviates a digest to 12 characters, keeping the ref.
func shortRev(rev string) string {
	ref, digest, ok := strings.Cut(rev, "@")
	if !ok {
		digest, ref = rev, ""
	}
	algo, hex, ok := strings.Cut(digest, ":")
	if !ok || len(hex) <= 12 {
		return rev
	}
	if ref != "" {
		return ref + "@" + algo + ":" + hex[:12]
	}
	return algo + ":" + hex[:12]
}

func shortAge(d time.Duration) string {
	switch {
	case d < 0:
		return "0s"
	case d < time.Minute:
		return fmt.Sprintf("%ds", int(d.Seconds()))
	case d < time.Hour:
		return fmt.Sprintf("%dm", int(d.Minutes()))
	case d < 48*time.Hour:
		return fmt.Sprintf("%dh", int(d.Hours()))
	}
	return fmt.Sprintf("%dd", int(d.Hours()/24))
}

func oneLine(s string) string { return strings.Join(strings.Fields(s), " ") }

func orNone(s, fallback string) string {
	if s != "" {
		return s
	}
	if fallback != "" {
		return fallback
	}
	return "<none>"
}
