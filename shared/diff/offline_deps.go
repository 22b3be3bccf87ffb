package diff

import (
	"context"
	"fmt"
	"regexp"
	"slices"
	"strings"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/pmezard/go-difflib/difflib"

	"github.com/kubectl-gitops/kubectl-gitops/shared/deps"
	"github.com/kubectl-gitops/kubectl-gitops/shared/timeline"
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
	if base != nil {
		out.Latency = latencyChanges(base.Cluster.Nodes, head.Cluster.Nodes)
	}
	return out
}

// latencyChanges are the nodes on both sides whose worst time from a push to their
// apply differs, with the controllers' default --requeue-dependency: "this change adds
// up to 3 minutes to apps", for the reviewer.
func latencyChanges(base, head []deps.Node) []LatencyChange {
	before := map[deps.NodeID]deps.Budget{}
	for _, b := range deps.Latency(base, timeline.DefaultRequeueDependency) {
		before[b.Node] = b
	}
	var out []LatencyChange
	for _, b := range deps.Latency(head, timeline.DefaultRequeueDependency) {
		old, ok := before[b.Node]
		// A cycle is a problem of its own, said as such; a node new at the head has no
		// "before".
		if !ok || old.Never || b.Never || old.Worst == b.Worst {
			continue
		}
		was := old.Worst
		c := LatencyChange{Node: b.Node.Key(), Before: metav1.Duration{Duration: was}, After: metav1.Duration{Duration: b.Worst}}
		if b.Worst > was && b.Shorten != nil {
			c.Shorten = b.Shorten.Setting
		}
		out = append(out, c)
	}
	return out
}

// String says the change in a reviewer's words.
func (c LatencyChange) String() string {
	node := strings.Replace(c.Node, "/", " ", 1) // Kind/namespace/name as the views name objects
	if c.After.Duration > c.Before.Duration {
		s := fmt.Sprintf("%s: a push may take up to %s longer to apply (worst %s, was %s)", node, c.After.Duration-c.Before.Duration, c.After.Duration, c.Before.Duration)
		if c.Shorten != "" {
			s += "; weighing most: " + c.Shorten
		}
		return s
	}
	return fmt.Sprintf("%s: a push applies up to %s sooner (worst %s, was %s)", node, c.Before.Duration-c.After.Duration, c.After.Duration, c.Before.Duration)
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
