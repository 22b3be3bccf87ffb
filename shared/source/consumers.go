package source

import (
	"context"

	"github.com/fluxcd/pkg/apis/meta"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/client-go/dynamic"

	"github.com/kubectl-gitops/kubectl-gitops/shared/exitcode"
	"github.com/kubectl-gitops/kubectl-gitops/shared/flux"
	"github.com/kubectl-gitops/kubectl-gitops/shared/status"
)

// Consumer is an object reading a source: a Kustomization, a HelmChart built from it,
// or a HelmRelease installing such a chart. Applied is what it last applied or built
// from; Current says that is the revision the source holds now.
type Consumer struct {
	Kind      string `json:"kind"`
	Namespace string `json:"namespace"`
	Name      string `json:"name"`
	Applied   string `json:"applied,omitempty"`
	Current   bool   `json:"current"`
	Suspended bool   `json:"suspended,omitempty"`
	// Chart is, for a HelmRelease, the HelmChart it installs from ("namespace/name").
	Chart string `json:"chart,omitempty"`
	// Status is the consumer's own Ready summary.
	Status status.Status `json:"-"`
	// KubeConfig is a Kustomization's or HelmRelease's spec.kubeConfig: the cluster it
	// applies to when not its own (remote.Read describes it).
	KubeConfig *meta.KubeConfigReference `json:"-"`
}

// kubeConfigOf reads spec.kubeConfig; nil when absent or unreadable.
func kubeConfigOf(u *unstructured.Unstructured) *meta.KubeConfigReference {
	m, ok, _ := unstructured.NestedMap(u.Object, "spec", "kubeConfig")
	if !ok {
		return nil
	}
	kc := &meta.KubeConfigReference{}
	if runtime.DefaultUnstructuredConverter.FromUnstructured(m, kc) != nil {
		return nil
	}
	return kc
}

// Consumers lists what reads the GitRepository namespace/name, holding revision now:
// Kustomizations of every namespace whose sourceRef names it, HelmCharts in its
// namespace built from it, and the HelmReleases that install those charts, in that
// order (the order Flux moves them in). Kinds the cluster does not serve, or the user
// may not list, are left out rather than failing the whole answer.
func Consumers(ctx context.Context, dyn dynamic.Interface, namespace, name, revision string) ([]Consumer, error) {
	out, err := ConsumersOf(ctx, dyn, []Repo{{Namespace: namespace, Name: name, Revision: revision}})
	if err != nil {
		return nil, err
	}
	return out[0], nil
}

// Repo is a GitRepository whose consumers ConsumersOf lists, and the revision it holds
// now ("" when it does not matter).
type Repo struct{ Namespace, Name, Revision string }

// ConsumersOf is Consumers of several GitRepositories at once, each kind listed once
// whatever their number (a follow reads them every second): out[i] are repos[i]'s.
func ConsumersOf(ctx context.Context, dyn dynamic.Interface, repos []Repo) ([][]Consumer, error) {
	return ConsumersListed(ctx, func(ctx context.Context, kind, namespace string, fn func(*unstructured.Unstructured) error) error {
		return flux.List(ctx, dyn, kind, namespace, fn)
	}, repos)
}

// Lister hands every object of kind in namespace ("" for all) to fn, as flux.List
// does: a caller that already holds some lists (follow, from the dependency graph it
// reads anyway) answers from them instead of listing again.
type Lister func(ctx context.Context, kind, namespace string, fn func(*unstructured.Unstructured) error) error

