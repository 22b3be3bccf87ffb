package flux

import (
	"context"
	"strings"
	"testing"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
	dynamicfake "k8s.io/client-go/dynamic/fake"

	"github.com/kubectl-gitops/kubectl-gitops/shared/exitcode"
)

func TestGetAndList(t *testing.T) {
	ks := &unstructured.Unstructured{Object: map[string]any{"apiVersion": "kustomize.toolkit.fluxcd.io/v1", "kind": "Kustomization"}}
	ks.SetNamespace("flux-system")
	ks.SetName("apps")
	gvr, _ := GVR(KindKustomization)
	dyn := dynamicfake.NewSimpleDynamicClientWithCustomListKinds(runtime.NewScheme(), map[schema.GroupVersionResource]string{gvr: "KustomizationList"}, ks)
	ctx := context.Background()

	if u, err := Get(ctx, dyn, KindKustomization, "flux-system", "apps"); err != nil || u.GetName() != "apps" {
		t.Fatalf("Get = %v, %v", u, err)
	}
	_, err := Get(ctx, dyn, KindKustomization, "flux-system", "nope")
	if exitcode.Of(err) != exitcode.NotFound || !strings.Contains(err.Error(), "Kustomization flux-system/nope not found: list them with 'kubectl get kustomizations -A'") {
		t.Errorf("missing object: %v (code %d)", err, exitcode.Of(err))
	}
	if _, err := Get(ctx, dyn, "Deployment", "shop", "api"); exitcode.Of(err) != exitcode.Usage {
		t.Errorf("not a Flux kind: %v", err)
	}
	n := 0
	if err := List(ctx, dyn, KindKustomization, "", func(*unstructured.Unstructured) error { n++; return nil }); err != nil || n != 1 {
		t.Errorf("List = %d, %v", n, err)
	}
}

func TestRefNamespace(t *testing.T) {
	if RefNamespace("", "apps") != "apps" || RefNamespace("infra", "apps") != "infra" {
		t.Error("RefNamespace does not default to the referring object's namespace")
	}
}
