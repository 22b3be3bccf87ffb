package diff

import (
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"

	"helm.sh/helm/v4/pkg/chart/v2/loader"
	chartutil "helm.sh/helm/v4/pkg/chart/v2/util"
	repo "helm.sh/helm/v4/pkg/repo/v1"
)

// TestRepoChart serves an HTTP chart repository (index.yaml and archives, as helm
// repo index writes them) and fetches from it as a HelmRepository's chart is fetched.
func TestRepoChart(t *testing.T) {
	served := t.TempDir()
	for _, version := range []string{"0.1.0", "0.2.0", "1.0.0"} {
		root := writeChart(t, map[string]string{
			"web/Chart.yaml":        "apiVersion: v2\nname: web\nversion: " + version + "\n",
			"web/values.yaml":       "greeting: hello\n",
			"web/values-prod.yaml":  "greeting: prod\n",
			"web/templates/cm.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: web\ndata:\n  version: " + version + "\n  greeting: {{ .Values.greeting }}\n",
		})
		ch, err := loader.Load(filepath.Join(root, "web"))
		if err != nil {
			t.Fatal(err)
		}
		if _, err := chartutil.Save(ch, served); err != nil {
			t.Fatal(err)
		}
	}
	srv := httptest.NewServer(http.FileServer(http.Dir(served)))
	defer srv.Close()
	index, err := repo.IndexDirectory(served, srv.URL+"/charts")
	if err != nil {
		t.Fatal(err)
	}
	// Archives named relative to the index, as most repositories do.
	for _, vs := range index.Entries {
		for _, v := range vs {
			v.URLs = []string{strings.TrimPrefix(v.URLs[0], srv.URL+"/charts/")}
		}
	}
	if err := index.WriteFile(filepath.Join(served, "index.yaml"), 0o644); err != nil {
		t.Fatal(err)
	}

	for _, tc := range []struct{ version, want string }{{"", "1.0.0"}, {"0.2.0", "0.2.0"}, {"<1.0.0", "0.2.0"}, {"~0.1", "0.1.0"}} {
		ch, got, err := repoChart(srv.URL+"/", "web", tc.version)
		if err != nil {
			t.Fatalf("version %q: %v", tc.version, err)
		}
		if got != tc.want || ch.Metadata.Version != tc.want {
			t.Errorf("version %q: fetched %s (chart %s), want %s", tc.version, got, ch.Metadata.Version, tc.want)
		}
	}
	ch, _, err := repoChart(srv.URL, "web", "0.1.0")
	if err != nil {
		t.Fatal(err)
	}
	objects, err := renderChart(chartRender{Chart: ch, ValuesFiles: []string{"values-prod.yaml"}, Release: releaseRef{Name: "web", Namespace: "apps"}})
	if err != nil {
		t.Fatal(err)
	}
	if data := objects[0].Object["data"].(map[string]any); data["version"] != "0.1.0" || data["greeting"] != "prod" {
		t.Errorf("rendered %v, want version 0.1.0 and the chart's values-prod.yaml", data)
	}
	for _, tc := range []struct{ name, version, want string }{{"api", "", "chart api"}, {"web", "2.x", `version "2.x"`}} {
		if _, _, err := repoChart(srv.URL, tc.name, tc.version); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s %s: error %v, want it to name %s", tc.name, tc.version, err, tc.want)
		}
	}
	if _, _, err := repoChart(srv.URL+"/nothing", "web", ""); err == nil || !strings.Contains(err.Error(), "reading the index of") {
		t.Errorf("no repository: error %v", err)
	}
}

func TestHighest(t *testing.T) {
	tags := []string{"0.1.0", "0.10.0", "0.9.1", "1.0.0-rc.1", "latest", "1.0.0"}
	for _, tc := range []struct{ constraint, want string }{{"", "1.0.0"}, {"<1", "0.10.0"}, {"~0.9", "0.9.1"}, {">=2", ""}} {
		got, err := highest(tags, tc.constraint)
		if got != tc.want || (err == nil) != (tc.want != "") {
			t.Errorf("highest(%q) = %q, %v; want %q", tc.constraint, got, err, tc.want)
		}
	}
}
