package graph

import (
	"io"
	"strings"
)

// RenderTree writes the human view: the graph as an indented tree (each
// dependent under what it depends on, nodes without dependencies at the
// top), then the Cycles, Missing dependencies and Blocked sections. With
// color false no ANSI codes are written.
//
// A node with several dependencies appears under each of them, but its
// subtree is printed only the first time; later appearances say
// "(see above)". This keeps the output linear in the size of the graph where
// a naive tree of a diamond-heavy DAG grows exponentially.
func RenderTree(w io.Writer, r *Report, color bool) error {
	t := &textWriter{w: w}
	p := palette(color)
	r.writeTree(t, p)
	r.writeProblems(t, p)
	return t.err
}

type treeItem struct {
	idx    int
	prefix string // drawn before the connector
	last   bool   // last child of its parent
	top    bool   // printed at column 0 with no connector
}

func (r *Report) writeTree(t *textWriter, p palette) {
	if len(r.Entries) == 0 {
		t.printf("No Kustomizations or HelmReleases found.\n")
		return
	}
	printed := make([]bool, len(r.Entries))
	var stack []treeItem
	walk := func(root int) {
		stack = append(stack[:0], treeItem{idx: root, top: true})
		for len(stack) > 0 {
			it := stack[len(stack)-1]
			stack = stack[:len(stack)-1]
			connector, childPrefix := "", ""
			if !it.top {
				connector, childPrefix = "├── ", it.prefix+"│   "
				if it.last {
					connector, childPrefix = "└── ", it.prefix+"    "
				}
			}
			label := r.Entries[it.idx].ID().String()
			if printed[it.idx] {
				t.printf("%s%s%s %s\n", it.prefix, connector, label, p.dim("(see above)"))
				continue
			}
			printed[it.idx] = true
			t.printf("%s%s%s  %s\n", it.prefix, connector, label, r.statusText(it.idx, p))
			kids := r.Entries[it.idx].Dependents
			for k := len(kids) - 1; k >= 0; k-- {
				stack = append(stack, treeItem{idx: kids[k], prefix: childPrefix, last: k == len(kids)-1})
			}
		}
	}
	for i := range r.Entries {
		if len(r.Entries[i].Dependencies) == 0 {
			walk(i)
		}
	}
	// Whatever is left hangs below a cycle with no way in from a root.
	for i := range r.Entries {
		if !printed[i] {
			walk(i)
		}
	}
}

func (r *Report) writeProblems(t *textWriter, p palette) {
	if len(r.Duplicates) > 0 {
		t.printf("\n%s (%d):\n", p.bold("Duplicates"), len(r.Duplicates))
		for _, d := range r.Duplicates {
			first := ""
			if i, ok := r.index[d.ID]; ok {
				first = origin(r.Entries[i].File, r.Entries[i].Line)
			}
			t.printf("  %s defined again at %s (first at %s); the second definition is ignored\n",
				d.ID, orDefault(origin(d.File, d.Line), "?"), orDefault(first, "?"))
		}
	}

	if !r.HasProblems() {
		t.printf("\n%s\n", p.green("No cycles, no missing dependencies, nothing blocked."))
		return
	}

	if len(r.Cycles) > 0 {
		t.printf("\n%s (%d):\n", p.bold("Cycles"), len(r.Cycles))
		for _, cy := range r.Cycles {
			t.printf("  %s cycle: %s\n", cy.Kind, p.red(pathString(cy.Path)))
			if others := cycleOthers(cy); len(others) > 0 {
				t.printf("    also caught in it: %s\n", joinShort(others))
			}
			t.printf("    fix: %s\n", cy.Suggestion)
		}
	}

	if len(r.Missing) > 0 {
		t.printf("\n%s (%d):\n", p.bold("Missing dependencies"), len(r.Missing))
		for _, m := range r.Missing {
			t.printf("  %s depends on %s, which does not exist\n", m.Dependent, p.red(m.Target.Short()))
			if len(m.Suggestions) > 0 {
				t.printf("    did you mean: %s\n", joinIDs(m.Suggestions))
			}
			for _, o := range m.OtherKind {
				t.printf("    note: %s exists, but a %s can only depend on %ss\n", o, m.Dependent.Kind, m.Dependent.Kind)
			}
			if m.Ref.ReadyExpr != "" {
				t.printf("    (readyExpr: %s)\n", m.Ref.ReadyExpr)
			}
		}
	}

	if len(r.RootCauses) > 0 {
		victims := 0
		for _, rc := range r.RootCauses {
			victims += len(rc.Victims)
		}
		t.printf("\n%s (%d root %s, %d blocked):\n", p.bold("Blocked"), len(r.RootCauses),
			plural(len(r.RootCauses), "cause", "causes"), victims)
		for _, rc := range r.RootCauses {
			t.printf("  %s %s\n", p.red("["+string(rc.Kind)+"]"), p.bold(rc.Node.String()))
			// Flux messages (kustomize build output, say) can span lines;
			// keep them inside the entry's indentation.
			t.printf("    %s\n", strings.ReplaceAll(strings.TrimRight(rc.Message, "\n"), "\n", "\n    "))
			if len(rc.Victims) > 0 {
				t.printf("    blocks %d:\n", len(rc.Victims))
				for _, v := range rc.Victims {
					t.printf("      %s\n", v)
				}
			}
			t.printf("    next step: %s\n", rc.NextStep)
		}
	}
}

// cycleOthers lists component members the printed path does not visit.
func cycleOthers(cy Cycle) []NodeID {
	onPath := make(map[NodeID]bool, len(cy.Path))
	for _, id := range cy.Path {
		onPath[id] = true
	}
	var out []NodeID
	for _, m := range cy.Members {
		if !onPath[m] {
			out = append(out, m)
		}
	}
	return out
}

func joinIDs(ids []NodeID) string {
	parts := make([]string, len(ids))
	for i, id := range ids {
		parts[i] = id.String()
	}
	return strings.Join(parts, ", ")
}

func joinShort(ids []NodeID) string {
	parts := make([]string, len(ids))
	for i, id := range ids {
		parts[i] = id.Short()
	}
	return strings.Join(parts, ", ")
}

func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}
