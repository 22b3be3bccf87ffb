package trace

import (
	"context"
	"fmt"
	"strings"

	"github.com/kubectl-gitops/kubectl-gitops/shared/deps"
	"github.com/kubectl-gitops/kubectl-gitops/shared/deps/live"
	"github.com/kubectl-gitops/kubectl-gitops/shared/flux"
	"github.com/kubectl-gitops/kubectl-gitops/shared/invocation"
)

// depsGraph is the dependsOn graph of the tracer's cluster, analysed once by the deps
// package (the same analysis `kubectl gitops deps` prints) when a trace first meets a
// blocked hop.
type depsGraph struct {
	report *deps.Report
	err    error
}

// explainBlocked names the dependency cycle behind a Blocked commit: Flux only says
// "dependency … is not ready", and a cycle never gets ready. The applier is either a
// member of the cycle or waits on one; either way the cycle and its fix are named and
// `kubectl gitops deps` is pointed at. Nothing is added when the graph cannot be read
// or holds no cycle for it.
func (t *Tracer) explainBlocked(ctx context.Context, c *Commit) {
	if c == nil || c.Status != CommitBlocked {
		return
	}
	if t.graph == nil {
		g := &depsGraph{}
		l, err := live.Load(ctx, t.dyn, c.By.Namespace)
		if err != nil {
			g.err = err
		} else {
			g.report = deps.Analyze(ctx, l.Nodes)
		}
		t.graph = g
	}
	if t.graph.report == nil {
		return
	}
	rep := t.graph.report
	kind := deps.KindKustomization
	if c.By.Kind == flux.KindHelmRelease {
		kind = deps.KindHelmRelease
	}
	i, ok := rep.Lookup(deps.NodeID{Kind: kind, Namespace: c.By.Namespace, Name: c.By.Name})
	if !ok {
		return
	}
	e := &rep.Entries[i]
	var cy *deps.Cycle
	switch {
	case e.Cycle >= 0:
		cy = &rep.Cycles[e.Cycle]
	case e.Cause >= 0 && rep.RootCauses[e.Cause].Kind == deps.CauseCycle:
		// A victim waiting on a cycle: the cause names the cycle's first node.
		if j, ok := rep.Lookup(rep.RootCauses[e.Cause].Node); ok && rep.Entries[j].Cycle >= 0 {
			cy = &rep.Cycles[rep.Entries[j].Cycle]
		}
	}
	if cy == nil {
		return
	}
	c.Cycle = deps.PathString(cy.Path)
	c.NextStep = fmt.Sprintf("%s; '%s' shows the graph", cy.Suggestion, invocation.Command(ctx, fmt.Sprintf("deps %s -n %s", c.By.Name, c.By.Namespace)))
	if e.Cycle < 0 {
		c.Reason = strings.TrimSpace(c.Reason + fmt.Sprintf(" (it waits on the dependency cycle %s, which never gets ready)", c.Cycle))
	} else {
		c.Reason = strings.TrimSpace(c.Reason + fmt.Sprintf(" (a dependency cycle: %s wait for each other forever)", c.Cycle))
	}
}
