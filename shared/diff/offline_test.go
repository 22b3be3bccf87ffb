package diff

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/kubectl-gitops/kubectl-gitops/shared/exitcode"
	"github.com/kubectl-gitops/kubectl-gitops/shared/output"
	"github.com/kubectl-gitops/kubectl-gitops/shared/output/outputtest"
)

// fleetKs is a Kustomization of the fleet, on the bootstrap GitRepository.
func fleetKs(name, path string) string {
	return "apiVersion: kustomize.toolkit.fluxcd.io/v1\nkind: Kustomization\nmetadata:\n  name: " + name + "\n  namespace: flux-system\nspec:\n  interval: 10m\n  path: " + path +
		"\n  prune: true\n  sourceRef:\n    kind: GitRepository\n    name: flux-system\n"
}

func configMap(name, key, value string) string {
	return "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: " + name + "\ndata:\n  " + key + ": " + value + "\n"
}

// fleet is one cluster in the flux bootstrap layout: clusters/production applies
// flux-system, infra and apps; a component of the cluster's kustomization.yaml adds
// apps' dependsOn on infra; apps' kustomization.yaml sets namespace: shop.
func fleet() map[string]string {
	return map[string]string{
		"clusters/production/flux-system/gotk-sync.yaml": "apiVersion: source.toolkit.fluxcd.io/v1\nkind: GitRepository\nmetadata:\n  name: flux-system\n  namespace: flux-system\nspec:\n  interval: 1m\n  url: https://example.com/fleet.git\n  ref:\n    branch: main\n---\n" +
			fleetKs("flux-system", "./clusters/production"),
		"clusters/production/flux-system/kustomization.yaml": "apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nresources:\n  - gotk-sync.yaml\n",
		"clusters/production/kustomization.yaml":             "apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nresources:\n  - flux-system\n  - infra.yaml\n  - apps.yaml\ncomponents:\n  - ../../components/needs-infra\n",
		"clusters/production/infra.yaml":                     fleetKs("infra", "./infra"),
		"clusters/production/apps.yaml":                      fleetKs("apps", "./apps"),
		"components/needs-infra/kustomization.yaml": "apiVersion: kustomize.config.k8s.io/v1alpha1\nkind: Component\npatches:\n  - target:\n      kind: Kustomization\n      name: apps\n    patch: |-\n" +
			"      - op: add\n        path: /spec/dependsOn\n        value:\n          - name: infra\n",
		"infra/kustomization.yaml": "apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nresources:\n  - namespace.yaml\n",
		"infra/namespace.yaml":     "apiVersion: v1\nkind: Namespace\nmetadata:\n  name: shop\n",
		"apps/kustomization.yaml":  "apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nnamespace: shop\nresources:\n  - config.yaml\n  - old.yaml\n  - secret.yaml\n",
		"apps/config.yaml":         configMap("web", "color", "blue"),
		"apps/old.yaml":            configMap("old", "k", "v"),
		"apps/secret.yaml":         "apiVersion: v1\nkind: Secret\nmetadata:\n  name: creds\nstringData:\n  password: hunter2-base\n  user: admin\n",
	}
}

