package trace

import (
	"context"
	"fmt"

	helmv2 "github.com/fluxcd/helm-controller/api/v2"
	kustomizev1 "github.com/fluxcd/kustomize-controller/api/v1"
	"github.com/fluxcd/pkg/apis/meta"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"

	"github.com/kubectl-gitops/kubectl-gitops/shared/exitcode"
	"github.com/kubectl-gitops/kubectl-gitops/shared/flux"
	"github.com/kubectl-gitops/kubectl-gitops/shared/output"
	"github.com/kubectl-gitops/kubectl-gitops/shared/remote"
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

// elsewhere returns the tracer of the cluster holding key (a Kustomization or
// HelmRelease) when the object's own cluster does not hold it (or has no Flux) and a
// finder is set; else t. stop is set when the walk must end here (RBAC hid it in the
// cluster that may hold it: a partial trace, exit 5).
func (t *Tracer) elsewhere(ctx context.Context, r *Report, key objKey, via string) (*Tracer, bool) {
	if t.finder == nil {
		return t, false
	}
	_, err := t.getFlux(ctx, key.kind, key.namespace, key.name)
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
		f.t, _, f.probes = t.finder.Find(ctx, key.kind, key.namespace, key.name)
		t.found[key] = f
	}
	m, probes := f.t, f.probes
	r.Discovery = append(r.Discovery, probes...)
	if m != nil {
		return m, false
	}
	for _, p := range probes {
		if p.Result == ProbeForbidden {
			ref, role := output.ObjectRef{APIVersion: kustomizev1.GroupVersion.String(), Kind: key.kind, Namespace: key.namespace, Name: key.name}, RoleKustomization
			if key.kind == flux.KindHelmRelease {
				ref.APIVersion, role = helmv2.GroupVersion.String(), RoleHelmRelease
			}
			n := len(r.Hops)
			r.addErrorHop(role, ref, via, exitcode.New(exitcode.Forbidden, "%s: %s", p.Context, p.Error))
			r.Hops[n].Cluster = p.Context
			r.Hops[n].Notes = append(r.Hops[n].Notes, fmt.Sprintf("not in %s; context %s may hold it, but you may not read its %ss there", orThis(t.cluster), p.Context, key.kind))
			return nil, true
		}
	}
	last := &r.Hops[len(r.Hops)-1]
	last.Notes = append(last.Notes, fmt.Sprintf("its labels name %s %s/%s, which no cluster of the kubeconfig holds (%s)", key.kind, key.namespace, key.name, describeProbes(probes)))
	return t, false
}

// storageElsewhere returns the tracer of the cluster holding the HelmRelease that keeps
// Helm release release, whose storage Secret is in namespace of this cluster, when this
// cluster holds no such HelmRelease (or no Flux) and the finder can look; else t.
func (t *Tracer) storageElsewhere(ctx context.Context, r *Report, namespace, release string) *Tracer {
	rf, ok := t.finder.(ReleaseFinder)
	if !ok {
		return t
	}
	_, err := t.findStorageOwner(ctx, namespace, release, false)
	if err == nil || (exitcode.Of(err) != exitcode.NotFound && !flux.IsNotInstalled(err)) {
		return t
	}
	m, _, probes := rf.FindRelease(ctx, namespace, release)
	r.Discovery = append(r.Discovery, probes...)
	if m == nil {
		return t
	}
	return m
}

func orThis(cluster string) string {
	if cluster == "" {
		return "this cluster"
	}
	return cluster
}

// confirmRemote checks that a Kustomization or HelmRelease of namespace, found in
// another cluster than the object, really applies to the object's cluster: it must
// have a spec.kubeConfig (kc), and the server that kubeConfig points at must be the
// object's cluster (when the user may read it).
func (t *Tracer) confirmRemote(ctx context.Context, hop *Hop, namespace string, kc *meta.KubeConfigReference, from *Tracer) {
	tg := t.target(ctx, namespace, kc)
	hop.Target = tg
	hop.Via += ", in another cluster"
	if tg == nil {
		if hop.Role == RoleKustomization {
			hop.Inventory = InventoryNotListed
		}
		hop.Notes = append(hop.Notes, fmt.Sprintf("has no spec.kubeConfig: it applies to its own cluster %s, not to %s where the object is; the labels name a %s of the same name elsewhere",
			orThis(t.cluster), orThis(from.cluster), hop.Ref.Kind))
		return
	}
	via := tg.Via()
	switch {
	case tg.Server == "":
		hop.Notes = append(hop.Notes, fmt.Sprintf("applies to a remote cluster through %s; %s", via, tg.ServerNote))
	case from.server != "" && !remote.SameServer(tg.Server, from.server):
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
	tg := t.target(ctx, ks.Namespace, ks.Spec.KubeConfig)
	hop := &r.Hops[0]
	hop.Target = tg
	hop.Health = health(obj)
	if t.remote != nil {
		t.remoteView(ctx, ks, tg)
	}
}

// helmOwner returns the HelmRelease an object's helm-controller labels (else Helm's
// release annotations) name, as walkHelmRelease reads them.
func helmOwner(u *unstructured.Unstructured) (objKey, bool) {
	ns, name := u.GetLabels()[flux.HelmNamespaceLabel], u.GetLabels()[flux.HelmNameLabel]
	if name == "" {
		ns, name = u.GetAnnotations()[flux.HelmReleaseNamespaceAnno], u.GetAnnotations()[flux.HelmReleaseNameAnno]
	}
	if ns == "" {
		ns = u.GetNamespace()
	}
	return objKey{flux.KindHelmRelease, ns, name}, name != ""
}
