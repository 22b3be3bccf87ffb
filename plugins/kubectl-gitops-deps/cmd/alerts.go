package cmd

import (
	"context"
	"fmt"
	"slices"

	helmv2 "github.com/fluxcd/helm-controller/api/v2"
	kustomizev1 "github.com/fluxcd/kustomize-controller/api/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"

	"github.com/kubectl-gitops/kubectl-gitops/shared/alerting"
	"github.com/kubectl-gitops/kubectl-gitops/shared/command"
	"github.com/kubectl-gitops/kubectl-gitops/shared/deps"
	"github.com/kubectl-gitops/kubectl-gitops/shared/deps/dir"
	"github.com/kubectl-gitops/kubectl-gitops/shared/exitcode"
)

// runAlerts is `deps --alerts`: the Flux objects of the namespace (or every one with
// -A) whose failures reach no Alert that can deliver, and the Alerts there that cannot
// deliver. Its cost is one list per Flux kind, one of Alerts and one of Providers, and
// one GET per Secret a Provider names (its existence only; its data is never used).
// --check fails (exit 7) on any of them, as it does on a dependency problem.
func (o *Options) runAlerts(ctx context.Context) error {
	if o.Dir != "" {
		return o.runAlertsDir(ctx)
	}
	client, err := o.cluster.Client()
	if err != nil {
		return err
	}
	namespace := o.namespace
	if o.AllNamespaces {
		namespace = ""
	}
	objects, partial, err := alerting.Objects(ctx, client.Dynamic, namespace)
	if err != nil {
		return err
	}
	scope := []string{namespace}
	if namespace == "" {
		scope = nil
	}
	set, err := alerting.Read(ctx, client.Dynamic, scope)
	if err != nil {
		return err
	}
	var alerts []alerting.Alert
	if set != nil {
		for _, a := range set.Alerts {
			if namespace == "" || a.Namespace == namespace {
				alerts = append(alerts, a)
			}
		}
	}
	c := alerting.Cover(objects, set, alerts, alerting.SecretCheck{Exists: alerting.SecretExists(ctx, client.Dynamic)})
	c.Partial = c.Partial || partial
	if err := o.printer.Print(o.streams.Out, c); err != nil {
		return err
	}
	if o.Check && c.HasProblems {
		return command.Silent(exitcode.ProblemFound)
	}
	if o.Check && c.Partial {
		return exitcode.New(exitcode.Forbidden, "the check is incomplete: some Alerts, Providers or Flux objects could not be read, so no problem found does not mean none exists")
	}
	return nil
}

// runAlertsDir is `deps --alerts --dir`: the same coverage from each cluster of the
// repository as its Flux renders it, one document per cluster, so that a pull request
// adding a Kustomization no Alert covers fails its check before it merges. A
// Provider's Secret the repository does not make is named, not counted (it may be
// created by hand), unless --strict. With -n, only that namespace's objects and
// Alerts are reported.
func (o *Options) runAlertsDir(ctx context.Context) error {
	roots := dir.Roots(o.Dir, dir.Options{})
	if o.Path != "" {
		roots = []string{o.Path}
	}
	if len(roots) == 0 {
		return exitcode.New(exitcode.NotFound, "--dir %s: no cluster found (no Flux Kustomization or FluxInstance syncs a path of it): give one with --path", o.dirShown())
	}
	problems := false
	for _, root := range roots {
		cl, err := dir.Walk(ctx, o.Dir, root, dir.Options{Sources: o.sources, KeepObjects: true})
		if ctx.Err() != nil {
			return ctx.Err()
		}
		if err != nil {
			return exitcode.Wrap(exitcode.Usage, fmt.Errorf("--dir %s: %w", o.dirShown(), err))
		}
		var objs []*unstructured.Unstructured
		for _, r := range cl.Rendered {
			objs = append(objs, r.Objects...)
		}
		fleet := alerting.FromRendered(objs)
		for _, n := range cl.Nodes {
			// Not rendered but made by Flux all the same: a FluxInstance's sync
			// Kustomization, a ResourceSet's Kustomizations and HelmReleases.
			var apiVersion string
			switch n.Kind {
			case deps.KindKustomization:
				apiVersion = kustomizev1.GroupVersion.String()
			case deps.KindHelmRelease:
				apiVersion = helmv2.GroupVersion.String()
			default:
				continue // a ResourceSet sends no events an Alert can select
			}
			fleet.Add(alerting.Object{APIVersion: apiVersion, Target: alerting.Target{Kind: string(n.Kind), Namespace: n.Namespace, Name: n.Name}})
		}
		if o.explicit {
			fleet.Objects = slices.DeleteFunc(fleet.Objects, func(ob alerting.Object) bool { return ob.Namespace != o.namespace })
		}
		c := fleet.Cover(root, o.Strict)
		if o.explicit {
			// An Alert elsewhere may cover this namespace: it counted above, but only
			// this namespace's Alerts are reported.
			c.Undeliverable = slices.DeleteFunc(c.Undeliverable, func(u alerting.UndeliverableAlert) bool { return u.Ref.Namespace != o.namespace })
			c.HasProblems = len(c.Uncovered) > 0 || len(c.Undeliverable) > 0 || c.Checked == 0
		}
		problems = problems || c.HasProblems
		if err := o.printer.Print(o.streams.Out, c); err != nil {
			return err
		}
	}
	if o.Check && problems {
		return command.Silent(exitcode.ProblemFound)
	}
	return nil
}
