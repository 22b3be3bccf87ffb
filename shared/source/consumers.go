package source

import (
	"github.com/fluxcd/pkg/apis/meta"
	"k8s.io/apimachinery/pkg/runtime"

	"context"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
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
	var kss, charts, releases []Consumer
	err := flux.List(ctx, dyn, flux.KindKustomization, "", func(u *unstructured.Unstructured) error {
		kind, ns, n := sourceRef(u, "spec", "sourceRef")
		if kind == flux.KindGitRepository && n == name && ns == namespace {
			st := status.Of(u)
			kss = append(kss, Consumer{Kind: flux.KindKustomization, Namespace: u.GetNamespace(), Name: u.GetName(),
				Applied: st.LastAppliedRevision, Current: revision != "" && st.LastAppliedRevision == revision,
				Suspended: st.Suspended, Status: st, KubeConfig: kubeConfigOf(u)})
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	chartRevision := map[string]string{}
	err = flux.List(ctx, dyn, flux.KindHelmChart, namespace, func(u *unstructured.Unstructured) error {
		kind, _, n := sourceRef(u, "spec", "sourceRef")
		if kind == flux.KindGitRepository && n == name {
			st := status.Of(u)
			charts = append(charts, Consumer{Kind: flux.KindHelmChart, Namespace: u.GetNamespace(), Name: u.GetName(),
				Applied: st.ObservedSourceRevision, Current: revision != "" && st.ObservedSourceRevision == revision,
				Suspended: st.Suspended, Status: st})
			chartRevision[u.GetNamespace()+"/"+u.GetName()] = st.ArtifactRevision
		}
		return nil
	})
	if err != nil && !optional(err) {
		return nil, err
	}
	if len(charts) == 0 {
		return append(kss, charts...), nil
	}
	err = flux.List(ctx, dyn, flux.KindHelmRelease, "", func(u *unstructured.Unstructured) error {
		chart := chartOf(u)
		built, ok := chartRevision[chart]
		if !ok {
			return nil
		}
		st := status.Of(u)
		current := false
		for _, c := range charts {
			if c.Namespace+"/"+c.Name == chart {
				current = c.Current && st.LastAttemptedRevision == built && st.ReadyAtGeneration()
			}
		}
		releases = append(releases, Consumer{Kind: flux.KindHelmRelease, Namespace: u.GetNamespace(), Name: u.GetName(),
			Applied: st.LastAttemptedRevision, Current: current, Suspended: st.Suspended, Chart: chart, Status: st,
			KubeConfig: kubeConfigOf(u)})
		return nil
	})
	if err != nil && !optional(err) {
		return nil, err
	}
	return append(append(kss, charts...), releases...), nil
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
