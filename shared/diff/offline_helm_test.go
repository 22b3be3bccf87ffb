package diff

import (
	"bytes"
	"context"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"helm.sh/helm/v4/pkg/chart/v2/loader"
	chartutil "helm.sh/helm/v4/pkg/chart/v2/util"
	repo "helm.sh/helm/v4/pkg/repo/v1"

	"github.com/kubectl-gitops/kubectl-gitops/shared/output"
)

// helmRelease is a HelmRelease of the fleet's apps (namespace shop) with spec after
// "spec:\n".
func helmRelease(name, spec string) string {
	return "apiVersion: helm.toolkit.fluxcd.io/v2\nkind: HelmRelease\nmetadata:\n  name: " + name + "\nspec:\n  interval: 10m\n" + spec
}

// webChart is a chart's files under dir: a ConfigMap of its values, a Secret of a
// value, and a ClusterRole (cluster-scoped: no namespace given to it).
func webChart(dir, version, extra string) map[string]string {
	return map[string]string{
		dir + "/Chart.yaml":              "apiVersion: v2\nname: web\nversion: " + version + "\n",
		dir + "/values.yaml":             "color: red\nreplicas: 1\npassword: none\n",
		dir + "/templates/settings.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: {{ .Release.Name }}-settings\ndata:\n  color: {{ .Values.color | quote }}\n  replicas: {{ .Values.replicas | quote }}\n  version: " + version + "\n" + extra,
		dir + "/templates/secret.yaml":   "apiVersion: v1\nkind: Secret\nmetadata:\n  name: {{ .Release.Name }}-password\nstringData:\n  password: {{ .Values.password | quote }}\n",
		dir + "/templates/role.yaml":     "apiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRole\nmetadata:\n  name: {{ .Release.Name }}-reader\nrules: []\n",
	}
}

// releasesOfDoc are the HelmReleases listed in a comparison's first cluster.
func releasesOfDoc(doc *Diff) map[string]HelmReleaseChange {
	out := map[string]HelmReleaseChange{}
	for _, k := range doc.Clusters[0].Kustomizations {
		for _, h := range k.HelmReleases {
			out[h.Namespace+"/"+h.Name] = h
		}
	}
	return out
}

