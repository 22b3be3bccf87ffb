package cmd

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"k8s.io/apimachinery/pkg/api/meta"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/cli-runtime/pkg/genericiooptions"
	"k8s.io/cli-runtime/pkg/resource"

	"github.com/kubectl-gitops/kubectl-gitops/shared/output"
	"github.com/kubectl-gitops/kubectl-gitops/shared/trace"
)

func writeFiles(t *testing.T, root string, files ...string) {
	t.Helper()
	for _, f := range files {
		p := filepath.Join(root, f)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte("{}\n"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

func describeGroups(root string, groups []resource.FilenameOptions) string {
	var parts []string
	for _, g := range groups {
		if g.Kustomize != "" {
			rel, _ := filepath.Rel(root, g.Kustomize)
			parts = append(parts, "-k "+rel)
			continue
		}
		var files []string
		for _, f := range g.Filenames {
			rel, _ := filepath.Rel(root, f)
			files = append(files, rel)
		}
		parts = append(parts, fmt.Sprintf("-f %s R=%v", strings.Join(files, ","), g.Recursive))
	}
	return strings.Join(parts, "; ")
}

// A Flux repository: every folder a Kustomization applies holds a kustomization.yaml.
func TestFilenameGroups(t *testing.T) {
	root := t.TempDir()
	writeFiles(t, root, "apps/kustomization.yaml", "apps/deployment.yaml", "apps/web.yaml",
		"clusters/demo/apps.yaml", "clusters/demo/infrastructure.yaml", "loose.yaml", "infra/ns.yaml", "infra/sub/kustomization.yaml", "infra/sub/rbac.yaml",
		"repo/charts/web/Chart.yaml", "repo/charts/web/templates/cm.yaml", "repo/apps/kustomization.yaml", "repo/ns.yaml")
	in := func(p string) string { return filepath.Join(root, p) }
	tests := []struct {
		name string
		f    resource.FilenameOptions
		want string
	}{
		{"a kustomization folder is built", resource.FilenameOptions{Filenames: []string{in("apps")}}, "-k apps"},
		{"plain folders and files stay as kubectl reads them, in order",
			resource.FilenameOptions{Filenames: []string{in("loose.yaml"), in("apps"), in("clusters/demo")}}, "-f loose.yaml R=false; -k apps; -f clusters/demo R=false"},
		{"recursive: folders below with a kustomization are built", resource.FilenameOptions{Filenames: []string{in("infra")}, Recursive: true}, "-f infra/ns.yaml R=true; -k infra/sub"},
		{"recursive without a kustomization below is unchanged", resource.FilenameOptions{Filenames: []string{in("clusters")}, Recursive: true}, "-f clusters R=true"},
		{"not recursive: the folder's own files only, as kubectl", resource.FilenameOptions{Filenames: []string{in("infra")}}, "-f infra R=false"},
		{"a whole repository: charts skipped", resource.FilenameOptions{Filenames: []string{in("repo")}, Recursive: true}, "-k repo/apps; -f repo/ns.yaml R=true"},
		{"a chart named itself is skipped", resource.FilenameOptions{Filenames: []string{in("repo/charts/web"), in("loose.yaml")}}, "-f loose.yaml R=false"},
	}
	for _, tt := range tests {
		groups, charts := filenameGroups(tt.f)
		if got := describeGroups(root, groups); got != tt.want {
			t.Errorf("%s: groups = %s, want %s", tt.name, got, tt.want)
		}
		if strings.HasPrefix(tt.name, "a whole repository") || strings.HasPrefix(tt.name, "a chart") {
			if len(charts) != 1 || charts[0] != in("repo/charts/web") {
				t.Errorf("%s: charts skipped %v, want repo/charts/web", tt.name, charts)
			}
		}
	}
}

func TestInArgumentOrder(t *testing.T) {
	mapper := meta.NewDefaultRESTMapper(nil)
	mapper.AddSpecific(schema.GroupVersionKind{Version: "v1", Kind: "ConfigMap"}, schema.GroupVersionResource{Version: "v1", Resource: "configmaps"}, schema.GroupVersionResource{Version: "v1", Resource: "configmap"}, meta.RESTScopeNamespace)
	mapper.AddSpecific(schema.GroupVersionKind{Group: "apps", Version: "v1", Kind: "Deployment"}, schema.GroupVersionResource{Group: "apps", Version: "v1", Resource: "deployments"}, schema.GroupVersionResource{Group: "apps", Version: "v1", Resource: "deployment"}, meta.RESTScopeNamespace)
	report := func(apiVersion, kind, name string, missing bool) *trace.Report {
		ref := output.ObjectRef{APIVersion: apiVersion, Kind: kind, Namespace: "shop", Name: name}
		if missing {
			return trace.NotFoundReport(ref, fmt.Errorf("not found"))
		}
		return &trace.Report{Object: ref, Result: trace.ResultTraced}
	}
	order := func(reports []*trace.Report) string {
		var names []string
		for _, r := range reports {
			names = append(names, r.Object.Kind+"/"+r.Object.Name)
		}
		return strings.Join(names, " ")
	}
	tests := []struct {
		args    []string
		reports []*trace.Report
		want    string
	}{
		// The builder's NotFound reports come first, the traced ones after.
		{[]string{"configmap/flaky", "configmap/nope", "deployment/api"},
			[]*trace.Report{report("v1", "ConfigMap", "nope", true), report("v1", "ConfigMap", "flaky", false), report("apps/v1", "Deployment", "api", false)},
			"ConfigMap/flaky ConfigMap/nope Deployment/api"},
		{[]string{"configmaps", "b", "gone", "a"},
			[]*trace.Report{report("v1", "ConfigMap", "gone", true), report("v1", "ConfigMap", "a", false), report("v1", "ConfigMap", "b", false)},
			"ConfigMap/b ConfigMap/gone ConfigMap/a"},
		// Same name, two types.
		{[]string{"deployment/api", "configmap/api"},
			[]*trace.Report{report("v1", "ConfigMap", "api", false), report("apps/v1", "Deployment", "api", false)},
			"Deployment/api ConfigMap/api"},
	}
	for _, tt := range tests {
		o := NewTraceOptions(genericiooptions.IOStreams{})
		o.args = tt.args
		o.inArgumentOrder(mapper, tt.reports)
		if got := order(tt.reports); got != tt.want {
			t.Errorf("%v: order %s, want %s", tt.args, got, tt.want)
		}
	}
}
