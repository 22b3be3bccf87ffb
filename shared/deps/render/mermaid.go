package render

import (
	"io"
	"strconv"
	"strings"

	"github.com/kubectl-gitops/kubectl-gitops/shared/deps"
	"github.com/kubectl-gitops/kubectl-gitops/shared/output"
)

// mermaidStyle holds the classDef body of each node class.
func mermaidStyle(class string) string {
	switch class {
	case "ready":
		return "fill:#d4edda,stroke:#2e7d32"
	case "waiting":
		return "fill:#fff3cd,stroke:#b58900"
	case "stale":
		return "fill:#ffe5b4,stroke:#b58900"
	case "suspended":
		return "fill:#e2e3e5,stroke:#6c757d"
	case "failing":
		return "fill:#f8d7da,stroke:#cc0000,stroke-width:2px"
	case "cycle":
		return "fill:#f8d7da,stroke:#cc0000,stroke-width:3px"
	case "missing":
		return "fill:#ffffff,stroke:#cc0000,stroke-dasharray:5 5"
	}
	return ""
}

// Mermaid writes a Mermaid flowchart (`graph TD`) with edges from a
// dependency to its dependents, as GitOps workflow diagrams usually draw it
// (`A[flux-system] --> B[cert-manager]`). Node IDs are n0, n1… (entry
// indices), always valid Mermaid identifiers whatever the object names;
// labels are bare when made of letters, digits, '-' and '_' and quoted
// otherwise. Labels drop the namespace when all nodes share one.
// HelmReleases are drawn as stadiums. Nodes get a class per state (ready,
// waiting, stale, suspended, failing, cycle, missing); cycle edges are red
// and edges to missing objects dotted.
func Mermaid(w io.Writer, r *deps.Report) error {
	t := &output.Writer{W: w}
	short := singleNamespace(r)
	t.Printf("graph TD\n")
	members := make(map[string][]string)
	for i := range r.Entries {
		id := "n" + strconv.Itoa(i)
		label := mermaidLabel(diagramLabel(r, i, short))
		if r.Entries[i].Kind == deps.KindHelmRelease {
			t.Printf("    %s([%s])\n", id, label)
		} else {
			t.Printf("    %s[%s]\n", id, label)
		}
		if c := nodeClass(r, i); c != "" {
			members[c] = append(members[c], id)
		}
	}

	link := 0
	var red []string
	for i := range r.Entries {
		for _, j := range r.Entries[i].Dependencies {
			arrow := "-->"
			if r.Entries[j].Missing {
				arrow = "-.->"
			}
			t.Printf("    n%d %s n%d\n", j, arrow, i)
			if cycleEdge(r, i, j) {
				red = append(red, strconv.Itoa(link))
			}
			link++
		}
	}
	if len(red) > 0 {
		t.Printf("    linkStyle %s stroke:#cc0000,stroke-width:3px\n", strings.Join(red, ","))
	}
	for _, c := range classNames() {
		if len(members[c]) == 0 {
			continue
		}
		t.Printf("    classDef %s %s\n", c, mermaidStyle(c))
		t.Printf("    class %s %s\n", strings.Join(members[c], ","), c)
	}
	return t.Err
}

// mermaidLabel returns s bare when Mermaid reads it as plain text, and
// quoted otherwise, with the characters that would end or confuse a quoted
// label written as Mermaid entity codes.
func mermaidLabel(s string) string {
	safe := s != ""
	for _, c := range s {
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '_') {
			safe = false
			break
		}
	}
	if safe {
		return s
	}
	var b strings.Builder
	b.WriteByte('"')
	for _, c := range s {
		switch c {
		case '"':
			b.WriteString("#quot;")
		case '#':
			b.WriteString("#35;")
		case '<':
			b.WriteString("#lt;")
		case '>':
			b.WriteString("#gt;")
		case '\n':
			b.WriteString("<br/>")
		default:
			b.WriteRune(c)
		}
	}
	b.WriteByte('"')
	return b.String()
}