// TestOfflineHelmLocalChart renders a chart of the repository itself at both sides: a
// template changed, a value of spec.values changed, a value of a valuesFrom Secret
// changed (never shown), another HelmRelease unchanged (not listed) and one whose chart
// is in another GitRepository (not rendered, said why).
func TestOfflineHelmLocalChart(t *testing.T) {
	files := fleet()
	for p, c := range webChart("charts/web", "0.1.0", "") {
		files[p] = c
	}
	files["apps/kustomization.yaml"] = "apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nnamespace: shop\nresources:\n  - config.yaml\n  - release.yaml\n  - values.yaml\n"
	files["apps/values.yaml"] = configMap("web-values", "values.yaml", "'replicas: 2'") + "---\napiVersion: v1\nkind: Secret\nmetadata:\n  name: web-secret\nstringData:\n  values.yaml: 'password: s3cret-base'\n"
	local := "  chart:\n    spec:\n      chart: ./charts/web\n      sourceRef:\n        kind: GitRepository\n        name: flux-system\n        namespace: flux-system\n"
	files["apps/release.yaml"] = helmRelease("web", local+"  values:\n    color: blue\n  valuesFrom:\n    - kind: ConfigMap\n      name: web-values\n    - kind: Secret\n      name: web-secret\n") +
		"---\n" + helmRelease("same", local+"  releaseName: other\n  targetNamespace: web-ns\n") +
		"---\n" + helmRelease("vendor", "  chart:\n    spec:\n      chart: ./chart\n      sourceRef:\n        kind: GitRepository\n        name: vendor\n")
	repoDir := gitRepo(t, files)

	head := map[string]string{
		"apps/release.yaml": strings.Replace(files["apps/release.yaml"], "color: blue", "color: green", 1),
		"apps/values.yaml":  strings.Replace(files["apps/values.yaml"], "s3cret-base", "s3cret-head", 1),
	}
	for p, c := range webChart("charts/web", "0.1.0", "  tier: frontend\n") {
		head[p] = c
	}
	writeFiles(t, repoDir, head)
	doc, err := Offline(context.Background(), OfflineOptions{Dir: repoDir, Base: "main"})
	if err != nil {
		t.Fatal(err)
	}
	hrs := releasesOfDoc(doc)
	web, ok := hrs["shop/web"]
	if !ok || web.Change != Modified || web.HeadChart != "web@0.1.0" || web.File != "apps/release.yaml" {
		t.Fatalf("shop/web: %+v (all %v)", web, hrs)
	}
	// same renders the changed template too, as release other in web-ns.
	if same := hrs["shop/same"]; len(same.Objects) != 1 || same.Objects[0].String() != "ConfigMap web-ns/other-settings" || same.Summary.Unchanged != 2 {
		t.Errorf("shop/same: %+v, want ConfigMap web-ns/other-settings changed", same)
	}
	objects := map[string]ObjectChange{}
	for _, o := range web.Objects {
		objects[string(o.Change)+" "+o.String()] = o
	}
	settings, ok := objects["changed ConfigMap shop/web-settings"]
	if !ok {
		t.Fatalf("objects %v, want ConfigMap shop/web-settings changed", keysOf(objects))
	}
	for _, want := range []string{`-  color: blue`, `+  color: green`, `+  tier: frontend`, `replicas: "2"`} {
		if !strings.Contains(settings.Diff, want) {
			t.Errorf("settings diff lacks %q:\n%s", want, settings.Diff)
		}
	}
	if pw := objects["changed Secret shop/web-password"]; strings.Join(pw.ChangedKeys, ",") != "password" {
		t.Errorf("web-password: %+v, want its password key changed", pw)
	}
	if _, ok := objects["changed ClusterRole web-reader"]; ok {
		t.Errorf("the ClusterRole changed: %v", keysOf(objects))
	}
	if web.Summary.Changed != 2 || web.Summary.Unchanged != 1 {
		t.Errorf("summary %+v, want 2 changed (ConfigMap, Secret), 1 unchanged (ClusterRole)", web.Summary)
	}
	vendor := hrs["shop/vendor"]
	if vendor.Change != NotRendered || !strings.Contains(vendor.Why, "GitRepository shop/vendor, not this repository") || len(vendor.Objects) != 0 {
		t.Errorf("shop/vendor: %+v, want not rendered (another repository)", vendor)
	}
	for _, n := range doc.Clusters[0].Notes {
		if n == HelmChartsNote {
			t.Errorf("the blanket note is said while charts are rendered")
		}
	}
	var all bytes.Buffer
	for _, w := range []func() error{
		func() error { return output.Write(&all, output.FormatJSON, doc) },
		func() error { return doc.WriteText(&all, output.TextOptions{}) },
		func() error { return doc.WriteFormat(&all, FormatMarkdown) },
		func() error { return doc.WriteFormat(&all, FormatGitHub) },
	} {
		if err := w(); err != nil {
			t.Fatal(err)
		}
	}
	if strings.Contains(all.String(), "s3cret") {
		t.Errorf("a valuesFrom Secret's value is printed:\n%s", all.String())
	}
	for _, want := range []string{"HelmRelease shop/web changed (chart web@0.1.0): 2 changed; 1 unchanged", "| ↳ HelmRelease `shop/web` (chart web@0.1.0) | changed | 0 | 2 | 0 | 1 |",
		"| ↳ HelmRelease `shop/vendor` | not rendered | – | – | – | – |", "# not rendered: at the head: its chart ./chart is in GitRepository shop/vendor",
		"::notice file=apps/release.yaml,line=1::clusters/production: HelmRelease shop/web changed"} {
		if !strings.Contains(all.String(), want) {
			t.Errorf("the views lack %q:\n%s", want, all.String())
		}
	}
}

// TestOfflineHelmValuesNotRead: a SOPS-encrypted valuesFrom Secret is named as not
// read, and what the release installed at the base is not read as removed.
func TestOfflineHelmValuesNotRead(t *testing.T) {
	files := fleet()
	for p, c := range webChart("charts/web", "0.1.0", "") {
		files[p] = c
	}
	files["apps/kustomization.yaml"] = "apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nnamespace: shop\nresources:\n  - release.yaml\n"
	files["apps/release.yaml"] = helmRelease("web", "  chart:\n    spec:\n      chart: ./charts/web\n      sourceRef:\n        kind: GitRepository\n        name: flux-system\n        namespace: flux-system\n")
	repoDir := gitRepo(t, files)
	writeFiles(t, repoDir, map[string]string{
		"apps/kustomization.yaml": files["apps/kustomization.yaml"] + "  - sealed.yaml\n",
		"apps/release.yaml":       files["apps/release.yaml"] + "  valuesFrom:\n    - kind: Secret\n      name: sealed\n",
		"apps/sealed.yaml":        "apiVersion: v1\nkind: Secret\nmetadata:\n  name: sealed\nstringData:\n  values.yaml: ENC[AES256_GCM,data:abc]\nsops:\n  version: 3.9.0\n",
	})
	doc, err := Offline(context.Background(), OfflineOptions{Dir: repoDir, Base: "main"})
	if err != nil {
		t.Fatal(err)
	}
	web := releasesOfDoc(doc)["shop/web"]
	if web.Change != NotRendered || !strings.Contains(web.Why, "valuesFrom Secret shop/sealed key values.yaml: encrypted with SOPS: not read offline") || len(web.Objects) != 0 || doc.Clusters[0].Summary.Removed != 0 {
		t.Errorf("shop/web: %+v, cluster %+v", web, doc.Clusters[0].Summary)
	}
}

