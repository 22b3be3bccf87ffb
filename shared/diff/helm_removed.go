package diff

import (
	"context"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/kubectl-gitops/kubectl-gitops/shared/render"
)

// keepPolicy is Helm's annotation that keeps an object its upgrade would delete.
const keepPolicy = "helm.sh/resource-policy"

// removedObjects are the objects of the deployed release (stored) that desired no
// longer holds: Helm deletes them on upgrade, unless annotated
// helm.sh/resource-policy: keep (skipped, with why). Ones already gone are left out.
func removedObjects(ctx context.Context, c client.Client, stored, desired []*unstructured.Unstructured, secrets []string) ([]Object, error) {
	kept := map[string]bool{}
	for _, o := range desired {
		kept[render.Key(o.GetKind(), o.GetNamespace(), o.GetName())] = true
	}
	var stale []*unstructured.Unstructured
	for _, o := range stored {
		if !kept[render.Key(o.GetKind(), o.GetNamespace(), o.GetName())] {
			stale = append(stale, o)
		}
	}
	return staleObjects(ctx, c, stale, Removed, func(live *unstructured.Unstructured, o *Object) error {
		if v := live.GetAnnotations()[keepPolicy]; v == "keep" {
			o.Action, o.Reason = Skipped, "no longer rendered, but "+keepPolicy+": keep: Helm leaves it"
			return nil
		}
		o.Reason = "no longer rendered: Helm deletes it on upgrade"
		return o.keep(live, nil, secrets)
	})
}
