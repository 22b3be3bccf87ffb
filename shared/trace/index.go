package trace

import (
	"context"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"

	"github.com/kubectl-gitops/kubectl-gitops/shared/exitcode"
	"github.com/kubectl-gitops/kubectl-gitops/shared/flux"
)

// Index holds every Kustomization of a scope from paged lists, so that tracing a
// thousand objects costs a few list requests instead of a GET per object. Its size
// grows with the number of Kustomizations (and their inventories), not with the
// number of objects traced.
type Index struct {
	byKey map[objKey]*unstructured.Unstructured
	// all is true when every namespace was listed; else namespaces lists those that were.
	all        bool
	namespaces map[string]bool
	// denied is the error of a list RBAC refused: the index then misses those
	// namespaces, and an answer that needs every inventory cannot be given.
	denied error
}

func (x *Index) get(namespace, name string) (*unstructured.Unstructured, bool) {
	u, ok := x.byKey[objKey{flux.KindKustomization, namespace, name}]
	return u, ok
}

func (x *Index) complete(namespace string) bool { return x.all || x.namespaces[namespace] }

// IndexKustomizations lists the Kustomizations of namespaces ("" for all) once and
// serves later Kustomization reads from the list. If listing all namespaces is
// forbidden, the tracer falls back to GETs, which RBAC may allow per namespace.
func (t *Tracer) IndexKustomizations(ctx context.Context, namespaces ...string) error {
	x := &Index{byKey: map[objKey]*unstructured.Unstructured{}, namespaces: map[string]bool{}}
	if len(namespaces) == 0 {
		namespaces = []string{""}
	}
	for _, ns := range namespaces {
		err := flux.List(ctx, t.dyn, flux.KindKustomization, ns, func(u *unstructured.Unstructured) error {
			x.byKey[objKey{flux.KindKustomization, u.GetNamespace(), u.GetName()}] = u
			return nil
		})
		if exitcode.Of(err) == exitcode.Forbidden {
			x.denied = err
			continue
		}
		if err != nil {
			return err
		}
		if ns == "" {
			x.all = true
		} else {
			x.namespaces[ns] = true
		}
	}
	t.index = x
	return nil
}