// chartRepo serves an HTTP Helm repository (index.yaml and packaged charts) holding
// the web chart at versions, counting the downloads of each archive.
func chartRepo(t *testing.T, versions ...string) (*httptest.Server, map[string]int, *sync.Mutex) {
	t.Helper()
	served := t.TempDir()
	for _, v := range versions {
		root := writeChart(t, webChart("web", v, ""))
		ch, err := loader.Load(filepath.Join(root, "web"))
		if err != nil {
			t.Fatal(err)
		}
		if _, err := chartutil.Save(ch, served); err != nil { // helm package
			t.Fatal(err)
		}
	}
	var mu sync.Mutex
	gets := map[string]int{}
	files := http.FileServer(http.Dir(served))
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		gets[r.URL.Path]++
		mu.Unlock()
		files.ServeHTTP(w, r)
	}))
	t.Cleanup(srv.Close)
	index, err := repo.IndexDirectory(served, srv.URL)
	if err != nil {
		t.Fatal(err)
	}
	if err := index.WriteFile(filepath.Join(served, "index.yaml"), 0o644); err != nil {
		t.Fatal(err)
	}
	return srv, gets, &mu
}

// TestOfflineHelmRepositoryBump fetches a HelmRepository's chart over HTTP at both
// sides: a version bump shows as the chart's objects changed, and a chart+version asked
// several times (another HelmRelease, both sides) is fetched once.
func TestOfflineHelmRepositoryBump(t *testing.T) {
	srv, gets, mu := chartRepo(t, "1.0.0", "1.1.0")
	files := fleet()
	files["infra/kustomization.yaml"] = "apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nresources:\n  - namespace.yaml\n  - charts.yaml\n"
	files["infra/charts.yaml"] = "apiVersion: source.toolkit.fluxcd.io/v1\nkind: HelmRepository\nmetadata:\n  name: charts\n  namespace: flux-system\nspec:\n  interval: 1h\n  url: " + srv.URL + "\n"
	files["apps/kustomization.yaml"] = "apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nnamespace: shop\nresources:\n  - release.yaml\n"
	fromRepo := func(name, version string) string {
		return helmRelease(name, "  chart:\n    spec:\n      chart: web\n      version: "+version+"\n      sourceRef:\n        kind: HelmRepository\n        name: charts\n        namespace: flux-system\n")
	}
	files["apps/release.yaml"] = fromRepo("web", "1.0.0") + "---\n" + fromRepo("api", "1.0.0")
	repoDir := gitRepo(t, files)
	writeFiles(t, repoDir, map[string]string{"apps/release.yaml": fromRepo("web", "1.1.0") + "---\n" + fromRepo("api", "1.0.0")})

	doc, err := Offline(context.Background(), OfflineOptions{Dir: repoDir, Base: "main"})
	if err != nil {
		t.Fatal(err)
	}
	hrs := releasesOfDoc(doc)
	web := hrs["shop/web"]
	if web.Change != Modified || web.BaseChart != "web@1.0.0" || web.HeadChart != "web@1.1.0" || len(web.Objects) != 1 {
		t.Fatalf("shop/web: %+v", web)
	}
	if d := web.Objects[0].Diff; web.Objects[0].String() != "ConfigMap shop/web-settings" || !strings.Contains(d, "-  version: 1.0.0") || !strings.Contains(d, "+  version: 1.1.0") {
		t.Errorf("web's objects %+v", web.Objects)
	}
	if _, listed := hrs["shop/api"]; listed {
		t.Errorf("shop/api is listed: its chart and values are the same")
	}
	mu.Lock()
	defer mu.Unlock()
	if gets["/web-1.0.0.tgz"] != 1 || gets["/web-1.1.0.tgz"] != 1 {
		t.Errorf("downloads %v, want each archive once", gets)
	}

	// The repository unreachable: not rendered, with why; never removed.
	srv.Close()
	doc, err = Offline(context.Background(), OfflineOptions{Dir: repoDir, Base: "main"})
	if err != nil {
		t.Fatal(err)
	}
	web = releasesOfDoc(doc)["shop/web"]
	if web.Change != NotRendered || !strings.Contains(web.Why, "cannot fetch chart web 1.1.0 from") || doc.Clusters[0].Summary.Removed != 0 {
		t.Errorf("unreachable: %+v, cluster %+v", web, doc.Clusters[0].Summary)
	}
}

