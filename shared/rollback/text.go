package rollback

import (
	"io"
	"strings"

	"github.com/kubectl-gitops/kubectl-gitops/shared/output"
	"github.com/kubectl-gitops/kubectl-gitops/shared/reconcile"
)

// WriteText is the human view of a revert: what was committed and pushed (or would be),
// the plan, the paths and files restored, how it was checked, what Flux applied, notes
// and the undo, one "Label: value" line per fact.
func (res *RevertResult) WriteText(out io.Writer, _ output.TextOptions) error {
	w := &output.Writer{W: out}
	name := output.Name(res.Object.Kind, res.Object.Namespace, res.Object.Name)
	what := "to " + res.Target
	if res.Reverted != "" {
		what = "by undoing commit " + res.Reverted
	}
	switch {
	case res.DryRun:
		w.Printf("%s would be reverted %s on %s (dry run, nothing pushed)\n", name, what, res.Branch)
	case res.Pushed:
		w.Printf("%s reverted %s: commit %s pushed to %s %s\n", name, what, res.Commit, res.Remote, res.Branch)
	case res.Changed:
		w.Printf("%s reverted %s: commit %s, not pushed\n", name, what, res.Commit)
	default:
		w.Printf("%s: nothing to revert\n", name)
	}
	res.Plan.Print(w.Printf)
	w.Printf("Paths:      %s\n", strings.Join(res.Paths, ", "))
	if len(res.Files) > 0 {
		w.Printf("Files:      %s\n", strings.Join(res.Files, ", "))
	}
	if res.BuildChecked {
		if res.Reverted != "" {
			w.Printf("Checked:    kustomize builds the result\n")
		} else {
			w.Printf("Checked:    kustomize builds the result to the same objects as %s\n", res.Target)
		}
	}
	if res.LocalBranch != "" {
		w.Printf("Branch:     %s (local)\n", res.LocalBranch)
	}
	// The preview was made before the push: it comes before what Flux then applied.
	for _, c := range res.Changes {
		w.Printf("Changes:    %s\n", c.String())
	}
	if a := res.Applied; a != nil {
		line := strings.TrimSpace(a.Status + " " + a.Applied)
		if a.Status == reconcile.StatusApplied && a.Applied != "" {
			// The label says it: "Applied:    main@sha1:…", not "Applied: Applied …".
			line = a.Applied
		}
		if a.Message != "" {
			line = a.Status + ": " + a.Message
		}
		w.Printf("Applied:    %s\n", line)
	}
	for _, n := range res.Notes {
		w.Printf("Note:       %s\n", n)
	}
	if res.Undo != "" {
		w.Printf("Undo:       %s\n", output.Styled(res.Undo))
	}
	return w.Err
}
