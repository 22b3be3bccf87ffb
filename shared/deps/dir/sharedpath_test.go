package dir

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/kubectl-gitops/kubectl-gitops/shared/deps"
)

// sharedPathFleet is the layout of a fleet whose clusters or tenants share one app
// folder: Kustomizations build ./apps/podinfo (a kustomization.yaml reading ../base)
// each with components or patches of its own, and another builds ./apps/base itself
// with a patch. Every build must see the folder as Git holds it, as each of Flux's
// builds starts from a fresh copy of the artifact.
func sharedPathFleet() map[string]string {
	hr := func(name string) string {
		return "apiVersion: helm.toolkit.fluxcd.io/v2\nkind: HelmRelease\nmetadata:\n  name: " + name + "\nspec:\n  interval: 1h\n  chart:\n    spec:\n      chart: " + name + "\n      sourceRef:\n        kind: HelmRepository\n        name: charts\n        namespace: flux-system\n"
	}
	dependsOn := func(target string) string {
		return "    - target:\n        kind: HelmRelease\n        name: podinfo\n      patch: |\n        - op: add\n          path: /spec/dependsOn\n          value:\n            - name: " + target + "\n"
	}
	return map[string]string{
		"clusters/prod/flux-system/gotk-sync.yaml": "apiVersion: source.toolkit.fluxcd.io/v1\nkind: GitRepository\nmetadata:\n  name: flux-system\n  namespace: flux-system\nspec:\n  url: https://example.com/fleet\n---\n" +
			ks("flux-system", "flux-system", "./clusters/prod", ""),
		"clusters/prod/frontend.yaml": ks("podinfo-frontend", "flux-system", "./apps/podinfo",
			"  targetNamespace: frontend\n  components:\n    - ../../components/redis\n  patches:\n"+dependsOn("redis")),
		"clusters/prod/backend.yaml": ks("podinfo-backend", "flux-system", "./apps/podinfo",
			"  targetNamespace: backend\n  components:\n    - ../../components/redis\n    - ../../components/memcached\n  patches:\n"+dependsOn("memcached")),
		"clusters/prod/base.yaml": ks("podinfo-base", "flux-system", "./apps/base",
			"  targetNamespace: base\n  patches:\n"+dependsOn("base-only")),
		"apps/base/kustomization.yaml":            "apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nresources:\n  - podinfo.yaml\n",
		"apps/base/podinfo.yaml":                  hr("podinfo"),
		"apps/podinfo/kustomization.yaml":         "apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nresources:\n  - ../base\n",
		"components/redis/kustomization.yaml":     "apiVersion: kustomize.config.k8s.io/v1alpha1\nkind: Component\nresources:\n  - redis.yaml\n",
		"components/redis/redis.yaml":             hr("redis"),
		"components/memcached/kustomization.yaml": "apiVersion: kustomize.config.k8s.io/v1alpha1\nkind: Component\nresources:\n  - memcached.yaml\n",
		"components/memcached/memcached.yaml":     hr("memcached"),
	}
}

// TestWalkSharedPath: three Kustomizations build the same folders with components
// and patches of their own; each gets what its own build gives (no "already
// registered id" from a sibling's components, no sibling's patch), and the
// repository's kustomization.yaml files are as Git holds them afterwards.
func TestWalkSharedPath(t *testing.T) {
	files := sharedPathFleet()
	repo := writeRepo(t, files)
	cl, err := Walk(t.Context(), repo, "clusters/prod", Options{})
	if err != nil {
		t.Fatal(err)
	}
	if len(cl.Errors) > 0 {
		t.Fatalf("errors: %v", cl.Errors)
	}
	want := strings.Join([]string{
		"HelmRelease backend/memcached",
		"HelmRelease backend/podinfo ->backend/memcached",
		"HelmRelease backend/redis",
		"HelmRelease base/podinfo ->base/base-only",
		"HelmRelease frontend/podinfo ->frontend/redis",
		"HelmRelease frontend/redis",
		"Kustomization flux-system/flux-system",
		"Kustomization flux-system/podinfo-backend",
		"Kustomization flux-system/podinfo-base",
		"Kustomization flux-system/podinfo-frontend",
	}, "\n")
	if got := ids(cl.Nodes); got != want {
		t.Errorf("nodes\n%s\nwant\n%s", got, want)
	}
	if r := deps.Analyze(context.Background(), cl.Nodes); len(r.Missing) != 1 || r.Missing[0].Target.Name != "base-only" {
		t.Errorf("missing %+v, want base/base-only alone", r.Missing)
	}
	for _, p := range []string{"apps/base/kustomization.yaml", "apps/podinfo/kustomization.yaml"} {
		if data, err := os.ReadFile(filepath.Join(repo, p)); err != nil || string(data) != files[p] {
			t.Errorf("%s changed in the repository: %q, %v", p, data, err)
		}
	}
}
