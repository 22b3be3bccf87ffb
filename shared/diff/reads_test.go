package diff

import (
	"context"
	"testing"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/client/fake"
	"sigs.k8s.io/controller-runtime/pkg/client/interceptor"
)

// TestReadOnce: each object is asked of the API server once; later reads get copies of
// that answer (a caller changing its copy changes nobody else's), a missing object its
// NotFound.
func TestReadOnce(t *testing.T) {
	cm := &unstructured.Unstructured{Object: map[string]any{
		"apiVersion": "v1", "kind": "ConfigMap",
		"metadata": map[string]any{"name": "app", "namespace": "shop"},
		"data":     map[string]any{"color": "blue"},
	}}
	gets := 0
	c := fake.NewClientBuilder().WithObjects(cm.DeepCopy()).WithInterceptorFuncs(interceptor.Funcs{
		Get: func(ctx context.Context, c client.WithWatch, key client.ObjectKey, obj client.Object, opts ...client.GetOption) error {
			gets++
			return c.Get(ctx, key, obj, opts...)
		},
	}).Build()
	r := newReadOnce(c)
	read := func(name string) (*unstructured.Unstructured, error) {
		u := &unstructured.Unstructured{}
		u.SetGroupVersionKind(cm.GroupVersionKind())
		return u, r.Get(context.Background(), client.ObjectKey{Namespace: "shop", Name: name}, u)
	}
	for i := 0; i < 3; i++ {
		u, err := read("app")
		if err != nil || u.Object["data"].(map[string]any)["color"] != "blue" {
			t.Fatalf("read %d: %v %v", i, u, err)
		}
		u.Object["data"].(map[string]any)["color"] = "changed by a caller"
		if _, err := read("gone"); !apierrors.IsNotFound(err) {
			t.Fatalf("read of a missing object: %v", err)
		}
	}
	if gets != 2 {
		t.Errorf("%d reads reached the API server, want 2 (one per object)", gets)
	}
}
