package cmd

import (
	"fmt"
	"strings"
	"testing"

	"k8s.io/apimachinery/pkg/api/meta"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/cli-runtime/pkg/genericiooptions"

	"github.com/kubectl-gitops/kubectl-gitops/shared/cluster/clustertest"
	"github.com/kubectl-gitops/kubectl-gitops/shared/trace"
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

func TestValidateClusterFlags(t *testing.T) {
	tests := []struct {
		name  string
		setup func(*TraceOptions)
		err   string
	}{
		{"remote context", func(o *TraceOptions) { o.Remote.Context = "workload-1" }, ""},
		{"both ways to read the remote cluster", func(o *TraceOptions) { o.Remote.Context, o.Remote.UseSecret = "w", true }, "cannot be used together"},
		{"zero timeout", func(o *TraceOptions) { o.ContextTimeout = 0 }, "--context-timeout must be positive"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			o := NewTraceOptions(genericiooptions.IOStreams{})
			o.args = []string{"deploy/api"}
			tt.setup(o)
			err := o.Validate()
			if (err == nil) != (tt.err == "") || (err != nil && !strings.Contains(err.Error(), tt.err)) {
				t.Errorf("Validate() = %v, want %q", err, tt.err)
			}
		})
	}
}

func TestFinderFromKubeconfigContexts(t *testing.T) {
	f := clustertest.New("edge")
	f.Name = "workload-1"
	f.Others = map[string]*clustertest.Factory{"management": clustertest.New("flux-system"), "staging": clustertest.New("default")}
	o := NewTraceOptions(genericiooptions.IOStreams{})
	o.kubeconfig = f
	finder, err := o.finder("workload-1")
	if err != nil {
		t.Fatal(err)
	}
	cf, ok := finder.(trace.ContextFinder)
	if !ok || len(cf.Candidates) != 2 || cf.Candidates[0].Name != "management" || cf.Candidates[1].Name != "staging" || cf.Timeout != defaultContextTimeout {
		t.Errorf("finder %+v, want the two other contexts with the default timeout", finder)
	}
	o.FluxContext = "nope"
	if _, err := o.finder("workload-1"); err == nil || !strings.Contains(err.Error(), `"nope"`) {
		t.Errorf("unknown --flux-context: err %v", err)
	}
	o.FluxContext = "management"
	finder, err = o.finder("workload-1")
	if cf, ok := finder.(trace.ContextFinder); err != nil || !ok || len(cf.Candidates) != 1 || cf.Candidates[0].Name != "" && cf.Candidates[0].Name != "management" {
		t.Errorf("--flux-context management: finder %+v err %v", finder, err)
	}
}