// writeFiles writes files under root; an empty content removes the file.
func writeFiles(t *testing.T, root string, files map[string]string) {
	t.Helper()
	for p, c := range files {
		full := filepath.Join(root, filepath.FromSlash(p))
		if c == "" {
			if err := os.Remove(full); err != nil {
				t.Fatal(err)
			}
			continue
		}
		if err := os.MkdirAll(filepath.Dir(full), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(full, []byte(c), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

// gitRepo makes a real repository at a temporary folder with files committed on main,
// with fixed dates so that the commit's SHA is the same on every run.
func gitRepo(t *testing.T, files map[string]string) string {
	t.Helper()
	repo := t.TempDir()
	writeFiles(t, repo, files)
	git := func(args ...string) {
		cmd := exec.Command("git", append([]string{"-C", repo}, args...)...)
		cmd.Env = append(os.Environ(), "GIT_AUTHOR_DATE=2026-12-01T10:00:00Z", "GIT_COMMITTER_DATE=2026-12-01T10:00:00Z",
			"GIT_AUTHOR_NAME=t", "GIT_AUTHOR_EMAIL=t@example.com", "GIT_COMMITTER_NAME=t", "GIT_COMMITTER_EMAIL=t@example.com", "GIT_CONFIG_GLOBAL=/dev/null")
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("git %v: %v\n%s", args, err, out)
		}
	}
	git("init", "-q", "-b", "main")
	git("add", ".")
	git("commit", "-q", "-m", "fleet")
	return repo
}

// headChanges are a pull request on the fleet: a ConfigMap's value, an object added,
// one removed, a Secret's value, and infra depending on apps (a cycle, with the
// component's apps -> infra).
func headChanges() map[string]string {
	return map[string]string{
		"apps/config.yaml":               configMap("web", "color", "green"),
		"apps/new.yaml":                  configMap("new", "copied", "hunter2-head"), // a Secret value, copied: masked too
		"apps/old.yaml":                  "",
		"apps/kustomization.yaml":        "apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nnamespace: shop\nresources:\n  - config.yaml\n  - new.yaml\n  - secret.yaml\n  - release.yaml\n",
		"apps/secret.yaml":               "apiVersion: v1\nkind: Secret\nmetadata:\n  name: creds\nstringData:\n  password: hunter2-head\n  user: admin\n",
		"clusters/production/infra.yaml": fleetKs("infra", "./infra") + "  dependsOn:\n    - name: apps\n",
		"apps/release.yaml":              "apiVersion: helm.toolkit.fluxcd.io/v2\nkind: HelmRelease\nmetadata:\n  name: web\nspec:\n  interval: 10m\n  chart:\n    spec:\n      chart: web\n      sourceRef:\n        kind: HelmRepository\n        name: charts\n",
	}
}

func TestOfflineReportsEachChange(t *testing.T) {
	repo := gitRepo(t, fleet())
	writeFiles(t, repo, headChanges())
	doc, err := Offline(context.Background(), OfflineOptions{Dir: repo, Base: "main"})
	if err != nil {
		t.Fatal(err)
	}
	if len(doc.Clusters) != 1 || !doc.ClustersDiffer() {
		t.Fatalf("clusters: %+v", doc.Clusters)
	}
	c := doc.Clusters[0]
	if c.Path != "clusters/production" || c.Change != Modified {
		t.Errorf("cluster %s %s", c.Path, c.Change)
	}
	got := map[string]ObjectChange{}
	var changedKs []string
	for _, k := range c.Kustomizations {
		changedKs = append(changedKs, k.Namespace+"/"+k.Name)
		for _, o := range k.Objects {
			got[string(o.Change)+" "+o.String()] = o
		}
	}
	// flux-system renders infra's new dependsOn, apps its objects; infra is the same.
	if strings.Join(changedKs, ",") != "flux-system/flux-system,flux-system/apps" {
		t.Errorf("changed Kustomizations %v", changedKs)
	}
	if c.Summary.KustomizationsUnchanged != 1 {
		t.Errorf("unchanged Kustomizations %d, want 1 (infra)", c.Summary.KustomizationsUnchanged)
	}
	web, ok := got["changed ConfigMap shop/web"]
	if !ok || !strings.Contains(web.Diff, "-  color: blue") || !strings.Contains(web.Diff, "+  color: green") {
		t.Errorf("web: %+v (all: %v)", web, keysOf(got))
	}
	if len(c.Notes) != 0 {
		t.Errorf("notes %v, want none (charts are rendered)", c.Notes)
	}
	// The HelmRelease's HelmRepository is not in the repository: not rendered, said why.
	var hrs []HelmReleaseChange
	for _, k := range c.Kustomizations {
		hrs = append(hrs, k.HelmReleases...)
	}
	if len(hrs) != 1 || hrs[0].Change != NotRendered || !strings.Contains(hrs[0].Why, "HelmRepository shop/charts is not in this repository") || len(hrs[0].Objects) != 0 {
		t.Errorf("helm releases %+v, want shop/web not rendered (its HelmRepository is unknown)", hrs)
	}
	for _, want := range []string{"added ConfigMap shop/new", "removed ConfigMap shop/old", "changed Kustomization flux-system/infra", "added HelmRelease shop/web"} {
		if _, ok := got[want]; !ok {
			t.Errorf("%s not reported (all: %v)", want, keysOf(got))
		}
	}
	creds := got["changed Secret shop/creds"]
	if strings.Join(creds.ChangedKeys, ",") != "password" {
		t.Errorf("creds changed keys %v", creds.ChangedKeys)
	}
	var all bytes.Buffer
	if err := output.Write(&all, output.FormatJSON, doc); err != nil {
		t.Fatal(err)
	}
	if strings.Contains(all.String(), "hunter2") {
		t.Errorf("a Secret's value is printed:\n%s", all.String())
	}
	deps := c.Dependencies
	if len(deps.Added) != 1 || deps.Added[0] != (Edge{Dependent: "Kustomization flux-system/infra", Dependency: "Kustomization flux-system/apps"}) {
		t.Errorf("edges added %+v", deps.Added)
	}
	var cycle *Problem
	for i, p := range deps.Problems {
		if p.Kind == "cycle" {
			cycle = &deps.Problems[i]
		}
	}
	if cycle == nil || cycle.File != "clusters/production/apps.yaml" && cycle.File != "clusters/production/infra.yaml" {
		t.Errorf("cycle problem %+v (all %+v)", cycle, deps.Problems)
	}
}

func keysOf(m map[string]ObjectChange) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	return out
}

func TestOfflineNothingChanged(t *testing.T) {
	repo := gitRepo(t, fleet())
	doc, err := Offline(context.Background(), OfflineOptions{Dir: repo, Base: "main"})
	if err != nil {
		t.Fatal(err)
	}
	if doc.ClustersDiffer() {
		t.Fatalf("differs: %+v", doc.Clusters)
	}
	var text bytes.Buffer
	if err := doc.WriteText(&text, output.TextOptions{}); err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(text.String(), "no changes: 1 cluster, 3 Kustomizations and 8 objects render the same") {
		t.Errorf("text:\n%s", text.String())
	}
	md := doc.Markdown(MaxMarkdown)
	if !strings.Contains(md, "No changes") {
		t.Errorf("markdown:\n%s", md)
	}
}

// TestOfflineBaseDir compares two folders, and a cluster only the head has is added.
func TestOfflineBaseDir(t *testing.T) {
	base := t.TempDir()
	writeFiles(t, base, fleet())
	head := t.TempDir()
	files := fleet()
	staging := map[string]string{}
	for p, c := range files {
		if strings.HasPrefix(p, "clusters/production/") {
			staging["clusters/staging/"+strings.TrimPrefix(p, "clusters/production/")] = strings.ReplaceAll(c, "clusters/production", "clusters/staging")
		}
	}
	writeFiles(t, head, files)
	writeFiles(t, head, staging)
	doc, err := Offline(context.Background(), OfflineOptions{Dir: head, BaseDir: base})
	if err != nil {
		t.Fatal(err)
	}
	if len(doc.Clusters) != 2 || doc.Clusters[0].Change != Same || doc.Clusters[1].Change != Added || doc.Clusters[1].Summary.Added != 8 {
		t.Fatalf("clusters: %+v", doc.Clusters)
	}
}

// TestOfflineHeadBuildFails reads a Kustomization the head cannot build as failing,
// never its objects as removed.
func TestOfflineHeadBuildFails(t *testing.T) {
	repo := gitRepo(t, fleet())
	writeFiles(t, repo, map[string]string{"apps/kustomization.yaml": "apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nresources:\n  - missing.yaml\n"})
	doc, err := Offline(context.Background(), OfflineOptions{Dir: repo, Base: "main"})
	if err != nil {
		t.Fatal(err)
	}
	c := doc.Clusters[0]
	if len(c.Kustomizations) != 1 || c.Kustomizations[0].Error == "" || c.Summary.Removed != 0 || !doc.HeadFailed() {
		t.Fatalf("%+v", c)
	}
	if len(c.Dependencies.Problems) != 1 || c.Dependencies.Problems[0].Kind != "file" {
		t.Errorf("problems %+v", c.Dependencies.Problems)
	}
}

func TestOfflineErrors(t *testing.T) {
	repo := gitRepo(t, fleet())
	notGit := t.TempDir()
	writeFiles(t, notGit, fleet())
	for _, tc := range []struct {
		name string
		opts OfflineOptions
		want string
	}{
		{"bad ref", OfflineOptions{Dir: repo, Base: "no-such-branch"}, "--base no-such-branch: no such commit"},
		{"not a repository", OfflineOptions{Dir: notGit, Base: "main"}, "is not in a Git repository"},
		{"no such path", OfflineOptions{Dir: repo, Base: "main", Path: "clusters/nope"}, "--path clusters/nope is in neither"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Offline(context.Background(), tc.opts)
			if err == nil || !strings.Contains(err.Error(), tc.want) || exitcode.Of(err) != exitcode.Usage {
				t.Errorf("error %v (code %d), want %q (usage)", err, exitcode.Of(err), tc.want)
			}
		})
	}
}

// TestOfflineViews checks the text view against its golden file, and the markdown and
// github views' shape.
func TestOfflineViews(t *testing.T) {
	repo := gitRepo(t, fleet())
	writeFiles(t, repo, headChanges())
	doc, err := Offline(context.Background(), OfflineOptions{Dir: repo, Base: "main"})
	if err != nil {
		t.Fatal(err)
	}
	for i := range doc.Clusters {
		doc.Clusters[i].Head = "."
	}
	var text bytes.Buffer
	if err := doc.WriteText(&text, output.TextOptions{}); err != nil {
		t.Fatal(err)
	}
	outputtest.Golden(t, filepath.Join("testdata", "offline-text.golden"), text.Bytes(), *update)

	md := doc.Markdown(MaxMarkdown)
	for _, want := range []string{"#### Cluster `clusters/production` (changed)", "| `flux-system/apps` | changed | 2 | 2 | 1 | 0 |", "<details><summary>", ":x: new problem: Kustomization cycle"} {
		if !strings.Contains(md, want) {
			t.Errorf("markdown lacks %q:\n%s", want, md)
		}
	}
	cut := doc.Markdown(1200)
	if len(cut) > 1200 || !strings.Contains(cut, "not shown**: the comment is cut at 1200 characters") {
		t.Errorf("cut markdown (%d chars):\n%s", len(cut), cut)
	}
	var gh bytes.Buffer
	if err := doc.WriteFormat(&gh, FormatGitHub); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"::error file=clusters/production/", "::notice file=clusters/production/apps.yaml,line=1::clusters/production: Kustomization flux-system/apps changed"} {
		if !strings.Contains(gh.String(), want) {
			t.Errorf("github lacks %q:\n%s", want, gh.String())
		}
	}
}

