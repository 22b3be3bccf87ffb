package trace

import (
	"reflect"
	"testing"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
)

func TestSlim(t *testing.T) {
	meta := func(extra map[string]any) map[string]any {
		m := map[string]any{"name": "x", "namespace": "ns", "uid": "u1",
			"labels":          map[string]any{"kustomize.toolkit.fluxcd.io/name": "apps"},
			"ownerReferences": []any{map[string]any{"kind": "ReplicaSet", "name": "rs"}}}
		for k, v := range extra {
			m[k] = v
		}
		return m
	}
	tests := []struct {
		name string
		in   map[string]any
		want map[string]any
	}{
		{
			name: "ConfigMap: data and managedFields dropped",
			in: map[string]any{"apiVersion": "v1", "kind": "ConfigMap", "data": map[string]any{"k": "v"},
				"metadata": meta(map[string]any{"managedFields": []any{map[string]any{"manager": "kustomize-controller"}}})},
			want: map[string]any{"apiVersion": "v1", "kind": "ConfigMap", "metadata": meta(nil)},
		},
		{
			name: "Secret keeps its type (Helm storage), not its data",
			in:   map[string]any{"apiVersion": "v1", "kind": "Secret", "type": "helm.sh/release.v1", "data": map[string]any{"release": "x"}, "metadata": meta(nil)},
			want: map[string]any{"apiVersion": "v1", "kind": "Secret", "type": "helm.sh/release.v1", "metadata": meta(nil)},
		},
		{
			name: "kubectl's last-applied copy dropped, other annotations kept",
			in: map[string]any{"apiVersion": "apps/v1", "kind": "Deployment", "spec": map[string]any{"replicas": int64(1)},
				"metadata": meta(map[string]any{"annotations": map[string]any{lastApplied: "{...}", OriginAnnotation: "path: d.yaml\n"}})},
			want: map[string]any{"apiVersion": "apps/v1", "kind": "Deployment",
				"metadata": meta(map[string]any{"annotations": map[string]any{OriginAnnotation: "path: d.yaml\n"}})},
		},
		{
			name: "a Flux object is kept whole",
			in: map[string]any{"apiVersion": "kustomize.toolkit.fluxcd.io/v1", "kind": "Kustomization", "spec": map[string]any{"path": "./apps"},
				"metadata": meta(map[string]any{"managedFields": []any{}})},
			want: map[string]any{"apiVersion": "kustomize.toolkit.fluxcd.io/v1", "kind": "Kustomization", "spec": map[string]any{"path": "./apps"},
				"metadata": meta(map[string]any{"managedFields": []any{}})},
		},
		{
			name: "an ExternalSecret is kept whole: its store, keys and status are described",
			in: map[string]any{"apiVersion": "external-secrets.io/v1", "kind": "ExternalSecret", "spec": map[string]any{"secretStoreRef": map[string]any{"name": "vault"}},
				"status": map[string]any{"refreshTime": "2026-01-01T00:00:00Z"}, "metadata": meta(nil)},
			want: map[string]any{"apiVersion": "external-secrets.io/v1", "kind": "ExternalSecret", "spec": map[string]any{"secretStoreRef": map[string]any{"name": "vault"}},
				"status": map[string]any{"refreshTime": "2026-01-01T00:00:00Z"}, "metadata": meta(nil)},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			in := &unstructured.Unstructured{Object: tt.in}
			before := in.DeepCopy()
			got := Slim(in)
			if !reflect.DeepEqual(got.Object, tt.want) {
				t.Errorf("Slim = %v\nwant %v", got.Object, tt.want)
			}
			if !reflect.DeepEqual(in.Object, before.Object) {
				t.Errorf("Slim changed its argument: %v", in.Object)
			}
		})
	}
}

// TestSlimMetadata: an object listed as metadata only traces from exactly what Slim
// keeps of the whole object.
func TestSlimMetadata(t *testing.T) {
	whole := map[string]any{
		"apiVersion": "apps/v1", "kind": "Deployment",
		"spec": map[string]any{"replicas": int64(2)}, "status": map[string]any{"readyReplicas": int64(2)},
		"metadata": map[string]any{
			"name": "api", "namespace": "shop", "uid": "u1", "resourceVersion": "42", "generation": int64(3),
			"creationTimestamp": "2026-12-04T20:00:00Z",
			"labels":            map[string]any{"kustomize.toolkit.fluxcd.io/name": "apps", "kustomize.toolkit.fluxcd.io/namespace": "flux-system"},
			"annotations":       map[string]any{lastApplied: "{...}", OriginAnnotation: "path: d.yaml\n"},
			"ownerReferences": []any{map[string]any{"apiVersion": "v1", "kind": "Namespace", "name": "shop", "uid": "u0",
				"controller": true, "blockOwnerDeletion": true}},
			"managedFields": []any{map[string]any{"manager": "kustomize-controller", "operation": "Apply", "apiVersion": "apps/v1",
				"fieldsType": "FieldsV1", "fieldsV1": map[string]any{"f:spec": map[string]any{}}}},
		},
	}
	u := &unstructured.Unstructured{Object: whole}
	var m metav1.PartialObjectMetadata
	if err := runtime.DefaultUnstructuredConverter.FromUnstructured(map[string]any{"metadata": whole["metadata"]}, &m); err != nil {
		t.Fatal(err)
	}
	got, err := SlimMetadata(u.GroupVersionKind(), &m)
	if err != nil {
		t.Fatal(err)
	}
	if want := Slim(u); !reflect.DeepEqual(got.Object, want.Object) {
		t.Errorf("SlimMetadata = %v\nSlim of the whole object = %v", got.Object, want.Object)
	}
}

func TestMetadataSuffices(t *testing.T) {
	tests := []struct {
		gvk  schema.GroupVersionKind
		want bool
	}{
		{schema.GroupVersionKind{Version: "v1", Kind: "ConfigMap"}, true},
		{schema.GroupVersionKind{Group: "apps", Version: "v1", Kind: "Deployment"}, true},
		{schema.GroupVersionKind{Version: "v1", Kind: "Secret"}, false},
		{schema.GroupVersionKind{Group: "kustomize.toolkit.fluxcd.io", Version: "v1", Kind: "Kustomization"}, false},
		{schema.GroupVersionKind{Group: "helm.toolkit.fluxcd.io", Version: "v2", Kind: "HelmRelease"}, false},
		{schema.GroupVersionKind{Group: "source.toolkit.fluxcd.io", Version: "v1", Kind: "GitRepository"}, false},
		// Their spec and status say where a Secret's data comes from.
		{schema.GroupVersionKind{Group: "external-secrets.io", Version: "v1", Kind: "ExternalSecret"}, false},
		{schema.GroupVersionKind{Group: "bitnami.com", Version: "v1alpha1", Kind: "SealedSecret"}, false},
		// kustomize's own Kustomization is not Flux's.
		{schema.GroupVersionKind{Group: "kustomize.config.k8s.io", Version: "v1beta1", Kind: "Kustomization"}, true},
	}
	for _, tt := range tests {
		if got := MetadataSuffices(tt.gvk); got != tt.want {
			t.Errorf("MetadataSuffices(%s) = %v, want %v", tt.gvk, got, tt.want)
		}
	}
}
