package trace

import (
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
)

// lastApplied is kubectl's copy of the whole object in an annotation, which nothing
// in a trace reads.
const lastApplied = "kubectl.kubernetes.io/last-applied-configuration"

// Slim returns obj reduced to what Trace reads of an object that is not a Flux object:
// apiVersion, kind, a Secret's type (Helm's storage) and metadata (labels, annotations,
// ownerReferences) without managedFields and kubectl's last-applied copy. A bulk trace
// holds every object it read until all are traced: for 10,000 ConfigMaps their data
// and managedFields were most of the command's memory. A Flux object is returned whole,
// since its own spec and status are described. obj itself is not changed.
func Slim(obj *unstructured.Unstructured) *unstructured.Unstructured {
	if obj == nil || fluxKind(obj) != "" {
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
