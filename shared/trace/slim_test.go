package trace

import (
	"reflect"
	"testing"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
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
