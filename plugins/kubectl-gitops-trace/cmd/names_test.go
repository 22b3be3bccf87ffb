package cmd

import (
	"fmt"
	"testing"

	"k8s.io/apimachinery/pkg/api/meta"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/cli-runtime/pkg/genericiooptions"
)

func names(prefix string, n int) []string {
	out := make([]string, n)
	for i := range out {
		out[i] = fmt.Sprintf("%s%03d", prefix, i)
	}
	return out
}

func TestManyNames(t *testing.T) {
	many := manyNamesThreshold + 1
	tests := []struct {
		name  string
		args  []string
		setup func(*TraceOptions)
		typ   string
		count int
	}{
		{"TYPE NAME …", append([]string{"cm"}, names("a", many)...), nil, "cm", many},
		{"TYPE/NAME …", names("cm/a", many), nil, "cm", many},
		{"few names: a GET each", append([]string{"cm"}, names("a", 3)...), nil, "", 0},
		{"two types", append(names("cm/a", many), "secret/x"), nil, "", 0},
		{"type list", append([]string{"cm,secret"}, names("a", many)...), nil, "", 0},
		{"all namespaces", append([]string{"cm"}, names("a", many)...), func(o *TraceOptions) { o.AllNamespaces = true }, "", 0},
		{"selector", append([]string{"cm"}, names("a", many)...), func(o *TraceOptions) { o.Selector = "a=b" }, "", 0},
	}
	for _, tt := range tests {
		o := NewTraceOptions(genericiooptions.IOStreams{})
		o.args = tt.args
		if tt.setup != nil {
			tt.setup(o)
		}
		typ, got := o.manyNames()
		if typ != tt.typ || len(got) != tt.count {
			t.Errorf("%s: manyNames = %q, %d names; want %q, %d", tt.name, typ, len(got), tt.typ, tt.count)
		}
	}
}

func TestPickNamedKeepsOrderAndReportsMissing(t *testing.T) {
	o := NewTraceOptions(genericiooptions.IOStreams{})
	o.namespace = "shop"
	o.args = []string{"configmaps", "b", "a", "b", "gone"}
	found := map[string]*unstructured.Unstructured{"a": {}, "b": {}, "gone": nil}
	found["a"].SetName("a")
	found["b"].SetName("b")
	mapper := meta.NewDefaultRESTMapper(nil)
	mapper.AddSpecific(schema.GroupVersionKind{Version: "v1", Kind: "ConfigMap"}, schema.GroupVersionResource{Version: "v1", Resource: "configmaps"}, schema.GroupVersionResource{Version: "v1", Resource: "configmap"}, meta.RESTScopeNamespace)
	objs, reports := o.pickNamed(mapper, "configmaps", found)
	if len(objs) != 2 || objs[0].GetName() != "b" || objs[1].GetName() != "a" {
		t.Errorf("objects %v, want b then a, once each", objs)
	}
	if len(reports) != 1 || reports[0].Object.Name != "gone" || reports[0].Object.Kind != "ConfigMap" || reports[0].ExitCode() != 3 {
		t.Errorf("reports %+v %+v, want one NotFound ConfigMap gone", reports[0].Object, reports[0].Result)
	}
}
