package trace

import (
	"context"

	helmv2 "github.com/fluxcd/helm-controller/api/v2"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"

	"github.com/kubectl-gitops/kubectl-gitops/shared/flux"
)

// fluxKind returns the Flux kind of obj ("" when it is not one of Flux's objects).
func fluxKind(obj *unstructured.Unstructured) string {
	gvk := schema.FromAPIVersionAndKind(obj.GetAPIVersion(), obj.GetKind())
	if gvr, ok := flux.GVR(gvk.Kind); ok && gvr.Group == gvk.Group {
		return gvk.Kind
	}
	return ""
}

// describeSelf fills the object hop of a traced Flux object with its own state, and
// the report's Commit with what it applied itself: a Kustomization's applied revision
// against its source, a HelmRelease's installed chart. Someone tracing
// kustomization/apps during an incident asks about apps: the Kustomization above it
// only says where apps' own definition came from, and its status is not apps'. It
// returns the sources the walk must add at its end (a Kustomization's own source).
func (t *Tracer) describeSelf(ctx context.Context, r *Report, obj *unstructured.Unstructured) []sourceIn {
	hop := &r.Hops[0]
	switch kind := fluxKind(obj); kind {
	case "":
		// An ExternalSecret or SealedSecret asked about says where its Secret's data
		// comes from, as it does as an owner.
		describeSecretMaker(hop, obj)
		return nil
	case flux.KindKustomization:
		key := objKey{flux.KindKustomization, obj.GetNamespace(), obj.GetName()}
		ks, err := t.typedKustomization(key, obj)
		if err != nil {
			hop.Health = health(obj)
			return nil
		}
		self := kustomizationHop(obj, ks)
		self.Role, self.Via = RoleObject, ""
		src := objKey{kind: ks.Spec.SourceRef.Kind, namespace: flux.RefNamespace(ks.Spec.SourceRef.Namespace, ks.Namespace), name: ks.Spec.SourceRef.Name}
		self.SourceRef = fluxRef(src.kind, src.namespace, src.name)
		*hop = self
		r.Commit = t.commit(ctx, ks, src)
		return []sourceIn{{t, src}}
	case flux.KindHelmRelease:
		var hr helmv2.HelmRelease
		if err := flux.FromUnstructured(obj, &hr); err != nil {
			hop.Health = health(obj)
			return nil
		}
		self := helmReleaseHop(obj, &hr)
		self.Role = RoleObject
		*hop = self
		t.walkChart(ctx, r, &hr)
		r.Commit = helmCommit(&hr, r.Hops)
		t.explainBlocked(ctx, r.Commit)
		return nil
	case flux.KindGitRepository, flux.KindOCIRepository, flux.KindBucket, flux.KindHelmRepository, flux.KindExternalArtifact:
		*hop = sourceHop(ctx, RoleObject, "", obj)
		return nil
	default:
		hop.Health = health(obj)
		return nil
	}
}
