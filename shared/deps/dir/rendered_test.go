package dir

import (
	"context"
	"strings"
	"testing"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
)

// TestWalkKeepsRenderedObjects checks that the walk hands back, per Kustomization,
// the objects it rendered (namespace set by the folder's kustomization.yaml), the
// sync path under the name of the Kustomization applying it, and a failed build as
// an error rather than no objects; and keeps nothing unless asked.
func TestWalkKeepsRenderedObjects(t *testing.T) {
	repo := writeRepo(t, map[string]string{
		"clusters/prod/sync.yaml":   "apiVersion: source.toolkit.fluxcd.io/v1\nkind: GitRepository\nmetadata:\n  name: flux-system\n  namespace: flux-system\nspec:\n  url: https://example.com/x.git\n---\n" + ks("flux-system", "flux-system", "./clusters/prod", ""),
		"clusters/prod/apps.yaml":   ks("apps", "flux-system", "./apps", ""),
		"clusters/prod/broken.yaml": ks("broken", "flux-system", "./broken", ""),
		"apps/kustomization.yaml":   "apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nnamespace: shop\nresources:\n  - cm.yaml\n",
		"apps/cm.yaml":              "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: web\ndata:\n  k: v\n---\napiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\nspec:\n  replicas: 2\n",
		"broken/kustomization.yaml": "apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nresources:\n  - nothing.yaml\n",
	})
	cl, err := Walk(context.Background(), repo, "clusters/prod", Options{KeepObjects: true})
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]Rendered{}
	for _, r := range cl.Rendered {
		got[r.Kustomization.Name] = r
	}
	if len(got) != 3 {
		t.Fatalf("rendered %d Kustomizations: %+v", len(cl.Rendered), cl.Rendered)
	}
	if root := got["flux-system"]; root.Path != "clusters/prod" || len(root.Objects) != 4 || !strings.HasSuffix(root.File, "sync.yaml") {
		t.Errorf("root: path %s, %d objects, file %s", root.Path, len(root.Objects), root.File)
	}
	if apps := got["apps"]; len(apps.Objects) != 2 || apps.Objects[0].GetNamespace() != "shop" || apps.Error != "" {
		t.Errorf("apps: %+v", apps)
	} else {
		// kustomize's maps hold Go ints: kept as JSON numbers, DeepCopy must not panic.
		if r, _, _ := unstructured.NestedInt64(apps.Objects[1].DeepCopy().Object, "spec", "replicas"); r != 2 {
			t.Errorf("replicas %d", r)
		}
	}
	if broken := got["broken"]; broken.Error == "" || len(broken.Objects) != 0 {
		t.Errorf("broken: %+v", broken)
	}
	plain, err := Walk(context.Background(), repo, "clusters/prod", Options{})
	if err != nil {
		t.Fatal(err)
	}
	if plain.Rendered != nil {
		t.Errorf("objects kept unasked: %d", len(plain.Rendered))
	}
}
