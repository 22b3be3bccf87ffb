package diff

import (
	"context"
	"fmt"
	"regexp"
	"slices"
	"strings"

	"github.com/pmezard/go-difflib/difflib"

	"github.com/kubectl-gitops/kubectl-gitops/shared/deps"
)

// unifiedText is the unified diff of two YAML texts, as the live diff shows one.
func unifiedYAML(a, b, from, to string) (string, error) {
	lines := func(s string) []string {
		if s == "" {
			return nil // an object added or removed: no empty line on the other side
		}
		// SplitLines adds a line after the last newline: one is enough.
		return difflib.SplitLines(strings.TrimSuffix(s, "\n"))
	}
	return difflib.GetUnifiedDiffString(difflib.UnifiedDiff{
		A: lines(a), B: lines(b),
		FromFile: from, ToFile: to, Context: 3,
	})
}

// compareGraphs analyses the dependsOn graph of each side with deps, as `kubectl
// gitops deps --dir` does, and returns the edges added and removed and the problems
// the head has that the base did not: what a pull request breaks, not what was broken
// before it.
func compareGraphs(base, head *Side) DependencyChanges {
	var out DependencyChanges
	if head == nil {
		return out
	}
	headReport := deps.Analyze(context.Background(), head.Cluster.Nodes)
	var baseReport *deps.Report
	var baseEdges map[Edge]bool
	baseProblems := map[string]bool{}
	if base != nil {
		baseReport = deps.Analyze(context.Background(), base.Cluster.Nodes)
		baseEdges = edgesOf(baseReport)
		for _, p := range problemsOf(baseReport, base) {
			baseProblems[p.Kind+"\x00"+p.Message] = true
		}
	}
	headEdges := edgesOf(headReport)
	for e := range headEdges {
		if !baseEdges[e] {
			out.Added = append(out.Added, e)
		}
	}
	for e := range baseEdges {
		if !headEdges[e] {
			out.Removed = append(out.Removed, e)
		}
	}
	byEdge := func(a, b Edge) int {
		return strings.Compare(a.Dependent+"\x00"+a.Dependency, b.Dependent+"\x00"+b.Dependency)
	}
	slices.SortFunc(out.Added, byEdge)
	slices.SortFunc(out.Removed, byEdge)
	for _, p := range problemsOf(headReport, head) {
		if !baseProblems[p.Kind+"\x00"+p.Message] {
			out.Problems = append(out.Problems, p)
		}
	}
	return out
}

// edgesOf are the dependsOn edges of a report, placeholders for missing targets
// included (an edge to nothing is still an edge the pull request adds).
func edgesOf(r *deps.Report) map[Edge]bool {
	out := map[Edge]bool{}
	for _, e := range r.Entries {
		if e.Missing {
			continue
		}
		for _, j := range e.Dependencies {
			out[Edge{Dependent: e.ID().String(), Dependency: r.Entries[j].ID().String()}] = true
		}
	}
	return out
}

// artifactPath is the walk's temporary copy as kustomize's messages name it: cut, so
// that one error reads the same from both sides.
var artifactPath = regexp.MustCompile(`\S*gitops-artifact-[0-9]+`)

// problemsOf are a report's cycles, deadlocks, missing dependencies and unbuildable
// files, each with the file to fix (relative to the side's root) and words that do not
// depend on that file, so that the same problem at both sides is recognised.
func problemsOf(r *deps.Report, side *Side) []Problem {
	where := func(id deps.NodeID) (string, int) {
		if i, ok := r.Lookup(id); ok {
			return relFile(side.Root, r.Entries[i].File), r.Entries[i].Line
		}
		return "", 0
	}
	var out []Problem
	for _, cy := range r.Cycles {
		file, line := where(cy.Break.Dependent)
		out = append(out, Problem{Kind: "cycle", Message: fmt.Sprintf("%s cycle: %s (fix: %s)", cy.Kind, deps.PathString(cy.Path), cy.Suggestion), File: file, Line: line})
	}
	for _, d := range r.Deadlocks {
		var file string
		var line int
		if len(d.Steps) > 0 {
			file, line = where(d.Steps[0].From)
		}
		out = append(out, Problem{Kind: "deadlock", Message: fmt.Sprintf("deadlock: %s (break it: %s)", d.PathWords(), d.Suggestion), File: file, Line: line})
	}
	for _, m := range r.Missing {
		file, line := where(m.Dependent)
		out = append(out, Problem{Kind: "missing", Message: fmt.Sprintf("%s depends on %s, which does not exist", m.Dependent, m.Target.Short()), File: file, Line: line})
	}
	for _, fe := range side.Cluster.Errors {
		file := relFile(side.Root, fe.File)
		msg := artifactPath.ReplaceAllString(strings.ReplaceAll(fe.Err.Error(), side.Root, "."), "")
		out = append(out, Problem{Kind: "file", Message: file + ": " + msg, File: file, Line: fe.Line})
	}
	return out
}
