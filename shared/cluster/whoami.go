package cluster

import (
	"context"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/client-go/dynamic"
)

// WhoAmI returns the user the API server authenticates these credentials as, what
// `kubectl auth whoami` prints (a SelfSubjectReview), or "" when it cannot tell: the
// record of a change names who made it.
func WhoAmI(ctx context.Context, dyn dynamic.Interface) string {
	review := &unstructured.Unstructured{Object: map[string]any{"apiVersion": "authentication.k8s.io/v1", "kind": "SelfSubjectReview"}}
	out, err := dyn.Resource(schema.GroupVersionResource{Group: "authentication.k8s.io", Version: "v1", Resource: "selfsubjectreviews"}).
		Create(ctx, review, metav1.CreateOptions{FieldManager: FieldManager})
	if err != nil {
		return ""
	}
	name, _, _ := unstructured.NestedString(out.Object, "status", "userInfo", "username")
	return name
}
