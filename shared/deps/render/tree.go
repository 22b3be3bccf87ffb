package render

import (
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/kubectl-gitops/kubectl-gitops/shared/deps"
	"github.com/kubectl-gitops/kubectl-gitops/shared/output"
)

// Tree writes the human view: the graph as an indented tree (each
// dependent under what it depends on, nodes without dependencies at the
// top), then the Cycles, Missing dependencies and Blocked sections. With
// color false no ANSI codes are written.
//
// A node with several dependencies appears under each of them, but its
// subtree is printed only the first time; later appearances say
// "(see above)". This keeps the output linear in the size of the graph where
// a naive tree of a diamond-heavy DAG grows exponentially.
func Tree(w io.Writer, r *deps.Report, color bool) error {
	return TreeWith(w, r, TreeOptions{Color: color})
}

// TreeOptions shape the human view.
type TreeOptions struct {
	Color bool
	// Base is the folder offline file paths are shown relative to (--dir).
	Base string
	// MaxLines bounds the tree part; 0 means DefaultMaxLines. The problem sections are
	// always written whole.
	MaxLines int
	// All lists every object; otherwise those with no dependency, no dependent and no
	// problem are folded into a count (three quarters of a real fleet's lines).
	All bool
	// Now is when a suspension's end is compared to (OVERDUE); zero means time.Now().
	Now time.Time
}

// DefaultMaxLines bounds a tree: past it a terminal or a CI log is no place to read a
// graph, and -o json has everything.
const DefaultMaxLines = 5000

// TreeWith writes the human view with opts: a one-line summary and how to read the
// tree first, then the tree, then the problem sections.
func TreeWith(w io.Writer, r *deps.Report, opts TreeOptions) error {
	t := &output.Writer{W: w}
	p := output.Palette(opts.Color)
	if opts.MaxLines <= 0 {
		opts.MaxLines = DefaultMaxLines
	}
	if opts.Now.IsZero() {
		opts.Now = time.Now()
	}
	if len(r.Entries) > 0 {
		t.Printf("%s\n%s\n\n", summaryLine(r), p.Dim("Each object is listed under what it depends on; an object with several dependencies is shown once, then \"(see above)\"."))
	}
	writeTree(r, t, p, opts)
	writeProblems(r, t, p)
	return t.Err
}

// summaryLine counts what the tree holds and what is wrong.
func summaryLine(r *deps.Report) string {
	objects, edges := 0, 0
	for i := range r.Entries {
		if !r.Entries[i].Missing {
			objects++
		}
		edges += len(r.Entries[i].Dependencies)
	}
	var problems []string
	add := func(n int, one, many string) {
		if n > 0 {
			problems = append(problems, output.Count(n, one, many))
		}
	}
	add(len(r.Cycles), "cycle", "cycles")
	add(len(r.Deadlocks), "deadlock", "deadlocks")
	add(len(r.Missing), "missing dependency", "missing dependencies")
	add(len(r.RootCauses), "root cause", "root causes")
	add(len(r.FileErrors), "unreadable file", "unreadable files")
	verdict := "no problems"
	if len(problems) > 0 {
		verdict = strings.Join(problems, ", ")
	}
	return fmt.Sprintf("%s, %s: %s.", output.Count(objects, "object", "objects"), output.Count(edges, "dependency", "dependencies"), verdict)
}

type treeItem struct {
	idx    int
	prefix string // drawn before the connector
	last   bool   // last child of its parent
	top    bool   // printed at column 0 with no connector
}

