package follow

import (
	"bytes"
	"fmt"
	"io"
	"strings"
	"sync"
	"text/tabwriter"
	"time"

	"github.com/kubectl-gitops/kubectl-gitops/shared/output"
)

// row is one line of the view: a source or an object, its phase and what to say.
type row struct{ name, phase, detail string }

func rows(st State) []row {
	var out []row
	for _, s := range st.Sources {
		detail := s.Branch + " at " + short(s.Commit)
		if s.Revision != "" {
			detail = s.Revision
		}
		if s.Message != "" {
			detail = s.Message
		}
		out = append(out, row{output.Name(s.Kind, s.Namespace, s.Name), string(s.Phase), detail})
	}
	for _, o := range st.Objects {
		detail := o.Message
		if len(o.WaitsOn) > 0 && o.Phase != PhaseBlocked {
			detail = "waits on " + strings.Join(o.WaitsOn, ", ")
		}
		switch {
		case detail != "" || o.Applied == "":
		case o.Phase == PhaseApplied:
			detail = o.Applied
		default:
			// Not the revision followed: what it still runs, said as such.
			detail = "last applied " + o.Applied
		}
		name := o.ID().String()
		if o.Cluster != "" {
			// Applied to another cluster through spec.kubeConfig: said where.
			name += " (in " + o.Cluster + ")"
		}
		out = append(out, row{name, string(o.Phase), OneLine(detail)})
	}
	return out
}

// paint colours a phase: green applied, red failed or blocked, yellow the rest.
func paint(p output.Palette, phase string) output.Styled {
	switch Phase(phase) {
	case PhaseApplied, PhaseFetched:
		return p.Green(phase)
	case PhaseFailed, PhaseBlocked, PhaseSuspended:
		return p.Red(phase)
	}
	return p.Yellow(phase)
}

// Table renders the state as a table: what applied the revision, what is applying,
// what waits on what.
func Table(st State, p output.Palette) string {
	var buf bytes.Buffer
	tw := tabwriter.NewWriter(&buf, 0, 4, 2, ' ', 0)
	w := &output.Writer{W: tw}
	w.Printf("OBJECT\tPHASE\tDETAIL\n")
	for _, r := range rows(st) {
		w.Printf("%s\t%s\t%s\n", r.name, paint(p, r.phase), r.detail)
	}
	_ = tw.Flush()
	return buf.String()
}

// Summary is the last line of the human view.
func Summary(st State) string {
	n := len(st.Objects)
	switch st.Verdict {
	case VerdictApplied:
		commits := map[string]bool{}
		for _, s := range st.Sources {
			commits[short(s.Commit)] = true
		}
		var cs []string
		for c := range commits {
			cs = append(cs, c)
		}
		return fmt.Sprintf("applied %s: %s fetched it, %s applied it", strings.Join(cs, ", "),
			output.Count(len(st.Sources), "source", "sources"), output.Count(n, "object", "objects"))
	case VerdictFailed:
		if st.RootCause != nil {
			return "failed: " + st.RootCause.Object + " is the root cause"
		}
		return "failed"
	case VerdictTimedOut:
		return "timed out"
	case VerdictInterrupted:
		return "interrupted"
	}
	return ""
}

// Lines is the view without a terminal: one line per change of a source or an object.
type Lines struct {
	W   io.Writer
	Now func() time.Time
	// Prefix starts every line: the context's name when several clusters are followed.
	Prefix string
	// Lock, when set, is held while a line is written: several clusters' follows
	// write to one stream.
	Lock sync.Locker
	seen map[string]row
}

// Show prints the rows that changed since the last state shown.
func (l *Lines) Show(st State) {
	if l.seen == nil {
		l.seen = map[string]row{}
	}
	if l.Lock != nil {
		l.Lock.Lock()
		defer l.Lock.Unlock()
	}
	w := &output.Writer{W: l.W}
	for _, r := range rows(st) {
		if l.seen[r.name] == r {
			continue
		}
		l.seen[r.name] = r
		line := r.name + " " + r.phase
		if r.detail != "" {
			line += ": " + r.detail
		}
		w.Printf("%s %s%s\n", l.Now().UTC().Format(time.TimeOnly), l.Prefix, line)
	}
}

// Live is the view on a terminal: the table redrawn in place on every change.
type Live struct {
	W       io.Writer
	Palette output.Palette
	// Header is the line above the table ("following 1a2b3c4d…").
	Header string
	lines  int
}

// Show redraws the table.
func (l *Live) Show(st State) {
	var buf strings.Builder
	if l.lines > 0 {
		// Up to the first line drawn, then clear to the end of the screen.
		fmt.Fprintf(&buf, "\x1b[%dA\x1b[J", l.lines)
	}
	body := l.Header + "\n" + Table(st, l.Palette)
	buf.WriteString(body)
	l.lines = strings.Count(body, "\n")
	_, _ = io.WriteString(l.W, buf.String())
}