// TestOfflineUnrenderedAtHead reads a Kustomization that now reads another source as
// not rendered, never its objects as removed.
func TestOfflineUnrenderedAtHead(t *testing.T) {
	repo := gitRepo(t, fleet())
	writeFiles(t, repo, map[string]string{"clusters/production/apps.yaml": strings.Replace(fleetKs("apps", "./apps"), "kind: GitRepository\n    name: flux-system", "kind: OCIRepository\n    name: apps", 1)})
	doc, err := Offline(context.Background(), OfflineOptions{Dir: repo, Base: "main"})
	if err != nil {
		t.Fatal(err)
	}
	c := doc.Clusters[0]
	var apps *KustomizationChange
	for i, k := range c.Kustomizations {
		if k.Name == "apps" {
			apps = &c.Kustomizations[i]
		}
	}
	if apps == nil || apps.Note == "" || apps.Error != "" || len(apps.Objects) != 0 || c.Summary.Removed != 0 || doc.HeadFailed() {
		t.Fatalf("apps %+v, cluster summary %+v", apps, c.Summary)
	}
	if len(c.Notes) == 0 || !strings.Contains(strings.Join(c.Notes, "\n"), "reads OCIRepository") {
		t.Errorf("notes %v", c.Notes)
	}
}

// tenantFleet is a cluster shaped like controlplaneio-fluxcd/d2-fleet: the sync path
// applies tenants, whose ResourceSet gives each tenant an OCIRepository (its
// components, built in another repository) and a Kustomization at the environment's
// path of it.
func tenantFleet(environment string) map[string]string {
	files := fleet()
	files["clusters/production/kustomization.yaml"] = "apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nresources:\n  - flux-system\n  - tenants.yaml\n"
	files["clusters/production/tenants.yaml"] = fleetKs("tenants", "./tenants")
	files["tenants/apps.yaml"] = `apiVersion: fluxcd.controlplane.io/v1
kind: ResourceSet
metadata:
  name: apps
  namespace: flux-system
spec:
  inputs:
    - tenant: frontend
      environment: ` + environment + `
  resources:
    - apiVersion: source.toolkit.fluxcd.io/v1
      kind: OCIRepository
      metadata:
        name: apps
        namespace: << inputs.tenant >>
      spec:
        interval: 5m
        url: oci://ghcr.io/example/apps/<< inputs.tenant >>
        ref:
          tag: latest
    - apiVersion: kustomize.toolkit.fluxcd.io/v1
      kind: Kustomization
      metadata:
        name: apps
        namespace: << inputs.tenant >>
      spec:
        targetNamespace: << inputs.tenant >>
        interval: 30m
        sourceRef:
          kind: OCIRepository
          name: apps
        path: ./<< inputs.environment >>
        prune: true
`
	return files
}

