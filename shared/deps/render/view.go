package render

import (
	"io"

	"github.com/kubectl-gitops/kubectl-gitops/shared/output"
)

// The formats deps draws its report in beside text, json and yaml.
const (
	FormatDOT     = "dot"
	FormatMermaid = "mermaid"
)

// View shapes how a DependencyReport reads in text and in drawings; none of it is part
// of the document.
type View struct {
	// Base is the folder offline file paths are shown relative to (--dir).
	Base string
	// All lists every object in the tree (--all).
	All bool
	// NotFound completes the line saying no object was found: where it looked, and a
	// hint where to look instead (" in namespace shop (use -A ...)").
	NotFound string
	// Follows says another cluster's report was printed before this one: a blank line
	// parts their views (the json and yaml documents are a stream of their own).
	Follows bool
}

// WriteText is the human view of a deps report: the cluster it is about when the
// repository holds several, then the tree and the problems, or what was looked at
// when nothing was found.
func (d DependencyReport) WriteText(out io.Writer, opts output.TextOptions) error {
	w := &output.Writer{W: out}
	if d.View.Follows {
		w.Printf("\n")
	}
	if d.Cluster != "" {
		w.Printf("Cluster %s (rendered from its sync path, as its Flux does):\n", d.Cluster)
	}
	r := d.report
	if len(r.Entries) == 0 {
		w.Printf("No Kustomizations or HelmReleases found%s.\n", d.View.NotFound)
		if r.NothingChecked {
			w.Printf("Nothing was checked: --check fails on it.\n")
		}
		for _, fe := range r.FileErrors {
			w.Printf("Unreadable: %s:%d: %s\n", fe.File, fe.Line, fe.Message)
		}
		return w.Err
	}
	if w.Err != nil {
		return w.Err
	}
	return TreeWith(out, r, TreeOptions{Color: bool(opts.Palette), Base: d.View.Base, All: d.View.All, Now: opts.Now})
}

// WriteFormat draws the report in dot or mermaid, headed by the cluster it is about
// when the repository holds several.
func (d DependencyReport) WriteFormat(out io.Writer, format string) error {
	w := &output.Writer{W: out}
	if d.View.Follows {
		w.Printf("\n")
	}
	draw := DOT
	switch format {
	case FormatDOT:
		if d.Cluster != "" {
			w.Printf("// cluster %s\n", d.Cluster)
		}
	case FormatMermaid:
		if d.Cluster != "" {
			w.Printf("%%%% cluster %s\n", d.Cluster)
		}
		draw = Mermaid
	default:
		return output.Check(format, FormatDOT, FormatMermaid)
	}
	if w.Err != nil {
		return w.Err
	}
	return draw(out, d.report)
}
