package cmd

import (
	"context"
	"fmt"

	"github.com/kubectl-gitops/kubectl-gitops/shared/deps"
	"github.com/kubectl-gitops/kubectl-gitops/shared/deps/dir"
	"github.com/kubectl-gitops/kubectl-gitops/shared/deps/render"
	"github.com/kubectl-gitops/kubectl-gitops/shared/exitcode"
)

// runLatency prints the latency budget: live, one document for the cluster; offline,
// one per cluster of the repository, each rendered from its sync path.
func (o *Options) runLatency(ctx context.Context) error {
	if o.Check {
		return exitcode.New(exitcode.Usage, "--latency reports a budget, not problems: run --check on its own")
	}
	if o.RequeueDependency <= 0 {
		return exitcode.New(exitcode.Usage, "--requeue-dependency must be positive, got %s", o.RequeueDependency)
	}
	if o.Dir != "" {
		roots := dir.Roots(o.Dir, dir.Options{})
		if o.Path != "" {
			roots = []string{o.Path}
		}
		for _, root := range roots {
			cl, err := dir.Walk(ctx, o.Dir, root, dir.Options{Sources: o.sources})
			if ctx.Err() != nil {
				return ctx.Err()
			}
			if err != nil {
				return exitcode.Wrap(exitcode.Usage, fmt.Errorf("--dir %s: %w", o.dirShown(), err))
			}
			if err := o.printer.Print(o.streams.Out, render.LatencyDocument(o.inScope(deps.Latency(cl.Nodes, o.RequeueDependency)), o.RequeueDependency, root)); err != nil {
				return err
			}
		}
		if len(roots) > 0 {
			return nil
		}
	}
	nodes, _, err := o.load(ctx)
	if err != nil {
		return err
	}
	budgets := o.inScope(deps.Latency(nodes, o.RequeueDependency))
	if len(budgets) == 0 {
		return exitcode.New(exitcode.NotFound, "no Kustomization or HelmRelease %s", o.where())
	}
	return o.printer.Print(o.streams.Out, render.LatencyDocument(budgets, o.RequeueDependency, ""))
}

// inScope keeps the budgets of the names asked for, or of the namespace (all with -A
// or offline): the budget itself is computed over the whole fleet, dependencies in
// other namespaces included.
func (o *Options) inScope(budgets []deps.Budget) []deps.Budget {
	var out []deps.Budget
	for _, b := range budgets {
		switch {
		case len(o.names) > 0:
			for _, n := range o.names {
				if n == b.Node.Name && (o.AllNamespaces || o.Dir != "" || o.namespace == "" || o.namespace == b.Node.Namespace) {
					out = append(out, b)
				}
			}
		case o.AllNamespaces || o.Dir != "" && !o.explicit || o.namespace == "" || o.namespace == b.Node.Namespace:
			out = append(out, b)
		}
	}
	return out
}
