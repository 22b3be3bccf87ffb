package branch

import (
	"fmt"
	"io"
	"strings"

	"github.com/kubectl-gitops/kubectl-gitops/shared/output"
	"github.com/kubectl-gitops/kubectl-gitops/shared/status"
)

// pastTense names what an action did.
func pastTense(action string) string {
	switch action {
	case status.SwitchPin:
		return "pinned"
	case status.SwitchRestore:
		return "restored"
	}
	return "switched"
}

// WriteText is the human view of a switch, pin or restore, one "Label: value" line per
// fact: the change, what happened to the parent, the revisions, every consumer, notes
// and the undo.
func (res *Result) WriteText(out io.Writer, _ output.TextOptions) error {
	w := &output.Writer{W: out}
	verb := pastTense(res.Action)
	ns, name := res.Object.Namespace, res.Object.Name
	switch {
	case res.DryRun:
		w.Printf("GitRepository %s/%s would be %s: %s -> %s (server-side dry run, nothing changed)\n", ns, name, verb, res.From, res.To)
	case res.Changed:
		w.Printf("GitRepository %s/%s %s: %s -> %s\n", ns, name, verb, res.From, res.To)
	default:
		w.Printf("GitRepository %s/%s: nothing to do\n", ns, name)
	}
	res.Plan.Print(w.Printf)
	if len(res.Cleared) > 0 {
		w.Printf("Cleared:    %s (they outrank a branch)\n", strings.Join(res.Cleared, ", "))
	}
	if res.Parent != nil {
		w.Printf("Parent:     Kustomization %s/%s %s\n", res.Parent.Namespace, res.Parent.Name, res.Parent.Action)
	}
	if res.RevisionAfter != "" {
		w.Printf("Revision:   %s (was %s)\n", res.RevisionAfter, res.RevisionBefore)
	}
	// The preview was made before the switch: what the apply would change comes
	// before what Flux then did.
	for _, c := range res.Changes {
		w.Printf("Changes:    %s\n", c.String())
	}
	for _, c := range res.Consumers {
		line := strings.TrimSpace(fmt.Sprintf("%s %s", c.Status, c.Applied))
		if c.Message != "" {
			line = c.Status + ": " + c.Message
		}
		w.Printf("Consumer:   %s %s/%s %s\n", c.Kind, c.Namespace, c.Name, line)
	}
	for _, n := range res.Notes {
		w.Printf("Note:       %s\n", n)
	}
	if res.Restored != nil {
		w.Printf("Restored:   %s -> %s (--auto-restore), revision %s\n", res.Restored.From, res.Restored.To, res.Restored.RevisionAfter)
	}
	if res.Changed && res.Undo != "" {
		w.Printf("Undo:       %s\n", output.Styled(res.Undo))
	}
	return w.Err
}

// Results are the results of a switch or restore of several GitRepositories: one
// document each, their text views one after the other.
type Results []*Result

// Items implements output.List.
func (rs Results) Items() []any { return output.Items(rs) }

// WriteText writes each result's view in turn.
func (rs Results) WriteText(w io.Writer, opts output.TextOptions) error {
	return output.WriteEach(w, opts, rs, "")
}
