package diff

import (
	"context"
	"fmt"
	"sort"

	"github.com/fluxcd/pkg/ssa"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/kubectl-gitops/kubectl-gitops/shared/output"
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
	sort.Sort(sort.Reverse(ssa.SortableUnstructureds(stale)))
	var out []Object
	for _, u := range stale {
		o := Object{ObjectRef: output.ObjectRef{APIVersion: u.GetAPIVersion(), Kind: u.GetKind(), Namespace: u.GetNamespace(), Name: u.GetName()}, Action: Removed}
		live := &unstructured.Unstructured{}
		live.SetGroupVersionKind(u.GroupVersionKind())
		if err := c.Get(ctx, client.ObjectKeyFromObject(u), live); err != nil {
			if apierrors.IsNotFound(err) {
				continue
			}
			return nil, fmt.Errorf("reading %s: %w", o.String(), err)
		}
		if v := live.GetAnnotations()[keepPolicy]; v == "keep" {
			o.Action, o.Reason = Skipped, "no longer rendered, but "+keepPolicy+": keep: Helm leaves it"
		} else {
			o.Reason = "no longer rendered: Helm deletes it on upgrade"
			if err := o.keep(live, nil, secrets); err != nil {
				return nil, err
			}
		}
		out = append(out, o)
	}
	return out, nil
}