func writeTree(r *deps.Report, t *output.Writer, p output.Palette, opts TreeOptions) {
	if len(r.Entries) == 0 {
		t.Printf("No Kustomizations or HelmReleases found.\n")
		return
	}
	printed := make([]bool, len(r.Entries))
	lines, shown := 0, 0
	var stack []treeItem
	walk := func(root int) {
		stack = append(stack[:0], treeItem{idx: root, top: true})
		for len(stack) > 0 && lines < opts.MaxLines {
			lines++
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
			if tg := r.Entries[it.idx].Target; tg != "" {
				label += " → remote cluster (" + tg + ")"
			}
			if printed[it.idx] {
				t.Printf("%s%s%s %s\n", it.prefix, connector, label, p.Dim("(see above)"))
				continue
			}
			printed[it.idx] = true
			shown++
			t.Printf("%s%s%s  %s\n", it.prefix, connector, label, statusText(r, it.idx, p, opts.Base, opts.Now))
			kids := r.Entries[it.idx].Dependents
			for k := len(kids) - 1; k >= 0; k-- {
				stack = append(stack, treeItem{idx: kids[k], prefix: childPrefix, last: k == len(kids)-1})
			}
		}
	}
	folded := 0
	for i := range r.Entries {
		if !opts.All && plain(&r.Entries[i]) {
			printed[i] = true
			folded++
			continue
		}
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
	if folded > 0 {
		t.Printf("%s\n", p.Dim("… and "+output.Count(folded, "more object", "more objects")+" with no dependency, no dependent and no problem (--all lists them)"))
	}
	if shown+folded < len(r.Entries) {
		t.Printf("%s\n", p.Dim(fmt.Sprintf("… %s not shown: the tree is cut at %d lines (-o json has everything)", output.Count(len(r.Entries)-shown-folded, "more object", "more objects"), opts.MaxLines)))
	}
}

func writeProblems(r *deps.Report, t *output.Writer, p output.Palette) {
	if len(r.Duplicates) > 0 {
		t.Printf("\n%s (%d):\n", p.Bold("Duplicates"), len(r.Duplicates))
		for _, d := range r.Duplicates {
			first := "?"
			if i, ok := r.Lookup(d.ID); ok && r.Entries[i].File != "" {
				first = origin(r.Entries[i].File, r.Entries[i].Line)
			}
			again := "?"
			if d.File != "" {
				again = origin(d.File, d.Line)
			}
			t.Printf("  %s defined again at %s (first at %s); the second definition is ignored\n", d.ID.String(), again, first)
		}
	}

	if len(r.ReadyExprs) > 0 {
		t.Printf("\n%s (%d):\n", p.Bold("readyExpr"), len(r.ReadyExprs))
		for _, c := range r.ReadyExprs {
			result := map[string]output.Styled{deps.ExprTrue: "true", deps.ExprFalse: p.Red("false"), deps.ExprError: p.Red("error"), deps.ExprNotEvaluated: "not evaluated (no live objects)"}[c.Result]
			t.Printf("  %s on %s: %s: %s\n", c.Dependent.String(), c.Dependency.String(), c.Expr, result)
			if c.Message != "" {
				t.Printf("    %s\n", c.Message)
			}
		}
	}

	if len(r.Unknown) > 0 {
		t.Printf("\n%s (%d), not a problem unless --strict:\n", p.Bold("Unknown offline"), len(r.Unknown))
		for _, m := range r.Unknown {
			t.Printf("  %s depends on %s: a variable whose value is not in the repository\n", m.Dependent.String(), m.Target.Short())
		}
	}
	if len(r.Unrendered) > 0 {
		t.Printf("\n%s (%d), not a problem unless --strict:\n", p.Bold("Not rendered"), len(r.Unrendered))
		for _, u := range r.Unrendered {
			t.Printf("  %s\n", u)
		}
	}

	if !r.HasProblems() {
		t.Printf("\n%s\n", p.Green("No cycles, no missing dependencies, nothing blocked."))
		return
	}

	if len(r.FileErrors) > 0 {
		t.Printf("\n%s (%d): Flux fails on them too\n", p.Bold("Unreadable files"), len(r.FileErrors))
		for _, fe := range r.FileErrors {
			t.Printf("  %s: %s\n", origin(fe.File, fe.Line), fe.Message)
		}
	}

	if len(r.Cycles) > 0 {
		t.Printf("\n%s (%d):\n", p.Bold("Cycles"), len(r.Cycles))
		for _, cy := range r.Cycles {
			t.Printf("  %s cycle: %s\n", cy.Kind, p.Red(deps.PathString(cy.Path)))
			if others := cycleOthers(cy); len(others) > 0 {
				t.Printf("    also caught in it: %s\n", joinShort(others))
			}
			t.Printf("    fix: %s\n", cy.Suggestion)
		}
	}

	if len(r.Deadlocks) > 0 {
		t.Printf("\n%s (%d), which no controller reports:\n", p.Bold("Deadlocks"), len(r.Deadlocks))
		for _, d := range r.Deadlocks {
			for i, s := range d.Steps {
				from := "  " + s.From.String()
				if i > 0 {
					from = "    which"
				}
				t.Printf("%s %s %s\n", from, p.Red(string(s.Relation)), s.To.String())
			}
			t.Printf("    break it: %s\n", d.Suggestion)
		}
	}

	if len(r.Missing) > 0 {
		t.Printf("\n%s (%d):\n", p.Bold("Missing dependencies"), len(r.Missing))
		for _, m := range r.Missing {
			t.Printf("  %s depends on %s, which does not exist\n", m.Dependent.String(), p.Red(m.Target.Short()))
			if len(m.Suggestions) > 0 {
				t.Printf("    did you mean: %s\n", joinIDs(m.Suggestions))
			}
			for _, o := range m.OtherKind {
				t.Printf("    note: %s exists, but a %s can only depend on %ss\n", o.String(), m.Dependent.Kind, m.Dependent.Kind)
			}
			if m.Ref.ReadyExpr != "" {
				t.Printf("    (readyExpr: %s)\n", m.Ref.ReadyExpr)
			}
		}
	}

	if len(r.RootCauses) > 0 {
		victims := 0
		for _, rc := range r.RootCauses {
			victims += len(rc.Victims)
		}
		t.Printf("\n%s (%s, %d blocked):\n", p.Bold("Blocked"), output.Count(len(r.RootCauses), "root cause", "root causes"), victims)
		for _, rc := range r.RootCauses {
			t.Printf("  %s %s\n", p.Red("["+string(rc.Kind)+"]"), p.Bold(rc.Node.String()))
			// Flux messages (kustomize build output, say) can span lines: one
			// field per line, line breaks shown as \n, so no message forges a line.
			t.Printf("    %s\n", strings.TrimRight(rc.Message, "\n"))
			if len(rc.Victims) > 0 {
				t.Printf("    blocks %d:\n", len(rc.Victims))
				for _, v := range rc.Victims {
					if i, ok := r.Lookup(v); ok && r.Entries[i].Target != "" {
						t.Printf("      %s, and what it applies to the remote cluster of %s\n", v.String(), r.Entries[i].Target)
						continue
					}
					t.Printf("      %s\n", v.String())
				}
			}
			t.Printf("    next step: %s\n", rc.NextStep)
		}
	}
}

// cycleOthers lists component members the printed path does not visit.
func cycleOthers(cy deps.Cycle) []deps.NodeID {
	onPath := make(map[deps.NodeID]bool, len(cy.Path))
	for _, id := range cy.Path {
		onPath[id] = true
	}
	var out []deps.NodeID
	for _, m := range cy.Members {
		if !onPath[m] {
			out = append(out, m)
		}
	}
	return out
}

func joinIDs(ids []deps.NodeID) string {
	parts := make([]string, len(ids))
	for i, id := range ids {
		parts[i] = id.String()
	}
	return strings.Join(parts, ", ")
}

func joinShort(ids []deps.NodeID) string {
	parts := make([]string, len(ids))
	for i, id := range ids {
		parts[i] = id.Short()
	}
	return strings.Join(parts, ", ")
}

// plain is an object with nothing to see: no dependency, no dependent, no problem,
// and its own cluster as target (which cluster is fed from here is always shown).
func plain(e *deps.Entry) bool {
	return e.Target == "" && len(e.Dependencies) == 0 && len(e.Dependents) == 0 && !e.Missing && e.Cycle < 0 && e.Cause < 0 &&
		!e.Suspended && (e.Offline || e.Ready.IsTrue())
}
