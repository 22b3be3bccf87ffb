package cluster

import (
	"context"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/client-go/metadata"
)

// ListMetadata lists the objects of resource gvr in namespace ("" for all namespaces or
// a cluster-scoped resource) matching selector, page by page, and hands each one's
// metadata to fn as it arrives. The server sends metadata only: listing 10,000
// ConfigMaps this way decodes none of their data, and no page is kept after fn saw it.
// Errors are the server's, unclassified, as cli-runtime's builder returns them.
func ListMetadata(ctx context.Context, md metadata.Interface, gvr schema.GroupVersionResource, namespace, selector string, pageSize int64, fn func(*metav1.PartialObjectMetadata) error) error {
	opts := metav1.ListOptions{Limit: pageSize, LabelSelector: selector}
	for {
		list, err := md.Resource(gvr).Namespace(namespace).List(ctx, opts)
		if err != nil {
			return err
		}
		for i := range list.Items {
			if err := fn(&list.Items[i]); err != nil {
				return err
			}
		}
		if list.Continue == "" {
			return nil
		}
		opts.Continue = list.Continue
	}
}
