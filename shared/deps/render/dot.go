package render

import (
	"io"
	"strings"

	"github.com/kubectl-gitops/kubectl-gitops/shared/deps"
	"github.com/kubectl-gitops/kubectl-gitops/shared/output"
)

// dotStyle holds the Graphviz attributes of each node class.
func dotStyle(class string) string {
	switch class {
	case "ready":
		return `style="rounded,filled", fillcolor="#d4edda"`
	case "waiting":
		return `style="rounded,filled", fillcolor="#fff3cd"`
	case "stale":
		return `style="rounded,filled", fillcolor="#ffe5b4"`
	case "suspended":
		return `style="rounded,filled", fillcolor="#e2e3e5"`
	case "failing":
		return `style="rounded,filled", fillcolor="#f8d7da", color="#cc0000"`
	case "cycle":
		return `style="rounded,filled,bold", fillcolor="#f8d7da", color="#cc0000", penwidth=2`
	case "missing":
		return `style="rounded,dashed", color="#cc0000", fontcolor="#cc0000"`
	}
	return `style="rounded"`
}

// DOT writes the graph in Graphviz DOT. Edges run from a dependency to
// its dependents, the order in which things become Ready (the same direction
// as the Mermaid output). Node IDs are Kind/namespace/name;
// HelmReleases are ellipses, Kustomizations boxes. Cycle edges are red and
// the edge suggested for removal is labelled "remove?"; edges to missing
// objects are dashed.
func DOT(w io.Writer, r *deps.Report) error {
	t := &output.Writer{W: w}
	short := singleNamespace(r)
	t.Printf("// Flux dependsOn graph: an edge A -> B means B depends on A.\n")
	t.Printf("digraph dependencies {\n")
	t.Printf("  rankdir=TB;\n")
	t.Printf("  node [shape=box, fontname=\"Helvetica\"];\n")
	for i := range r.Entries {
		e := &r.Entries[i]
		label := diagramLabel(r, i, short)
		if e.Missing {
			label += "\n(missing)"
		}
		shape := ""
		if e.Kind == deps.KindHelmRelease {
			shape = ", shape=ellipse"
		}
		t.Printf("  %s [label=%s%s, %s];\n", dotQuote(e.ID().Key()), dotQuote(label), shape, dotStyle(nodeClass(r, i)))
	}

	breaks := make(map[deps.Edge]bool, len(r.Cycles))
	for _, cy := range r.Cycles {
		breaks[cy.Break] = true
	}
	for i := range r.Entries {
		for _, j := range r.Entries[i].Dependencies {
			attrs := ""
			switch {
			case r.Entries[j].Missing:
				attrs = ` [style=dashed, color="#cc0000"]`
			case breaks[deps.Edge{Dependent: r.Entries[i].ID(), Dependency: r.Entries[j].ID()}]:
				attrs = ` [color="#cc0000", penwidth=2, label="remove?", fontcolor="#cc0000"]`
			case cycleEdge(r, i, j):
				attrs = ` [color="#cc0000", penwidth=2]`
			}
			t.Printf("  %s -> %s%s;\n", dotQuote(r.Entries[j].ID().Key()), dotQuote(r.Entries[i].ID().Key()), attrs)
		}
	}
	t.Printf("}\n")
	return t.Err
}

// dotQuote makes s a DOT double-quoted string; newlines become DOT's
// centred line break.
func dotQuote(s string) string {
	var b strings.Builder
	b.WriteByte('"')
	for _, c := range s {
		switch c {
		case '"', '\\':
			b.WriteByte('\\')
			b.WriteRune(c)
		case '\n':
			b.WriteString(`\n`)
		default:
			b.WriteRune(c)
		}
	}
	b.WriteByte('"')
	return b.String()
}
