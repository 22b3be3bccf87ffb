// Package live loads the dependsOn graph from a live cluster, one paged list per kind,
// for the deps package to analyse. (Package dir loads it from a directory.)
package live

import (
	"context"
	"fmt"
	"time"

	helmv2 "github.com/fluxcd/helm-controller/api/v2"
	kustomizev1 "github.com/fluxcd/kustomize-controller/api/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/client-go/dynamic"

	"github.com/kubectl-gitops/kubectl-gitops/shared/deps"
	"github.com/kubectl-gitops/kubectl-gitops/shared/exitcode"
	"github.com/kubectl-gitops/kubectl-gitops/shared/flux"
	"github.com/kubectl-gitops/kubectl-gitops/shared/source"
	"github.com/kubectl-gitops/kubectl-gitops/shared/status"
)

// Live is what was read from the cluster.
type Live struct {
	Nodes []deps.Node
	// Namespace is the namespace that was listed when listing every namespace was
	// forbidden; "" when every namespace was listed.
	Namespace string
	// Warnings are shown on stderr (a kind that could not be listed, ...).
	Warnings []string
	// Incomplete says some checks could not run for want of rights (the sources could
	// not be listed): a --check that found nothing has not proved the fleet healthy.
	Incomplete bool
}

// Load lists every Kustomization and HelmRelease, and the sources Kustomizations
// read (for the "revision is not up to date" check), with at most one list request per
// kind per flux.PageSize objects. Dependencies cross namespaces, so every namespace is
// listed; when RBAC forbids that, only fallbackNamespace is (none when it is empty, as
// for -A), and a warning says that dependencies elsewhere will look missing.
func Load(ctx context.Context, dyn dynamic.Interface, fallbackNamespace string) (*Live, error) {
	l := &Live{}
	ns := ""
	err := l.list(ctx, dyn, ns)
	if exitcode.Of(err) == exitcode.Forbidden && fallbackNamespace != "" {
		l.Nodes, ns = nil, fallbackNamespace
		l.Namespace = ns
		l.Warnings = append(l.Warnings, fmt.Sprintf("you may not list Flux objects in all namespaces: showing namespace %s only; dependencies in other namespaces will show as missing", ns))
		l.Incomplete = true
		err = l.list(ctx, dyn, ns)
	}
	if err != nil {
		return nil, err
	}
	revisions := map[deps.SourceRef]string{}
	conditions := map[deps.SourceRef]status.Condition{}
	intervals := map[deps.SourceRef]time.Duration{}
	kinds := map[string]bool{}
	for _, n := range l.Nodes {
		if n.Kind == deps.KindKustomization && !n.SourceRef.IsZero() {
			kinds[n.SourceRef.Kind] = true
		}
	}
	for _, kind := range []string{flux.KindGitRepository, flux.KindOCIRepository, flux.KindBucket, flux.KindExternalArtifact} {
		if !kinds[kind] {
			continue
		}
		err := flux.List(ctx, dyn, kind, ns, func(u *unstructured.Unstructured) error {
			rev, _, _ := unstructured.NestedString(u.Object, "status", "artifact", "revision")
			ref := deps.SourceRef{Kind: kind, Namespace: u.GetNamespace(), Name: u.GetName()}
			revisions[ref], conditions[ref] = rev, status.Of(u).Ready
			if iv, _, _ := unstructured.NestedString(u.Object, "spec", "interval"); iv != "" {
				intervals[ref], _ = time.ParseDuration(iv)
			}
			if rec, err := status.SwitchOf(u.GetAnnotations()); err == nil && rec != nil {
				// Everything reading a held source applies nothing newer from Git: the
				// first thing to know when "nothing is moving".
				what := "switched to " + source.Describe(u).Tracks
				if rec.Pinned() {
					what = "pinned to " + source.Describe(u).Tracks
				}
				l.Warnings = append(l.Warnings, fmt.Sprintf("%s %s/%s is %s by %s since %s: its consumers apply nothing newer from Git until '%s'",
					kind, u.GetNamespace(), u.GetName(), what, orSomeone(rec.By), rec.At.Format(time.RFC3339), rec.UndoCommand(ctx, u.GetNamespace(), u.GetName())))
			}
			return nil
		})
		if err != nil {
			// Without sources the lag check is skipped; everything else still works.
			l.Warnings = append(l.Warnings, fmt.Sprintf("cannot list %s objects (%v): revision lag is not checked for them", kind, err))
			l.Incomplete = true
		}
	}
	deps.SetSourceRevisions(l.Nodes, revisions)
	deps.SetSourceConditions(l.Nodes, conditions)
	deps.SetSourceIntervals(l.Nodes, intervals)
	deps.SetSourceReceivers(l.Nodes, receivers(ctx, dyn, ns))
	return l, nil
}

func (l *Live) list(ctx context.Context, dyn dynamic.Interface, ns string) error {
	err := flux.List(ctx, dyn, flux.KindKustomization, ns, func(u *unstructured.Unstructured) error {
		var ks kustomizev1.Kustomization
		if err := flux.FromUnstructured(u, &ks); err != nil {
			return err
		}
		n := deps.FromKustomization(&ks)
		n.Object = u.Object // readyExpr sees the object as the controller does
		l.Nodes = append(l.Nodes, n)
		return nil
	})
	if err != nil {
		return err
	}
	err = flux.List(ctx, dyn, flux.KindHelmRelease, ns, func(u *unstructured.Unstructured) error {
		var hr helmv2.HelmRelease
		if err := flux.FromUnstructured(u, &hr); err != nil {
			return err
		}
		n := deps.FromHelmRelease(&hr)
		n.Object = u.Object
		l.Nodes = append(l.Nodes, n)
		return nil
	})
	if flux.IsNotInstalled(err) {
		// helm-controller's CRD is optional: a Flux without Helm support is still Flux.
		l.Warnings = append(l.Warnings, "HelmReleases are not served by this cluster: showing Kustomizations only")
		err = nil
	}
	if err != nil {
		return err
	}
	// flux-operator's ResourceSets, where it runs: their dependsOn are edges too.
	err = flux.List(ctx, dyn, flux.KindResourceSet, ns, func(u *unstructured.Unstructured) error {
		l.Nodes = append(l.Nodes, deps.FromResourceSet(u))
		return nil
	})
	if flux.IsNotInstalled(err) || exitcode.Of(err) == exitcode.Forbidden {
		return nil
	}
	return err
}

func orSomeone(user string) string {
	if user == "" {
		return "someone"
	}
	return user
}

// receivers lists notification-controller's Receivers, for the latency budget: none
// when it is not installed or they may not be read (the budget then counts the polls).
func receivers(ctx context.Context, dyn dynamic.Interface, ns string) []deps.Receiver {
	gvr, _ := flux.NotificationGVR(flux.KindReceiver)
	list, err := dyn.Resource(gvr).Namespace(ns).List(ctx, metav1.ListOptions{})
	if err != nil {
		return nil
	}
	out := make([]deps.Receiver, 0, len(list.Items))
	for i := range list.Items {
		out = append(out, deps.ReceiverOf(&list.Items[i]))
	}
	return out
}
