package trace

import (
	"context"
	"fmt"

	kustomizev1 "github.com/fluxcd/kustomize-controller/api/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"

	"github.com/kubectl-gitops/kubectl-gitops/shared/exitcode"
	"github.com/kubectl-gitops/kubectl-gitops/shared/flux"
)

// sourceIn is a source to add at the end of the walk, with the tracer of its cluster.
type sourceIn struct {
	t   *Tracer
	key objKey
}

// foundIn is what a finder answered for one Kustomization.
type foundIn struct {
	t      *Tracer
	probes []Probe
}

func containsSource(sources []sourceIn, t *Tracer, key objKey) bool {
	for _, s := range sources {
		if s.t == t && s.key == key {
			return true
		}
	}
	return false
}

// elsewhere returns the tracer of the cluster holding key when the object's own
// cluster does not hold it (or has no Flux) and a finder is set; else t. stop is set
// when the walk must end here (RBAC hid the Kustomization in the cluster that may
// hold it: a partial trace, exit 5).
func (t *Tracer) elsewhere(ctx context.Context, r *Report, key objKey, via string) (*Tracer, bool) {
	if t.finder == nil {
		return t, false
	}
	_, err := t.getFlux(ctx, flux.KindKustomization, key.namespace, key.name)
	if err == nil || (exitcode.Of(err) != exitcode.NotFound && !flux.IsNotInstalled(err)) {
		return t, false
	}
	// A bulk trace asks once per Kustomization, and the objects under it share one
	// tracer of the other cluster (and its cache).
	if t.found == nil {
		t.found = map[objKey]foundIn{}
	}
	f, ok := t.found[key]
	if !ok {
		f.t, _, f.probes = t.finder.Find(ctx, key.namespace, key.name)
		t.found[key] = f
	}
	m, probes := f.t, f.probes
	r.Discovery = append(r.Discovery, probes...)
	if m != nil {
		return m, false
	}
	for _, p := range probes {
		if p.Result == ProbeForbidden {
			ref := ObjectRef{APIVersion: kustomizev1.GroupVersion.String(), Kind: flux.KindKustomization, Namespace: key.namespace, Name: key.name}
			n := len(r.Hops)
			r.addErrorHop(RoleKustomization, ref, via, exitcode.New(exitcode.Forbidden, "%s: %s", p.Context, p.Error))
			r.Hops[n].Cluster = p.Context
			r.Hops[n].Notes = append(r.Hops[n].Notes, fmt.Sprintf("not in %s; context %s may hold it, but you may not read its Kustomizations there", orThis(t.cluster), p.Context))
			return nil, true
		}
	}
	last := &r.Hops[len(r.Hops)-1]
	last.Notes = append(last.Notes, fmt.Sprintf("its labels name Kustomization %s/%s, which no cluster of the kubeconfig holds (%s)", key.namespace, key.name, describeProbes(probes)))
	return t, false
}

func orThis(cluster string) string {
	if cluster == "" {
		return "this cluster"
	}
	return cluster
}

// confirmRemote checks that ks, found in another cluster than the object, really
// applies to the object's cluster: it must have a spec.kubeConfig, and the server that
// kubeConfig points at must be the object's cluster (when the user may read it).
func (t *Tracer) confirmRemote(ctx context.Context, hop *Hop, ks *kustomizev1.Kustomization, from *Tracer) {
	tg := t.target(ctx, ks)
	hop.Target = tg
	if tg == nil {
		hop.Inventory = InventoryNotListed
		hop.Notes = append(hop.Notes, fmt.Sprintf("has no spec.kubeConfig: it applies to its own cluster %s, not to %s where the object is; the labels name a Kustomization of the same name elsewhere",
			orThis(t.cluster), orThis(from.cluster)))
		return
	}
	via := "Secret " + tg.Secret
	if tg.ConfigMap != "" {
		via = "ConfigMap " + tg.ConfigMap
	}
	switch {
	case tg.Server == "":
		hop.Notes = append(hop.Notes, fmt.Sprintf("applies to a remote cluster through %s; %s", via, tg.ServerNote))
	case from.server != "" && !SameServer(tg.Server, from.server):
		hop.Notes = append(hop.Notes, fmt.Sprintf("applies through %s to %s, not to %s (%s) where the object is: the labels may name a Kustomization of another fleet",
			via, tg.Server, orThis(from.cluster), from.server))
	default:
		hop.Notes = append(hop.Notes, fmt.Sprintf("applies to %s (%s) through %s", orThis(from.cluster), tg.Server, via))
	}
}

// describeTarget adds, when the traced object is itself a Kustomization that applies
// to a remote cluster, where it applies and (with a remote opener) what it applied
// there, each object present or missing, with its health.
func (t *Tracer) describeTarget(ctx context.Context, r *Report, obj *unstructured.Unstructured) {
	gvk := schema.FromAPIVersionAndKind(obj.GetAPIVersion(), obj.GetKind())
	if gvk.Group != kustomizev1.GroupVersion.Group || gvk.Kind != flux.KindKustomization {
		return
	}
	key := objKey{flux.KindKustomization, obj.GetNamespace(), obj.GetName()}
	ks, err := t.typedKustomization(key, obj)
	if err != nil || ks.Spec.KubeConfig == nil {
		return
	}
	tg := t.target(ctx, ks)
	hop := &r.Hops[0]
	hop.Target = tg
	hop.Health = health(obj)
	if t.remote != nil {
		t.remoteView(ctx, ks, tg)
	}
}
