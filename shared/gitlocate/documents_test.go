package gitlocate

import (
	"slices"
	"testing"
)

func TestObjectsIn(t *testing.T) {
	type obj = manifestObject
	tests := []struct {
		name string
		data string
		want []obj
	}{
		{
			name: "leading separator and comments",
			data: "---\n# c\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: a\n",
			want: []obj{{apiVersion: "v1", kind: "ConfigMap", name: "a", line: 3}},
		},
		{
			name: "CRLF line endings",
			data: "apiVersion: v1\r\nkind: ConfigMap\r\nmetadata:\r\n  name: a\r\n---\r\napiVersion: v1\r\nkind: Secret\r\nmetadata:\r\n  name: b\r\n  namespace: x\r\n",
			want: []obj{
				{apiVersion: "v1", kind: "ConfigMap", name: "a", line: 1},
				{apiVersion: "v1", kind: "Secret", name: "b", namespace: "x", line: 6},
			},
		},
		{
			name: "separator inside a block scalar is indented and ignored",
			data: "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: a\ndata:\n  f: |\n    ---\n    x\n---\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: b\n",
			want: []obj{
				{apiVersion: "v1", kind: "ConfigMap", name: "a", line: 1},
				{apiVersion: "v1", kind: "ConfigMap", name: "b", line: 10},
			},
		},
		{
			name: "malformed document does not hide the next one",
			data: "apiVersion: v1\nkind: [\n---\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: b\n",
			want: []obj{{apiVersion: "v1", kind: "ConfigMap", name: "b", line: 4}},
		},
		{
			name: "content on the separator line",
			data: "--- {apiVersion: v1, kind: ConfigMap, metadata: {name: a}}\n",
			want: []obj{{apiVersion: "v1", kind: "ConfigMap", name: "a", line: 1}},
		},
		{
			name: "List items",
			data: "apiVersion: v1\nkind: List\nitems:\n- apiVersion: v1\n  kind: ConfigMap\n  metadata:\n    name: a\n- apiVersion: v1\n  kind: ConfigMap\n  metadata:\n    name: b\n",
			want: []obj{
				{apiVersion: "v1", kind: "ConfigMap", name: "a", line: 4},
				{apiVersion: "v1", kind: "ConfigMap", name: "b", line: 8},
			},
		},
		{
			name: "non-objects are skipped",
			data: "replicas: 3\n---\n- a\n---\n",
			want: nil,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := objectsIn([]byte(tt.data)); !slices.Equal(got, tt.want) {
				t.Errorf("objectsIn = %+v, want %+v", got, tt.want)
			}
		})
	}
}
