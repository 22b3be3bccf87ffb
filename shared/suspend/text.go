package suspend

import (
	"io"

	"github.com/kubectl-gitops/kubectl-gitops/shared/output"
)

// WriteText is the human view of one suspend or resume: the object and what became of
// it, then the reason with its intended end (overdue counted from opts.Now), what Flux
// applied, notes and the undo.
func (res *Result) WriteText(out io.Writer, opts output.TextOptions) error {
	w := &output.Writer{W: out}
	state := map[string]string{"suspend": "suspended", "resume": "resumed"}[res.Action]
	switch {
	case res.DryRun:
		state = "would be " + state + " (server-side dry run, nothing changed)"
	case !res.Changed:
		state = "unchanged"
	}
	w.Printf("%s %s\n", output.Name(res.Object.Kind, res.Object.Namespace, res.Object.Name), state)
	if res.Suspension != nil {
		w.Printf("  reason:  %s\n", res.Suspension.String(opts.Now))
	}
	if res.Changes != nil {
		w.Printf("  changes: %s\n", res.Changes.String())
	}
	if res.Failed != "" {
		w.Printf("  failed:  %s (still applied: %s)\n", res.Failed, orNone(res.Applied))
	} else if res.Applied != "" {
		w.Printf("  applied: %s\n", res.Applied)
	}
	for _, n := range res.Notes {
		w.Printf("  note:    %s\n", n)
	}
	if res.Changed && res.Undo != "" {
		w.Printf("  undo:    %s\n", output.Styled(res.Undo))
	}
	return w.Err
}

// Results are the results of suspending or resuming several objects: one document each,
// their text views one after the other.
type Results []*Result

// Items implements output.List.
func (rs Results) Items() []any { return output.Items(rs) }

// WriteText writes each result's view in turn.
func (rs Results) WriteText(w io.Writer, opts output.TextOptions) error {
	return output.WriteEach(w, opts, rs, "")
}

func orNone(rev string) string {
	if rev == "" {
		return "none"
	}
	return rev
}
