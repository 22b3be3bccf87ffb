package source

import (
	"io"
	"strings"
	"time"

	"github.com/kubectl-gitops/kubectl-gitops/shared/flux"
	"github.com/kubectl-gitops/kubectl-gitops/shared/output"
	"github.com/kubectl-gitops/kubectl-gitops/shared/status"
)

// WriteText is the human view of `branch show`, one "Label: value" line per fact: what
// the source tracks and holds, what each consumer applied, who switched or pinned it,
// and the branches of its remote or clone when asked for.
func (doc *Document) WriteText(out io.Writer, _ output.TextOptions) error {
	w := &output.Writer{W: out}
	ns, name := doc.Object.Namespace, doc.Object.Name
	w.Printf("GitRepository: %s/%s\nURL:           %s\nTracks:        %s\nRevision:      %s\nReady:         %s\n",
		ns, name, doc.URL, doc.Tracks, doc.Revision, doc.Ready)
	if doc.Ready == "False" {
		w.Printf("Message:       %s\n", doc.Message)
	}
	for _, c := range doc.Consumers {
		state := "behind"
		switch {
		case c.Suspended:
			state = "suspended"
		case c.Current:
			state = "current"
		}
		what := "applied"
		if c.Kind == flux.KindHelmChart {
			what = "built from"
		} else if c.Kind == flux.KindHelmRelease {
			what = "installed chart"
		}
		w.Printf("Consumer:      %s %s/%s %s %s (%s)\n", c.Kind, c.Namespace, c.Name, what, orNothingYet(c.Applied), state)
	}
	if sw := doc.Switched; sw != nil {
		by := ""
		if sw.By != "" {
			by = " by " + sw.By
		}
		label, undo := "Switched:      from", "'"+output.Safe(sw.Undo)+"'"
		if sw.Action == status.SwitchPin {
			label = "Pinned:        the cluster differs from the branch head; was"
		}
		w.Printf("%s %s%s at %s; undo with %s\n", label, sw.From, by, sw.At.Format(time.RFC3339), output.Styled(undo))
		if sw.Parent != "" {
			w.Printf("Parent:        Kustomization %s skips it until then (Git declares %s)\n", sw.Parent, sw.From)
		}
	} else if doc.Ref != nil && doc.Ref.Kind == "commit" {
		w.Printf("Pinned:        to commit %s in its spec (Git declares it)\n", doc.Ref.Value)
	}
	if r := doc.Remote; r != nil {
		for _, b := range r.Branches {
			var marks []string
			if b.Tracked {
				marks = append(marks, "tracked")
			}
			if b.Declared {
				marks = append(marks, "declared in Git")
			}
			mark := ""
			if len(marks) > 0 {
				mark = " (" + strings.Join(marks, ", ") + ")"
			}
			w.Printf("Branch:        %s %s%s\n", b.Name, b.Commit, mark)
		}
		if c := r.TrackedVsDeclared; c != nil {
			w.Printf("Compared:      %s is %d ahead and %d behind %s\n", r.Tracked, c.Ahead, c.Behind, r.Declared)
		}
		if c := r.HeldVsTracked; c != nil {
			w.Printf("Fetched:       the source's commit is %d behind the head of %s\n", c.Behind, r.Tracked)
		}
		for _, n := range r.Notes {
			w.Printf("Note:          %s\n", n)
		}
	}
	return w.Err
}

func orNothingYet(s string) string {
	if s == "" {
		return "nothing yet"
	}
	return s
}

// Documents are what `branch show` prints for several GitRepositories: one document
// each, their text views separated by a blank line.
type Documents []*Document

// Items implements output.List.
func (ds Documents) Items() []any { return output.Items(ds) }

// WriteText writes each document's view, a blank line between two.
func (ds Documents) WriteText(w io.Writer, opts output.TextOptions) error {
	return output.WriteEach(w, opts, ds, "\n")
}
