package trace

import (
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
)

// lastApplied is kubectl's copy of the whole object in an annotation, which nothing
// in a trace reads.
const lastApplied = "kubectl.kubernetes.io/last-applied-configuration"

// Slim returns obj reduced to what Trace reads of an object that is not a Flux object:
// apiVersion, kind, a Secret's type (Helm's storage) and metadata (labels, annotations,
// ownerReferences) without managedFields and kubectl's last-applied copy. A bulk trace
// holds every object it read until all are traced: for 10,000 ConfigMaps their data
// and managedFields were most of the command's memory. A Flux object is returned whole,
// since its own spec and status are described, and so are an ExternalSecret and a
// SealedSecret (their store, keys and condition). obj itself is not changed.
func Slim(obj *unstructured.Unstructured) *unstructured.Unstructured {
	if obj == nil || fluxKind(obj) != "" || secretMaker(obj) != "" {
		return obj
	}
	slim := map[string]any{}
	for _, k := range []string{"apiVersion", "kind", "type"} {
		if v, ok := obj.Object[k]; ok {
			slim[k] = v
		}
	}
	if meta, ok := obj.Object["metadata"].(map[string]any); ok {
		m := make(map[string]any, len(meta))
		for k, v := range meta {
			if k != "managedFields" {
				m[k] = v
			}
		}
		if ann, ok := m["annotations"].(map[string]any); ok {
			if _, ok := ann[lastApplied]; ok {
				a := make(map[string]any, len(ann))
				for k, v := range ann {
					if k != lastApplied {
						a[k] = v
					}
				}
				m["annotations"] = a
			}
		}
		slim["metadata"] = m
	}
	return &unstructured.Unstructured{Object: slim}
}

// MetadataSuffices says whether objects of kind gvk can be listed as metadata only
// (SlimMetadata) and trace exactly as the whole objects would: everything but a Flux
// object, whose spec and status are described, and a Secret, whose type tells Helm's
// storage apart.
func MetadataSuffices(gvk schema.GroupVersionKind) bool {
	if gvk.Group == "" && gvk.Kind == "Secret" {
		return false
	}
	obj := &unstructured.Unstructured{}
	obj.SetGroupVersionKind(gvk)
	return fluxKind(obj) == "" && secretMaker(obj) == ""
}

// SlimMetadata is Slim of an object of kind gvk that was listed as metadata only: the
// same apiVersion, kind and metadata, without managedFields and kubectl's last-applied
// copy. Only for a kind MetadataSuffices for.
func SlimMetadata(gvk schema.GroupVersionKind, m *metav1.PartialObjectMetadata) (*unstructured.Unstructured, error) {
	om := m.ObjectMeta
	om.ManagedFields = nil
	if _, ok := om.Annotations[lastApplied]; ok {
		a := make(map[string]string, len(om.Annotations)-1)
		for k, v := range om.Annotations {
			if k != lastApplied {
				a[k] = v
			}
		}
		om.Annotations = a
	}
	meta, err := runtime.DefaultUnstructuredConverter.ToUnstructured(&om)
	if err != nil {
		return nil, err
	}
	u := &unstructured.Unstructured{Object: map[string]any{"metadata": meta}}
	u.SetGroupVersionKind(gvk)
	return u, nil
}
