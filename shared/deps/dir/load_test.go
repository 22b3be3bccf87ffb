package dir

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/kubectl-gitops/kubectl-gitops/shared/deps"
)

// writeTree creates files (path relative to the returned root -> content).
func writeTree(t *testing.T, files map[string]string) string {
	t.Helper()
	root := t.TempDir()
	for name, content := range files {
		p := filepath.Join(root, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return root
}

const infraYAML = `apiVersion: kustomize.toolkit.fluxcd.io/v1
kind: Kustomization
metadata:
  name: infra
  namespace: flux-system
spec:
  interval: 10m
  path: ./infrastructure
  prune: true
  sourceRef:
    kind: GitRepository
    name: flux-system
`

const appsYAML = `# Applications, after the infrastructure.
---
apiVersion: kustomize.toolkit.fluxcd.io/v1
kind: Kustomization
metadata:
  name: apps
spec:
  dependsOn:
    - name: infra
    - name: crds
      namespace: kube-system
  interval: 10m
  path: ./apps
  sourceRef:
    kind: GitRepository
    name: flux-system
---
apiVersion: v1
kind: ConfigMap
metadata:
  name: not-flux
data:
  kind: Kustomization
---
apiVersion: kustomize.config.k8s.io/v1beta1
kind: Kustomization
resources:
  - apps.yaml
---
apiVersion: helm.toolkit.fluxcd.io/v2
kind: HelmRelease
metadata:
  name: podinfo
  namespace: apps
spec:
  dependsOn:
    - name: redis
  chart:
    spec:
      chart: podinfo
      sourceRef:
        kind: HelmRepository
        name: podinfo
---
apiVersion: kustomize.toolkit.fluxcd.io/v1beta2
kind: Kustomization
metadata:
  name: legacy
spec:
  dependsOn:
    - name: apps
  sourceRef:
    kind: GitRepository
    name: flux-system
`

type loaded struct {
	ID        string
	DependsOn string
	File      string
	Line      int
}

func summarize(root string, nodes []deps.Node) []loaded {
	var out []loaded
	for _, n := range nodes {
		var deps []string
		for _, d := range n.DependsOn {
			deps = append(deps, d.Namespace+"/"+d.Name)
		}
		rel, _ := filepath.Rel(root, n.File)
		if !n.Offline {
			rel = "NOT OFFLINE " + rel
		}
		out = append(out, loaded{n.ID().String(), strings.Join(deps, ","), filepath.ToSlash(rel), n.Line})
	}
	return out
}

func TestLoad(t *testing.T) {
	root := writeTree(t, map[string]string{
		"clusters/prod/infra.yaml":           infraYAML,
		"clusters/prod/apps/apps.yml":        appsYAML,
		"clusters/prod/README.md":            "apiVersion: kustomize.toolkit.fluxcd.io/v1\nkind: Kustomization\n",
		"clusters/prod/values.json":          `{"apiVersion": "kustomize.toolkit.fluxcd.io/v1"}`,
		"clusters/prod/list.yaml":            "- just\n- a list\n",
		"clusters/prod/empty.yaml":           "# nothing here\n---\n---\n",
		".git/config.yaml":                   "{{ broken",
		"charts/mychart/Chart.yaml":          "apiVersion: v2\nname: mychart\n",
		"charts/mychart/templates/hr.yaml":   "{{- if .Values.enabled }}\nkind: HelmRelease\n{{- end }}\n",
		"clusters/staging/nested/deep/x.YML": strings.Replace(infraYAML, "name: infra", "name: staging-infra", 1),
	})
	res, err := Load(root, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Errors) != 0 {
		t.Fatalf("unexpected errors: %v", res.Errors)
	}
	want := []loaded{
		{"Kustomization flux-system/apps", "flux-system/infra,kube-system/crds", "clusters/prod/apps/apps.yml", 3},
		{"HelmRelease apps/podinfo", "apps/redis", "clusters/prod/apps/apps.yml", 30},
		{"Kustomization flux-system/legacy", "flux-system/apps", "clusters/prod/apps/apps.yml", 45},
		{"Kustomization flux-system/infra", "", "clusters/prod/infra.yaml", 1},
		{"Kustomization flux-system/staging-infra", "", "clusters/staging/nested/deep/x.YML", 1},
	}
	if got := summarize(root, res.Nodes); !reflect.DeepEqual(got, want) {
		t.Errorf("nodes:\n got %+v\nwant %+v", got, want)
	}
	if res.Files != 6 { // values.json is read (and holds no Flux object)
		t.Errorf("Files = %d, want 6 (hidden and chart directories skipped)", res.Files)
	}
}

func TestLoadDefaultNamespaceOption(t *testing.T) {
	root := writeTree(t, map[string]string{"a.yaml": appsYAML})
	res, err := Load(root, Options{DefaultNamespace: "tenants"})
	if err != nil {
		t.Fatal(err)
	}
	got := summarize(root, res.Nodes)[0]
	if got.ID != "Kustomization tenants/apps" || got.DependsOn != "tenants/infra,kube-system/crds" {
		t.Errorf("namespace default not applied before dependsOn defaulting: %+v", got)
	}
	if n := res.Nodes[0]; n.SourceRef.Namespace != "tenants" {
		t.Errorf("sourceRef namespace = %q, want tenants", n.SourceRef.Namespace)
	}
}

func TestLoadReportsBrokenDocumentsAndKeepsGoing(t *testing.T) {
	broken := `apiVersion: kustomize.toolkit.fluxcd.io/v1
kind: Kustomization
metadata:
  name: first
spec:
  sourceRef: {kind: GitRepository, name: flux-system}
---
apiVersion: kustomize.toolkit.fluxcd.io/v1
kind: Kustomization
metadata:
  name: broken
  labels: a: b
---
apiVersion: kustomize.toolkit.fluxcd.io/v1
kind: Kustomization
metadata:
  name: wrong-type
spec:
  dependsOn: infra
---
apiVersion: kustomize.toolkit.fluxcd.io/v1
kind: Kustomization
metadata:
  name: after
spec:
  dependsOn:
    - name: first
`
	root := writeTree(t, map[string]string{
		"a/broken.yaml": broken,
		"b/good.yaml":   infraYAML,
	})
	res, err := Load(root, Options{})
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, n := range res.Nodes {
		names = append(names, n.Name)
	}
	if want := []string{"first", "after", "infra"}; !reflect.DeepEqual(names, want) {
		t.Errorf("loaded %v, want %v", names, want)
	}
	if len(res.Errors) != 2 {
		t.Fatalf("want 2 errors, got %v", res.Errors)
	}
	file := filepath.Join(root, "a", "broken.yaml")
	syntax, decoding := res.Errors[0], res.Errors[1]
	if syntax.File != file || syntax.Line != 12 || !strings.Contains(syntax.Error(), "invalid YAML: mapping values are not allowed") {
		t.Errorf("syntax error = %v (line %d), want %s:12 invalid YAML", syntax, syntax.Line, file)
	}
	if decoding.File != file || decoding.Line != 14 || !strings.Contains(decoding.Error(), "invalid Kustomization") {
		t.Errorf("decode error = %v (line %d), want %s:14 invalid Kustomization", decoding, decoding.Line, file)
	}
	if !strings.HasPrefix(syntax.Error(), file+":12: ") {
		t.Errorf("Error() = %q, want file:line: prefix", syntax.Error())
	}
}

func TestLoadMissingRoot(t *testing.T) {
	_, err := Load(filepath.Join(t.TempDir(), "nope"), Options{})
	if !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("err = %v, want not-exist", err)
	}
}

func TestLoadSingleFile(t *testing.T) {
	root := writeTree(t, map[string]string{"apps.yaml": appsYAML})
	res, err := Load(filepath.Join(root, "apps.yaml"), Options{})
	if err != nil || len(res.Nodes) != 3 {
		t.Fatalf("Load(file) = %d nodes, %v", len(res.Nodes), err)
	}
}

// TestLoadThenAnalyze is the offline pipeline: structure problems are found,
// nothing is reported as blocked because manifests carry no status.
func TestLoadThenAnalyze(t *testing.T) {
	root := writeTree(t, map[string]string{
		"infra.yaml": strings.Replace(infraYAML, "  interval: 10m\n", "  interval: 10m\n  dependsOn:\n    - name: apps\n", 1),
		"apps.yaml":  appsYAML,
	})
	res, err := Load(root, Options{})
	if err != nil {
		t.Fatal(err)
	}
	r := deps.Analyze(context.Background(), res.Nodes)
	if len(r.Cycles) != 1 || len(r.Missing) != 2 || len(r.RootCauses) != 0 {
		t.Errorf("cycles=%d missing=%d rootCauses=%d, want 1, 2, 0", len(r.Cycles), len(r.Missing), len(r.RootCauses))
	}
}

// TestLoadListsAndJSON reads what kustomize-controller applies beyond plain YAML
// documents: the items of a v1 List, and .json files.
func TestLoadListsAndJSON(t *testing.T) {
	root := writeTree(t, map[string]string{
		"list.yaml": `apiVersion: v1
kind: List
items:
  - apiVersion: kustomize.toolkit.fluxcd.io/v1
    kind: Kustomization
    metadata: {name: a, namespace: flux-system}
    spec: {interval: 1h, path: ./a, prune: true, sourceRef: {kind: GitRepository, name: flux-system}}
  - apiVersion: v1
    kind: ConfigMap
    metadata: {name: other}
  - apiVersion: kustomize.toolkit.fluxcd.io/v1
    kind: Kustomization
    metadata: {name: b, namespace: flux-system}
    spec: {interval: 1h, path: ./b, prune: true, sourceRef: {kind: GitRepository, name: flux-system}, dependsOn: [{name: a}]}
`,
		"c.json": `{"apiVersion": "helm.toolkit.fluxcd.io/v2", "kind": "HelmRelease", "metadata": {"name": "c", "namespace": "shop"}, "spec": {"interval": "1h", "chart": {"spec": {"chart": "c", "sourceRef": {"kind": "HelmRepository", "name": "r"}}}}}`,
	})
	res, err := Load(root, Options{})
	if err != nil || len(res.Errors) > 0 {
		t.Fatalf("%v %v", err, res.Errors)
	}
	var got []string
	for _, n := range res.Nodes {
		got = append(got, fmt.Sprintf("%s %s/%s line %d", n.Kind, n.Namespace, n.Name, n.Line))
	}
	want := "HelmRelease shop/c line 1,Kustomization flux-system/a line 4,Kustomization flux-system/b line 11"
	if strings.Join(got, ",") != want {
		t.Errorf("nodes %v, want %s", got, want)
	}
}
