package cmd

import (
	"strings"
	"time"

	"github.com/kubectl-gitops/kubectl-gitops/shared/command"
	"github.com/kubectl-gitops/kubectl-gitops/shared/follow"
	"github.com/kubectl-gitops/kubectl-gitops/shared/output"
	"github.com/kubectl-gitops/kubectl-gitops/shared/write"
)

func (o *Options) hooks() write.Hooks { return write.Hooks{Now: time.Now} }

// view is how each change is shown: on a terminal, the table redrawn in place (stdout,
// or stderr beside -o); otherwise, or across several clusters, one line per change, on
// stdout (stderr beside -o, whose stdout is the document alone).
func (o *Options) view(context string, sources []follow.Source) func(follow.State) {
	out := o.streams.Out
	if o.Output.Document() {
		out = o.streams.ErrOut
		if !command.IsTerminal(out) {
			return nil
		}
	}
	if command.IsTerminal(out) && !o.multi() {
		var commits []string
		for _, s := range sources {
			commits = append(commits, s.Branch+"@"+s.Commit)
		}
		live := &follow.Live{W: out, Palette: output.Palette(output.Color(out)), Header: "following " + strings.Join(commits, ", ")}
		return live.Show
	}
	// Several clusters' views interleave: one line per change each, never a redraw.
	lines := &follow.Lines{W: out, Now: time.Now, Prefix: o.prefix(context), Lock: &o.mu}
	return lines.Show
}
