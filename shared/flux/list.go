package flux

import (
	"context"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/client-go/dynamic"
)

// PageSize is the page size of every list: large enough that 2,000 Kustomizations cost
// four requests, small enough that one response stays a few megabytes.
const PageSize = 500

// List pages through every object of a Flux kind in namespace ("" for all namespaces)
// and hands each to fn, so callers can index objects without holding the raw list.
func List(ctx context.Context, dyn dynamic.Interface, kind, namespace string, fn func(*unstructured.Unstructured) error) error {
	return ListSelected(ctx, dyn, kind, namespace, "", fn)
}

// ListSelected is List restricted to the objects matching a label selector.
func ListSelected(ctx context.Context, dyn dynamic.Interface, kind, namespace, selector string, fn func(*unstructured.Unstructured) error) error {
	ri, err := Resource(dyn, kind, namespace)
	if err != nil {
		return err
	}
	opts := metav1.ListOptions{Limit: PageSize, LabelSelector: selector}
	for {
		list, err := ri.List(ctx, opts)
		if err != nil {
			return Classify(err, kind, namespace, "")
		}
		for i := range list.Items {
			if err := fn(&list.Items[i]); err != nil {
				return err
			}
		}
		if list.GetContinue() == "" {
			return nil
		}
		opts.Continue = list.GetContinue()
	}
}