// TestOfflineSources: a Kustomization on another source (a tenant's OCIRepository) is
// listed as not rendered, never its objects as removed; with the source mapped to a
// checkout (--source), it is rendered at both sides from the checkout, and what the
// fleet changes in it (the environment's path) shows as its objects' changes.
func TestOfflineSources(t *testing.T) {
	repo := gitRepo(t, tenantFleet("staging"))
	writeFiles(t, repo, map[string]string{"tenants/apps.yaml": tenantFleet("production")["tenants/apps.yaml"]})
	components := t.TempDir()
	writeFiles(t, components, map[string]string{
		"staging/kustomization.yaml":    "apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nresources:\n  - config.yaml\n",
		"staging/config.yaml":           configMap("web", "replicas", "\"1\""),
		"production/kustomization.yaml": "apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nresources:\n  - config.yaml\n",
		"production/config.yaml":        configMap("web", "replicas", "\"3\""),
	})
	tenant := func(c Cluster) *KustomizationChange {
		for i, k := range c.Kustomizations {
			if k.Namespace == "frontend" && k.Name == "apps" {
				return &c.Kustomizations[i]
			}
		}
		return nil
	}

	doc, err := Offline(context.Background(), OfflineOptions{Dir: repo, Base: "main"})
	if err != nil {
		t.Fatal(err)
	}
	c := doc.Clusters[0]
	if c.Summary.Removed != 0 || doc.HeadFailed() || !strings.Contains(strings.Join(c.Notes, "\n"), "reads OCIRepository frontend/apps") {
		t.Fatalf("without --source: summary %+v, notes %v: want the tenant noted as not rendered, nothing removed", c.Summary, c.Notes)
	}
	if k := tenant(c); k != nil && len(k.Objects) != 0 {
		t.Fatalf("without --source: the tenant's objects %+v, want none listed", k.Objects)
	}

	doc, err = Offline(context.Background(), OfflineOptions{Dir: repo, Base: "main", Sources: map[string]string{"OCIRepository/frontend/apps": components}})
	if err != nil {
		t.Fatal(err)
	}
	c = doc.Clusters[0]
	if strings.Contains(strings.Join(c.Notes, "\n"), "reads OCIRepository frontend/apps") {
		t.Errorf("with --source: notes %v, want the tenant rendered", c.Notes)
	}
	k := tenant(c)
	if k == nil {
		t.Fatalf("with --source: no change listed for Kustomization frontend/apps in %+v", c.Kustomizations)
	}
	if len(k.Objects) != 1 || k.Objects[0].Kind != "ConfigMap" || k.Objects[0].Name != "web" || k.Objects[0].Namespace != "frontend" || k.Objects[0].Change != Modified ||
		!strings.Contains(k.Objects[0].Diff, `-  replicas: "1"`) || !strings.Contains(k.Objects[0].Diff, `+  replicas: "3"`) {
		t.Errorf("with --source: the tenant's objects %+v, want ConfigMap frontend/web changed from 1 to 3 replicas", k.Objects)
	}
	if c.Summary.Removed != 0 || c.Summary.Added != 0 {
		t.Errorf("with --source: summary %+v, want nothing added or removed", c.Summary)
	}
}
