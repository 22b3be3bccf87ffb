package diff

import (
	"strings"
	"testing"
)

func TestFieldPathForms(t *testing.T) {
	for _, tc := range []struct {
		p             fieldPath
		path, pointer string
	}{
		{fieldPath{{key: "data"}, {key: "color"}}, ".data.color", "/data/color"},
		{fieldPath{{key: "spec"}, {key: "containers"}, {index: 0, isIndex: true}, {key: "image"}}, ".spec.containers[0].image", "/spec/containers/0/image"},
		{fieldPath{{key: "metadata"}, {key: "labels"}, {key: "app.kubernetes.io/name"}}, `.metadata.labels["app.kubernetes.io/name"]`, "/metadata/labels/app.kubernetes.io~1name"},
		{fieldPath{{key: "data"}, {key: "a~b"}}, `.data["a~b"]`, "/data/a~0b"},
		{nil, ".", ""},
	} {
		if got := tc.p.String(); got != tc.path {
			t.Errorf("String() = %q, want %q", got, tc.path)
		}
		if got := tc.p.Pointer(); got != tc.pointer {
			t.Errorf("Pointer() = %q, want %q", got, tc.pointer)
		}
	}
}

func TestChangedPaths(t *testing.T) {
	for _, tc := range []struct {
		name         string
		live, merged map[string]any
		want         string
	}{
		{"same", map[string]any{"data": map[string]any{"a": "1"}}, map[string]any{"data": map[string]any{"a": "1"}}, ""},
		{"a value", map[string]any{"data": map[string]any{"a": "1", "b": "x"}}, map[string]any{"data": map[string]any{"a": "2", "b": "x"}}, ".data.a"},
		{"added and removed keys", map[string]any{"data": map[string]any{"gone": "1"}}, map[string]any{"data": map[string]any{"new": "1"}}, ".data.gone .data.new"},
		{"a map added whole: its leaves", map[string]any{"kind": "ConfigMap"}, map[string]any{"kind": "ConfigMap", "data": map[string]any{"a": "1", "b": "2"}}, ".data.a .data.b"},
		{"a list element by index", map[string]any{"spec": map[string]any{"c": []any{map[string]any{"name": "app", "image": "v1"}}}},
			map[string]any{"spec": map[string]any{"c": []any{map[string]any{"name": "app", "image": "v2"}}}}, ".spec.c[0].image"},
		{"a list of another length: whole", map[string]any{"spec": map[string]any{"args": []any{"a"}}}, map[string]any{"spec": map[string]any{"args": []any{"a", "b"}}}, ".spec.args"},
		{"a scalar turned map", map[string]any{"x": "s"}, map[string]any{"x": map[string]any{"y": "1"}}, ".x"},
		{"status and server fields left out",
			map[string]any{"status": map[string]any{"r": int64(1)}, "metadata": map[string]any{"generation": int64(1), "resourceVersion": "1", "labels": map[string]any{"a": "1"}}},
			map[string]any{"status": map[string]any{"r": int64(2)}, "metadata": map[string]any{"generation": int64(2), "resourceVersion": "2", "labels": map[string]any{"a": "2"}}},
			".metadata.labels.a"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var got []string
			for _, p := range changedPaths(tc.live, tc.merged) {
				got = append(got, p.String())
			}
			if strings.Join(got, " ") != tc.want {
				t.Errorf("changedPaths = %q, want %q", strings.Join(got, " "), tc.want)
			}
		})
	}
}

func TestValueAt(t *testing.T) {
	obj := map[string]any{"spec": map[string]any{"c": []any{map[string]any{"image": "v1"}}}}
	if v, ok := valueAt(obj, fieldPath{{key: "spec"}, {key: "c"}, {index: 0, isIndex: true}, {key: "image"}}); !ok || v != "v1" {
		t.Errorf("valueAt = %v, %v", v, ok)
	}
	for _, p := range []fieldPath{{{key: "spec"}, {key: "c"}, {index: 1, isIndex: true}}, {{key: "spec"}, {index: 0, isIndex: true}}, {{key: "nope"}}, {{key: "spec"}, {key: "c"}, {key: "x"}}} {
		if v, ok := valueAt(obj, p); ok {
			t.Errorf("valueAt(%s) = %v, want none", p, v)
		}
	}
}
