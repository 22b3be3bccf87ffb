package timeline

import (
	"fmt"
	"strings"
	"time"

	"github.com/kubectl-gitops/kubectl-gitops/shared/output"
)

// WriteText writes the timeline under a trace: one line per step with its time, the
// wait since the step it waited for and that wait's causes with their settings, then
// the total and the notes.
func (tl *Timeline) WriteText(w *output.Writer) {
	w.Printf("Timeline of %s:\n", tl.Revision)
	table := output.NewTable(w, "AT", "STEP", "OBJECT", "WAITED", "WHY")
	for _, s := range tl.Steps {
		at, waited, why := "unknown", "", s.Note
		if s.At != nil {
			at = s.At.UTC().Format(time.TimeOnly)
		}
		what := s.What
		if s.Dependency {
			what += " (dependency)"
		}
		if s.Wait != nil {
			waited = "+" + s.Wait.Duration.Duration.String()
			why = causes(s.Wait)
		}
		if err := table.Append(at, what, s.Object.String(), waited, why); err != nil {
			w.Err = err
			return
		}
	}
	if err := table.Render(); err != nil && w.Err == nil {
		w.Err = err
	}
	if tl.Total != nil {
		w.Printf("Total: %s from the first step to the last.\n", tl.Total.Duration)
	}
	for _, n := range tl.Notes {
		w.Printf("Note: %s\n", n)
	}
}

// causes is a gap's parts on one line: "dependency requeue 28s (kustomize-controller
// --requeue-dependency=30s), apply 2s".
func causes(g *Gap) string {
	var parts []string
	for _, p := range g.Parts {
		s := fmt.Sprintf("%s %s", p.Cause, p.Duration.Duration)
		if p.Setting != "" {
			s += " (" + p.Setting + ")"
		}
		parts = append(parts, s)
	}
	return strings.Join(parts, ", ")
}