// TestOfflineHelmHeadBuildFails: a Kustomization the head cannot build lists none of
// the base's HelmReleases, nor their objects, as removed.
func TestOfflineHelmHeadBuildFails(t *testing.T) {
	files := fleet()
	for p, c := range webChart("charts/web", "0.1.0", "") {
		files[p] = c
	}
	files["apps/kustomization.yaml"] = "apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nnamespace: shop\nresources:\n  - release.yaml\n"
	files["apps/release.yaml"] = helmRelease("web", "  chart:\n    spec:\n      chart: ./charts/web\n      sourceRef:\n        kind: GitRepository\n        name: flux-system\n        namespace: flux-system\n")
	repoDir := gitRepo(t, files)
	writeFiles(t, repoDir, map[string]string{"apps/kustomization.yaml": files["apps/kustomization.yaml"] + "  - missing.yaml\n"})
	doc, err := Offline(context.Background(), OfflineOptions{Dir: repoDir, Base: "main"})
	if err != nil {
		t.Fatal(err)
	}
	if !doc.HeadFailed() || len(releasesOfDoc(doc)) != 0 || doc.Clusters[0].Summary.Removed != 0 {
		t.Errorf("head failed %v, releases %+v, cluster %+v", doc.HeadFailed(), releasesOfDoc(doc), doc.Clusters[0].Summary)
	}
}

// TestOfflineHelmRenderFails: a chart the head cannot render is not rendered, with
// Helm's reason (the base's temporary folder not named), its objects not removed.
func TestOfflineHelmRenderFails(t *testing.T) {
	files := fleet()
	for p, c := range webChart("charts/web", "0.1.0", "") {
		files[p] = c
	}
	files["apps/kustomization.yaml"] = "apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nnamespace: shop\nresources:\n  - release.yaml\n"
	files["apps/release.yaml"] = helmRelease("web", "  chart:\n    spec:\n      chart: ./charts/web\n      sourceRef:\n        kind: GitRepository\n        name: flux-system\n        namespace: flux-system\n")
	repoDir := gitRepo(t, files)
	writeFiles(t, repoDir, map[string]string{"charts/web/templates/broken.yaml": "{{ required \"size is required\" .Values.size }}\n"})
	doc, err := Offline(context.Background(), OfflineOptions{Dir: repoDir, Base: "main"})
	if err != nil {
		t.Fatal(err)
	}
	web := releasesOfDoc(doc)["shop/web"]
	if web.Change != NotRendered || !strings.Contains(web.Why, "at the head: rendering the chart:") || !strings.Contains(web.Why, "size is required") ||
		len(web.Objects) != 0 || doc.Clusters[0].Summary.Removed != 0 || !doc.ClustersDiffer() {
		t.Errorf("shop/web: %+v, cluster %+v", web, doc.Clusters[0].Summary)
	}
}

// TestOfflineHelmRemovedNotRendered: a HelmRelease the pull request removes whose chart
// was not rendered at the base (spec.chartRef, as d2-apps' releases are) is removed
// with why, and no count of its objects: none was compared.
func TestOfflineHelmRemovedNotRendered(t *testing.T) {
	files := fleet()
	files["apps/release.yaml"] = helmRelease("podinfo", "  chartRef:\n    kind: OCIRepository\n    name: podinfo-chart\n")
	files["apps/kustomization.yaml"] = "apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nnamespace: shop\nresources:\n  - config.yaml\n  - old.yaml\n  - secret.yaml\n  - release.yaml\n"
	repo := gitRepo(t, files)
	writeFiles(t, repo, map[string]string{
		"apps/kustomization.yaml": fleet()["apps/kustomization.yaml"],
		"apps/release.yaml":       "",
	})
	doc, err := Offline(context.Background(), OfflineOptions{Dir: repo, Base: "main"})
	if err != nil {
		t.Fatal(err)
	}
	h, ok := releasesOfDoc(doc)["shop/podinfo"]
	if !ok || h.Change != Dropped || !strings.HasPrefix(h.Why, "at the base: ") || len(h.Objects) != 0 {
		t.Fatalf("HelmRelease shop/podinfo: %+v, want removed, not rendered at the base", h)
	}
	var text bytes.Buffer
	if err := doc.WriteText(&text, output.TextOptions{}); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(text.String(), "    HelmRelease shop/podinfo removed\n      not rendered: at the base: its chart comes through spec.chartRef") {
		t.Errorf("text:\n%s\nwant the HelmRelease removed, not rendered at the base, and no count of its objects", text.String())
	}
}