// ConsumersListed is ConsumersOf reading the objects through list.
func ConsumersListed(ctx context.Context, list Lister, repos []Repo) ([][]Consumer, error) {
	index := map[[2]string]int{}
	namespaces := map[string]bool{}
	for i, r := range repos {
		index[[2]string{r.Namespace, r.Name}] = i
		namespaces[r.Namespace] = true
	}
	kss, charts, releases := make([][]Consumer, len(repos)), make([][]Consumer, len(repos)), make([][]Consumer, len(repos))
	err := list(ctx, flux.KindKustomization, "", func(u *unstructured.Unstructured) error {
		kind, ns, n := sourceRef(u, "spec", "sourceRef")
		i, ok := index[[2]string{ns, n}]
		if kind == flux.KindGitRepository && ok {
			st := status.Of(u)
			kss[i] = append(kss[i], Consumer{Kind: flux.KindKustomization, Namespace: u.GetNamespace(), Name: u.GetName(),
				Applied: st.LastAppliedRevision, Current: repos[i].Revision != "" && st.LastAppliedRevision == repos[i].Revision,
				Suspended: st.Suspended, Status: st, KubeConfig: kubeConfigOf(u)})
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	// HelmCharts live beside their source: listed in its namespace, or in every one
	// when the repositories are in several.
	chartNamespace := ""
	if len(namespaces) == 1 {
		chartNamespace = repos[0].Namespace
	}
	type built struct {
		repo     int
		revision string
		current  bool
	}
	chartsBuilt := map[string]built{}
	err = list(ctx, flux.KindHelmChart, chartNamespace, func(u *unstructured.Unstructured) error {
		kind, ns, n := sourceRef(u, "spec", "sourceRef")
		i, ok := index[[2]string{ns, n}]
		if kind == flux.KindGitRepository && ok {
			st := status.Of(u)
			current := repos[i].Revision != "" && st.ObservedSourceRevision == repos[i].Revision
			charts[i] = append(charts[i], Consumer{Kind: flux.KindHelmChart, Namespace: u.GetNamespace(), Name: u.GetName(),
				Applied: st.ObservedSourceRevision, Current: current, Suspended: st.Suspended, Status: st})
			chartsBuilt[u.GetNamespace()+"/"+u.GetName()] = built{repo: i, revision: st.ArtifactRevision, current: current}
		}
		return nil
	})
	if err != nil && !optional(err) {
		return nil, err
	}
	if len(chartsBuilt) > 0 {
		err = list(ctx, flux.KindHelmRelease, "", func(u *unstructured.Unstructured) error {
			chart := chartOf(u)
			b, ok := chartsBuilt[chart]
			if !ok {
				return nil
			}
			st := status.Of(u)
			current := b.current && st.LastAttemptedRevision == b.revision && st.ReadyAtGeneration()
			releases[b.repo] = append(releases[b.repo], Consumer{Kind: flux.KindHelmRelease, Namespace: u.GetNamespace(), Name: u.GetName(),
				Applied: st.LastAttemptedRevision, Current: current, Suspended: st.Suspended, Chart: chart, Status: st,
				KubeConfig: kubeConfigOf(u)})
			return nil
		})
		if err != nil && !optional(err) {
			return nil, err
		}
	}
	out := make([][]Consumer, len(repos))
	for i := range repos {
		out[i] = append(append(kss[i], charts[i]...), releases[i]...)
	}
	return out, nil
}

// optional is an error listing a kind beside Kustomizations may give without failing
// the answer: helm-controller not installed, or no right to list its objects.
func optional(err error) bool {
	return flux.IsNotInstalled(err) || exitcode.Of(err) == exitcode.Forbidden
}

// sourceRef reads a Flux cross-namespace reference at fields, defaulting its namespace
// to the object's own.
func sourceRef(u *unstructured.Unstructured, fields ...string) (kind, namespace, name string) {
	ref, _, _ := unstructured.NestedStringMap(u.Object, fields...)
	return ref["kind"], flux.RefNamespace(ref["namespace"], u.GetNamespace()), ref["name"]
}

// chartOf names the HelmChart a HelmRelease installs from: its chartRef when that is a
// HelmChart, otherwise the one helm-controller made from its chart template.
func chartOf(u *unstructured.Unstructured) string {
	if kind, ns, name := sourceRef(u, "spec", "chartRef"); kind == flux.KindHelmChart {
		return ns + "/" + name
	}
	chart, _, _ := unstructured.NestedString(u.Object, "status", "helmChart")
	return chart
}
