package dev

import (
	"fmt"
	"io"
	"strings"

	"github.com/kubectl-gitops/kubectl-gitops/shared/git"
	"github.com/kubectl-gitops/kubectl-gitops/shared/output"
)

// WriteText is the human view of a step's result: what happened, one fact per line.
func (res *Result) WriteText(out io.Writer, _ output.TextOptions) error {
	w := &output.Writer{W: out}
	s := res.Session
	notes := res.Notes
	would := ""
	if res.DryRun {
		would = " (server-side dry run, nothing changed)"
	}
	switch res.Action {
	case "start":
		w.Printf("Dev session %s started%s\n", s.ID, would)
		w.Printf("Branch:     %s from %s at %s\n", s.Branch, s.TrackedBranch, git.Short(s.Base))
	case "test":
		w.Printf("Dev session %s: applied%s\n", s.ID, would)
	case "diff":
		res.writeDiffs(w)
		// The diff's heading carries the Git note.
		notes = dropGitNote(notes)
	case "checkpoint":
		if res.Checkpoint != nil {
			w.Printf("Dev session %s: checkpoint %s %s\n", s.ID, git.Short(res.Checkpoint.Commit), res.Checkpoint.Message)
		} else {
			w.Printf("Dev session %s: no checkpoint\n", s.ID)
		}
	case "finish", "abort":
		state := "closed"
		if !res.Closed {
			state = "not closed"
		}
		if res.DryRun {
			state = "would be closed"
		}
		w.Printf("Dev session %s %s by %s%s\n", s.ID, state, res.Action, would)
		if res.Commit != "" {
			w.Printf("Pushed:     %s %s\n", s.Branch, git.Short(res.Commit))
		}
	}
	suspended, resumed := "Suspended:", "Resumed:"
	if res.DryRun {
		suspended, resumed = "Suspends:", "Resumes:"
	}
	for _, o := range res.Suspended {
		w.Printf("%-11s %s\n", suspended, o)
	}
	for _, c := range res.Applied {
		w.Printf("Applied:    %s %s\n", c.ObjectRef, c.Operation)
	}
	for _, c := range res.Changes {
		w.Printf("Changes:    %s\n", c.String())
	}
	for _, c := range res.Preview {
		w.Printf("Preview:    %s %s/%s %s %s\n", c.Kind, c.Namespace, c.Name, c.Status, c.Applied)
	}
	for _, o := range res.Resumed {
		w.Printf("%-11s %s\n", resumed, o)
	}
	for _, c := range res.Consumers {
		line := strings.TrimSpace(c.Status + " " + c.Applied)
		if c.Message != "" {
			line = c.Status + ": " + c.Message
		}
		w.Printf("Flux:       %s %s/%s %s\n", c.Kind, c.Namespace, c.Name, line)
	}
	for _, o := range res.Deleted {
		w.Printf("Deleted:    %s (created by the session, not in Git)\n", o)
	}
	for _, o := range res.Released {
		w.Printf("Released:   %s (back to what Git declares)\n", o)
	}
	for _, n := range notes {
		w.Printf("Note:       %s\n", n)
	}
	if res.PullRequest != "" {
		w.Printf("Pull request: %s\n", output.Styled(res.PullRequest))
	}
	if res.Next != "" && !res.DryRun {
		w.Printf("Next:       %s\n", res.Next)
	}
	return w.Err
}

func (res *Result) writeDiffs(w *output.Writer) {
	for _, n := range res.Notes {
		if strings.HasPrefix(n, "Git: ") {
			w.Printf("# %s\n", n)
		}
	}
	for _, d := range res.Diffs {
		w.Printf("=== %s\n", d.ObjectRef)
		switch {
		case !d.Live:
			w.Printf("cluster: new object\n")
		case d.Cluster == "":
			w.Printf("cluster: no change\n")
		}
		if d.Live && d.Cluster != "" {
			w.Printf("cluster:\n")
			printLines(w, d.Cluster)
		}
		switch {
		case res.Session != nil && d.Git == "" && d.InGit:
			w.Printf("git: as declared\n")
		case d.Git != "" && !d.InGit:
			w.Printf("git: not declared by the tracked branch\n")
		case d.Git != "":
			w.Printf("git:\n")
			printLines(w, d.Git)
		}
	}
}

// printLines writes a diff line by line: each line is made safe on its own, so the
// newlines stay newlines and nothing else from the cluster reaches the terminal raw.
func printLines(w *output.Writer, text string) {
	for _, line := range strings.Split(strings.TrimRight(text, "\n"), "\n") {
		w.Printf("%s\n", line)
	}
}

func dropGitNote(notes []string) []string {
	var out []string
	for _, n := range notes {
		if !strings.HasPrefix(n, "Git: ") {
			out = append(out, n)
		}
	}
	return out
}

// Sessions are what `dev status` prints: one DevSession document each, and in text one
// table, kubectl get style.
type Sessions []*Session

// Items implements output.List.
func (sessions Sessions) Items() []any { return output.Items(sessions) }

// WriteText writes the open sessions as a table, ages counted from opts.Now.
func (sessions Sessions) WriteText(out io.Writer, opts output.TextOptions) error {
	w := &output.Writer{W: out}
	now := opts.Now
	if len(sessions) == 0 {
		w.Printf("No dev session is open.\n")
		return w.Err
	}
	t := output.NewTable(w, "SESSION", "USER", "AGE", "BRANCH", "PAUSED", "APPLIED", "CHECKPOINTS", "STATE")
	for _, s := range sessions {
		paused := make([]string, len(s.Kustomizations))
		for i, k := range s.Kustomizations {
			paused[i] = k.Namespace + "/" + k.Name
		}
		applied := make([]string, len(s.Applied))
		for i, a := range s.Applied {
			applied[i] = a.ObjectRef.String()
		}
		state := "open"
		if s.Overdue {
			state = fmt.Sprintf("overdue (meant to end %s ago)", output.Age(now, *s.Until))
		}
		if err := t.Append(s.ID, orSomeone(s.User), output.Age(now, s.Started), s.Branch, strings.Join(paused, ","),
			orNone(strings.Join(applied, ",")), len(s.Checkpoints), state); err != nil {
			return err
		}
	}
	return t.Render()
}

func orNone(s string) string {
	if s == "" {
		return "<none>"
	}
	return s
}
