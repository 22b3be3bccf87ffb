package diff

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	helmv2 "github.com/fluxcd/helm-controller/api/v2"
	"github.com/fluxcd/pkg/apis/kustomize"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
)

// writeChart writes files under a temporary source root and returns it.
func writeChart(t *testing.T, files map[string]string) string {
	t.Helper()
	root := t.TempDir()
	for name, text := range files {
		p := filepath.Join(root, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return root
}

func TestRenderChart(t *testing.T) {
	root := writeChart(t, map[string]string{
		"charts/web/Chart.yaml":  "apiVersion: v2\nname: web\nversion: 0.1.0\n",
		"charts/web/values.yaml": "greeting: hello\nsize: small\n",
		"charts/web/templates/cm.yaml": `apiVersion: v1
kind: ConfigMap
metadata:
  name: {{ .Release.Name }}-config
data:
  greeting: {{ .Values.greeting | quote }}
  size: {{ .Values.size | quote }}
  upgrade: {{ .Release.IsUpgrade | quote }}
  namespace: {{ .Release.Namespace }}
  kube: {{ .Capabilities.KubeVersion.Minor | quote }}
`,
		"charts/web/templates/hook.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: hook\n  annotations:\n    helm.sh/hook: pre-install\n",
		"values/prod.yaml":               "size: large\n",
	})
	for _, tc := range []struct {
		name string
		r    chartRender
		want map[string]string
	}{
		{"chart values, install, Helm's default capabilities",
			chartRender{Dir: filepath.Join(root, "charts/web"), Root: root, Release: releaseRef{Name: "web", Namespace: "apps"}},
			map[string]string{"greeting": "hello", "size": "small", "upgrade": "false", "namespace": "apps"}},
		{"valuesFiles replace values.yaml, the HelmRelease's values win, upgrade, the cluster's version",
			chartRender{Dir: filepath.Join(root, "charts/web"), Root: root, ValuesFiles: []string{"values/prod.yaml"}, Values: map[string]any{"greeting": "hi"},
				Release: releaseRef{Name: "web", Namespace: "apps"}, Upgrade: true, Caps: capabilities{KubeVersion: "v1.37.2"}},
			map[string]string{"greeting": "hi", "size": "large", "upgrade": "true", "namespace": "apps", "kube": "37"}},
		{"a missing values file left out with ignoreMissingValuesFiles",
			chartRender{Dir: filepath.Join(root, "charts/web"), Root: root, ValuesFiles: []string{"values/none.yaml", "values/prod.yaml"}, IgnoreMissingValuesFiles: true,
				Release: releaseRef{Name: "web", Namespace: "apps"}},
			map[string]string{"size": "large"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			objects, err := renderChart(tc.r)
			if err != nil {
				t.Fatal(err)
			}
			if len(objects) != 1 || objects[0].GetName() != "web-config" {
				t.Fatalf("rendered %d objects (%v), want only web-config: hooks are not in the manifest", len(objects), objects)
			}
			data := objects[0].Object["data"].(map[string]any)
			for k, v := range tc.want {
				if data[k] != v {
					t.Errorf("data.%s = %v, want %s", k, data[k], v)
				}
			}
		})
	}
	if _, err := renderChart(chartRender{Dir: filepath.Join(root, "charts/web"), Root: root, ValuesFiles: []string{"values/none.yaml"}}); err == nil || !strings.Contains(err.Error(), "valuesFiles values/none.yaml") {
		t.Errorf("a missing values file: error %v, want it named", err)
	}
	if _, err := renderChart(chartRender{Dir: filepath.Join(root, "charts/none"), Root: root}); err == nil || !strings.Contains(err.Error(), "loading the chart") {
		t.Errorf("a missing chart: error %v, want loading the chart", err)
	}
}

func TestPostRender(t *testing.T) {
	root := writeChart(t, map[string]string{
		"Chart.yaml":        "apiVersion: v2\nname: web\nversion: 0.1.0\n",
		"templates/cm.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: web\n  labels: {team: a}\n",
	})
	objects, err := renderChart(chartRender{Dir: root, Root: root, Release: releaseRef{Name: "web", Namespace: "apps"}})
	if err != nil {
		t.Fatal(err)
	}
	hr := &helmv2.HelmRelease{ObjectMeta: metav1.ObjectMeta{Name: "web", Namespace: "flux"},
		Spec: helmv2.HelmReleaseSpec{CommonMetadata: &helmv2.CommonMetadata{Labels: map[string]string{"team": "b"}, Annotations: map[string]string{"owner": "ops"}}}}
	if objects, err = postRender(hr, objects); err != nil {
		t.Fatal(err)
	}
	l, a := objects[0].GetLabels(), objects[0].GetAnnotations()
	if l["helm.toolkit.fluxcd.io/name"] != "web" || l["helm.toolkit.fluxcd.io/namespace"] != "flux" || l["team"] != "b" || a["owner"] != "ops" {
		t.Errorf("labels %v, annotations %v: want the origin labels and commonMetadata over the chart's", l, a)
	}
}

// TestPostRenderKustomize: spec.postRenderers' Kustomize patches and images apply to
// the render as helm-controller applies them, before commonMetadata and the origin
// labels, which win on a key both set.
func TestPostRenderKustomize(t *testing.T) {
	obj := func(kind, name string, spec map[string]any) *unstructured.Unstructured {
		return &unstructured.Unstructured{Object: map[string]any{"apiVersion": "apps/v1", "kind": kind,
			"metadata": map[string]any{"name": name, "namespace": "apps"}, "spec": spec}}
	}
	objects := []*unstructured.Unstructured{
		obj("Deployment", "web", map[string]any{"replicas": int64(1), "template": map[string]any{"spec": map[string]any{"containers": []any{map[string]any{"name": "web", "image": "nginx:1.0"}}}}}),
		obj("Deployment", "worker", map[string]any{"replicas": int64(1)}),
	}
	hr := &helmv2.HelmRelease{ObjectMeta: metav1.ObjectMeta{Name: "web", Namespace: "flux"}, Spec: helmv2.HelmReleaseSpec{
		CommonMetadata: &helmv2.CommonMetadata{Labels: map[string]string{"helm.toolkit.fluxcd.io/name": "not-this"}},
		PostRenderers: []helmv2.PostRenderer{{Kustomize: &helmv2.Kustomize{
			Patches: []kustomize.Patch{{Patch: `[{"op": "replace", "path": "/spec/replicas", "value": 3}]`, Target: &kustomize.Selector{Kind: "Deployment", Name: "web"}}},
			Images:  []kustomize.Image{{Name: "nginx", NewTag: "1.1"}},
		}}}}}
	got, err := postRender(hr, objects)
	if err != nil {
		t.Fatal(err)
	}
	byName := map[string]*unstructured.Unstructured{}
	for _, u := range got {
		byName[u.GetName()] = u
		if u.GetLabels()["helm.toolkit.fluxcd.io/name"] != "web" {
			t.Errorf("%s: origin label %q, want web over commonMetadata", u.GetName(), u.GetLabels()["helm.toolkit.fluxcd.io/name"])
		}
	}
	if r, _, _ := unstructured.NestedInt64(byName["web"].Object, "spec", "replicas"); r != 3 {
		t.Errorf("web replicas %d, want the patch's 3", r)
	}
	if r, _, _ := unstructured.NestedInt64(byName["worker"].Object, "spec", "replicas"); r != 1 {
		t.Errorf("worker replicas %d, want 1: the patch targets web only", r)
	}
	containers, _, _ := unstructured.NestedSlice(byName["web"].Object, "spec", "template", "spec", "containers")
	if len(containers) != 1 || containers[0].(map[string]any)["image"] != "nginx:1.1" {
		t.Errorf("containers %v, want the image nginx:1.1", containers)
	}
	if _, err := postRender(&helmv2.HelmRelease{Spec: helmv2.HelmReleaseSpec{PostRenderers: []helmv2.PostRenderer{{Kustomize: &helmv2.Kustomize{
		Patches: []kustomize.Patch{{Patch: "not a patch: ["}}}}}}}, objects); err == nil || !strings.Contains(err.Error(), "spec.postRenderers[0].kustomize") {
		t.Errorf("a broken patch: %v, want an error naming the post-renderer", err)
	}
}
