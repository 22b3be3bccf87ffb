package dir

import (
	"context"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/kubectl-gitops/kubectl-gitops/shared/deps"
)

func writeRepo(t *testing.T, files map[string]string) string {
	t.Helper()
	root := t.TempDir()
	for p, c := range files {
		full := filepath.Join(root, filepath.FromSlash(p))
		if err := os.MkdirAll(filepath.Dir(full), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(full, []byte(c), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return root
}

func ks(name, ns, path, extra string) string {
	s := "apiVersion: kustomize.toolkit.fluxcd.io/v1\nkind: Kustomization\nmetadata:\n  name: " + name + "\n"
	if ns != "" {
		s += "  namespace: " + ns + "\n"
	}
	return s + "spec:\n  interval: 10m\n  path: " + path + "\n  prune: true\n  sourceRef:\n    kind: GitRepository\n    name: flux-system\n    namespace: flux-system\n" + extra
}

func ids(nodes []deps.Node) string {
	var out []string
	for _, n := range nodes {
		s := string(n.Kind) + " " + n.Namespace + "/" + n.Name
		for _, d := range n.DependsOn {
			s += " ->" + d.Namespace + "/" + d.Name
		}
		out = append(out, s)
	}
	sort.Strings(out)
	return strings.Join(out, "\n")
}

// homeOps is the layout of the home-ops repositories, for one cluster: the root
// applies kubernetes/apps, whose kustomization.yaml per namespace sets namespace:,
// and each app's ks.yaml (no namespace) pulls a component adding dependsOn with a
// ${VAR:=default}, substituted from the parent's postBuild and cluster-settings.
func homeOps() map[string]string {
	return map[string]string{
		"kubernetes/flux/cluster/ks.yaml": ks("cluster-apps", "flux-system", "./kubernetes/apps",
			"  postBuild:\n    substituteFrom:\n      - kind: ConfigMap\n        name: cluster-settings\n"),
		"kubernetes/flux/cluster/settings.yaml":      "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: cluster-settings\n  namespace: flux-system\ndata:\n  CLUSTER: home\n",
		"kubernetes/flux/cluster/kustomization.yaml": "apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nresources:\n  - ks.yaml\n  - settings.yaml\n  - sync.yaml\n",
		"kubernetes/flux/cluster/sync.yaml": "apiVersion: source.toolkit.fluxcd.io/v1\nkind: GitRepository\nmetadata:\n  name: flux-system\n  namespace: flux-system\nspec:\n  interval: 1m\n  url: https://example.com/home-ops\n  ref:\n    branch: main\n---\n" +
			ks("flux-system", "flux-system", "./kubernetes/flux/cluster", ""),
		"kubernetes/apps/database/kustomization.yaml": "apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nnamespace: database\nresources:\n  - ./cnpg/ks.yaml\n  # - ./old/ks.yaml\n",
		"kubernetes/apps/database/cnpg/ks.yaml":       ks("cnpg", "", "./kubernetes/apps/database/cnpg/app", "  targetNamespace: database\n"),
		"kubernetes/apps/database/old/ks.yaml":        ks("old", "", "./kubernetes/apps/database/old/app", "  dependsOn:\n    - name: gone\n"),
		"kubernetes/apps/database/cnpg/app/hr.yaml":   "apiVersion: helm.toolkit.fluxcd.io/v2\nkind: HelmRelease\nmetadata:\n  name: cnpg\nspec:\n  interval: 1h\n  chart:\n    spec:\n      chart: cnpg\n      sourceRef:\n        kind: HelmRepository\n        name: cnpg\n",
		"kubernetes/apps/default/kustomization.yaml":  "apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nnamespace: default\nresources:\n  - ./app/ks.yaml\n",
		"kubernetes/apps/default/app/ks.yaml": ks("app-${CLUSTER}", "", "./kubernetes/apps/default/app/app",
			"  postBuild:\n    substitute:\n      APP: app\n") +
			"---\n" + "apiVersion: kustomize.config.k8s.io/v1alpha1\nkind: Component\n",
		"kubernetes/apps/default/app/app/cm.yaml":       "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: ${APP}\n",
		"kubernetes/components/deps/kustomization.yaml": "apiVersion: kustomize.config.k8s.io/v1alpha1\nkind: Component\npatches:\n  - target:\n      kind: Kustomization\n    patch: |-\n      - op: add\n        path: /spec/dependsOn/-\n        value:\n          name: cnpg\n          namespace: ${DB_NS:=database}\n",
	}
}

func TestWalkHomeOps(t *testing.T) {
	files := homeOps()
	// The app's ks.yaml is a plain Kustomization; its dependsOn comes from the component.
	files["kubernetes/apps/default/app/ks.yaml"] = ks("app-${CLUSTER}", "", "./kubernetes/apps/default/app/app", "  dependsOn: []\n  postBuild:\n    substitute:\n      APP: app\n")
	files["kubernetes/apps/default/kustomization.yaml"] = "apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nnamespace: default\nresources:\n  - ./app/ks.yaml\ncomponents:\n  - ../../components/deps\n"
	repo := writeRepo(t, files)
	cl, err := Walk(repo, "kubernetes/flux/cluster", Options{})
	if err != nil {
		t.Fatal(err)
	}
	if len(cl.Errors) > 0 {
		t.Fatalf("errors: %v", cl.Errors)
	}
	want := strings.Join([]string{
		"HelmRelease database/cnpg",
		"Kustomization database/cnpg",
		"Kustomization default/app-home ->database/cnpg",
		"Kustomization flux-system/cluster-apps",
		"Kustomization flux-system/flux-system",
	}, "\n")
	if got := ids(cl.Nodes); got != want {
		t.Errorf("nodes\n%s\nwant\n%s", got, want)
	}
	for _, n := range cl.Nodes {
		if n.Name == "cnpg" && n.Kind == deps.KindHelmRelease && n.AppliedBy.Name != "cnpg" {
			t.Errorf("HelmRelease cnpg applied by %v", n.AppliedBy)
		}
		if n.Name == "cnpg" && n.Kind == deps.KindKustomization && !strings.HasSuffix(n.File, "cnpg/ks.yaml") {
			t.Errorf("Kustomization cnpg is written at %s", n.File)
		}
	}
	r := deps.Analyze(context.Background(), cl.Nodes)
	if len(r.Missing) != 0 {
		t.Errorf("missing %+v", r.Missing)
	}
}

// TestWalkSourceIgnoreAndOtherSources: a stale copy a .sourceignore hides is not
// applied, nor a folder the GitRepository's spec.ignore names; a Kustomization on another source is listed, not rendered; a variable from
// a Secret the repository does not hold stays unknown.
func TestWalkSourceIgnoreAndOtherSources(t *testing.T) {
	repo := writeRepo(t, map[string]string{
		".sourceignore": "stale/\n",
		"clusters/prod/sync.yaml": "apiVersion: source.toolkit.fluxcd.io/v1\nkind: GitRepository\nmetadata:\n  name: flux-system\n  namespace: flux-system\nspec:\n  url: https://example.com/fleet\n  ignore: |\n    /drafts/\n---\n" +
			ks("flux-system", "flux-system", "./clusters/prod", ""),
		"clusters/prod/drafts.yaml": ks("drafts", "flux-system", "./drafts", ""),
		"drafts/ks.yaml":            ks("draft", "flux-system", "./nowhere", "  dependsOn:\n    - name: nothing-either\n"),
		"clusters/prod/apps.yaml":   ks("apps", "flux-system", "./apps", "  postBuild:\n    substituteFrom:\n      - kind: Secret\n        name: not-in-git\n"),
		"clusters/prod/oci.yaml":    strings.Replace(ks("vendor", "flux-system", "./", ""), "kind: GitRepository\n    name: flux-system", "kind: OCIRepository\n    name: vendor", 1),
		"apps/ks.yaml":              ks("web", "flux-system", "./web", "  dependsOn:\n    - name: db-${ENV}\n"),
		"web/cm.yaml":               "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: web\n  namespace: default\n",
		"stale/apps.yaml":           ks("apps", "flux-system", "./stale", "  dependsOn:\n    - name: nothing\n"),
	})
	cl, err := Walk(repo, "clusters/prod", Options{})
	if err != nil {
		t.Fatal(err)
	}
	if len(cl.Unrendered) != 1 || !strings.Contains(cl.Unrendered[0], "flux-system/vendor reads OCIRepository") {
		t.Errorf("unrendered %v", cl.Unrendered)
	}
	if strings.Join(cl.Unknown, ",") != "ENV" {
		t.Errorf("unknown %v", cl.Unknown)
	}
	if got := ids(cl.Nodes); !strings.Contains(got, "Kustomization flux-system/web ->flux-system/db-${ENV}") || strings.Contains(got, "nothing") || strings.Contains(got, "draft ") {
		t.Errorf("nodes %s", got)
	}
}

// TestRootsAndClusters: a repository with two clusters in the bootstrap layout and a
// FluxInstance one; each is walked on its own, so the duplicate names of staging and
// production do not hide staging's broken dependency.
func TestRootsAndClusters(t *testing.T) {
	sync := func(cluster string) string {
		return "apiVersion: source.toolkit.fluxcd.io/v1\nkind: GitRepository\nmetadata:\n  name: flux-system\n  namespace: flux-system\nspec:\n  url: https://example.com/fleet\n---\n" +
			ks("flux-system", "flux-system", "./clusters/"+cluster, "")
	}
	repo := writeRepo(t, map[string]string{
		"clusters/production/flux-system/gotk-sync.yaml": sync("production"),
		"clusters/production/apps.yaml":                  ks("apps", "flux-system", "./apps/production", "  dependsOn:\n    - name: infra\n"),
		"clusters/production/infra.yaml":                 ks("infra", "flux-system", "./infra", ""),
		"clusters/staging/flux-system/gotk-sync.yaml":    sync("staging"),
		"clusters/staging/apps.yaml":                     ks("apps", "flux-system", "./apps/staging", "  dependsOn:\n    - name: infrastructure\n"),
		"clusters/staging/infra.yaml":                    ks("infra", "flux-system", "./infra", ""),
		"apps/production/cm.yaml":                        "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: a\n  namespace: default\n",
		"apps/staging/cm.yaml":                           "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: a\n  namespace: default\n",
		"infra/cm.yaml":                                  "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: i\n  namespace: default\n",
		"operator/instance.yaml":                         "apiVersion: fluxcd.controlplane.io/v1\nkind: FluxInstance\nmetadata:\n  name: flux\n  namespace: flux-system\nspec:\n  sync:\n    kind: GitRepository\n    url: https://example.com/fleet\n    path: clusters/edge\n",
		"clusters/edge/infra.yaml":                       ks("infra", "flux-system", "./infra", ""),
	})
	roots := Roots(repo, Options{})
	if got := strings.Join(roots, ","); got != "clusters/edge,clusters/production,clusters/staging" {
		t.Fatalf("roots %s", got)
	}
	missing := map[string]int{}
	for _, root := range roots {
		cl, err := Walk(repo, root, Options{})
		if err != nil {
			t.Fatal(err)
		}
		missing[root] = len(deps.Analyze(context.Background(), cl.Nodes).Missing)
		for _, n := range cl.Nodes {
			if n.Name == "apps" && !strings.Contains(filepath.ToSlash(n.File), root+"/") {
				t.Errorf("%s: apps is said to be written at %s, another cluster's copy", root, n.File)
			}
		}
	}
	if missing["clusters/staging"] != 1 || missing["clusters/production"] != 0 || missing["clusters/edge"] != 0 {
		t.Errorf("missing per cluster %v: only staging is broken", missing)
	}
}

// TestWalkResourceSet expands a flux-operator ResourceSet with inline inputs: the
// Kustomizations it creates join the graph (and are rendered in turn), its dependsOn
// on a Kustomization is an edge, and one with inputs from a provider is listed as not
// expanded.
func TestWalkResourceSet(t *testing.T) {
	rs := `apiVersion: fluxcd.controlplane.io/v1
kind: ResourceSet
metadata:
  name: tenants
  namespace: flux-system
spec:
  dependsOn:
    - apiVersion: kustomize.toolkit.fluxcd.io/v1
      kind: Kustomization
      name: infra
    - apiVersion: apiextensions.k8s.io/v1
      kind: CustomResourceDefinition
      name: widgets.example.com
  inputs:
    - tenant: team-a
    - tenant: team-b
  resources:
    - apiVersion: kustomize.toolkit.fluxcd.io/v1
      kind: Kustomization
      metadata:
        name: << inputs.tenant >>
        namespace: flux-system
      spec:
        interval: 10m
        path: ./tenants/<< inputs.tenant | lower >>
        prune: true
        sourceRef:
          kind: GitRepository
          name: flux-system
        dependsOn:
          - name: platform
---
apiVersion: fluxcd.controlplane.io/v1
kind: ResourceSet
metadata:
  name: previews
  namespace: flux-system
spec:
  inputsFrom:
    - kind: ResourceSetInputProvider
      name: pull-requests
  resources: []
`
	repo := writeRepo(t, map[string]string{
		"clusters/prod/sync.yaml":    ks("flux-system", "flux-system", "./clusters/prod", ""),
		"clusters/prod/infra.yaml":   ks("infra", "flux-system", "./infra", ""),
		"clusters/prod/tenants.yaml": rs,
		"infra/cm.yaml":              "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: i\n  namespace: default\n",
		"tenants/team-a/hr.yaml":     "apiVersion: helm.toolkit.fluxcd.io/v2\nkind: HelmRelease\nmetadata:\n  name: app-a\n  namespace: team-a\n",
		"tenants/team-b/hr.yaml":     "apiVersion: helm.toolkit.fluxcd.io/v2\nkind: HelmRelease\nmetadata:\n  name: app-b\n  namespace: team-b\n",
	})
	cl, err := Walk(repo, "clusters/prod", Options{})
	if err != nil {
		t.Fatal(err)
	}
	want := strings.Join([]string{
		"HelmRelease team-a/app-a",
		"HelmRelease team-b/app-b",
		"Kustomization flux-system/flux-system",
		"Kustomization flux-system/infra",
		"Kustomization flux-system/team-a ->flux-system/platform",
		"Kustomization flux-system/team-b ->flux-system/platform",
		"ResourceSet flux-system/previews",
		"ResourceSet flux-system/tenants ->flux-system/infra",
	}, "\n")
	if got := ids(cl.Nodes); got != want {
		t.Errorf("nodes\n%s\nwant\n%s", got, want)
	}
	if len(cl.Unrendered) != 1 || !strings.Contains(cl.Unrendered[0], "ResourceSet flux-system/previews is not expanded: its inputs come from ResourceSetInputProviders") {
		t.Errorf("unrendered %v", cl.Unrendered)
	}
	r := deps.Analyze(context.Background(), cl.Nodes)
	if len(r.Missing) != 2 || r.Missing[0].Target.Name != "platform" {
		t.Errorf("missing %+v", r.Missing)
	}
	if i, ok := r.Lookup(deps.NodeID{Kind: deps.KindResourceSet, Namespace: "flux-system", Name: "tenants"}); !ok || len(r.Entries[i].Dependencies) != 1 {
		t.Errorf("the ResourceSet's dependsOn on infra is not an edge")
	}
	for _, n := range cl.Nodes {
		if n.Name == "team-a" && n.AppliedBy.Kind != deps.KindResourceSet {
			t.Errorf("team-a applied by %v", n.AppliedBy)
		}
	}
}

// TestWalkSourceMapAndHostileFiles: --source renders a child on another source from a
// local checkout; a FIFO, a link to /dev/zero and an oversized file in the repository
// are recorded and never read, so the walk ends at once.
func TestWalkSourceMapAndHostileFiles(t *testing.T) {
	vendor := writeRepo(t, map[string]string{"hr.yaml": "apiVersion: helm.toolkit.fluxcd.io/v2\nkind: HelmRelease\nmetadata:\n  name: vendored\n  namespace: default\n"})
	repo := writeRepo(t, map[string]string{
		"clusters/prod/sync.yaml": ks("flux-system", "flux-system", "./clusters/prod", ""),
		"clusters/prod/oci.yaml":  strings.Replace(ks("vendor", "flux-system", "./", ""), "kind: GitRepository\n    name: flux-system", "kind: OCIRepository\n    name: vendor", 1),
	})
	if err := syscall.Mkfifo(filepath.Join(repo, "clusters/prod/fifo.yaml"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink("/dev/zero", filepath.Join(repo, "clusters/prod/zero.yaml")); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(repo, "clusters/prod/huge.yaml"), make([]byte, 17<<20), 0o644); err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	cl, err := Walk(repo, "clusters/prod", Options{Sources: map[string]string{"OCIRepository/flux-system/vendor": vendor}})
	if err != nil {
		t.Fatal(err)
	}
	if d := time.Since(start); d > 10*time.Second {
		t.Errorf("the walk took %s", d)
	}
	if got := ids(cl.Nodes); !strings.Contains(got, "HelmRelease default/vendored") || len(cl.Unrendered) != 0 {
		t.Errorf("the mapped source was not rendered: %s %v", got, cl.Unrendered)
	}
	var refused []string
	for _, e := range cl.Errors {
		refused = append(refused, filepath.Base(e.File))
	}
	sort.Strings(refused)
	if strings.Join(refused, ",") != "fifo.yaml,huge.yaml,zero.yaml" {
		t.Errorf("refused %v", refused)
	}
}
