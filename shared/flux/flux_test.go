package flux

import (
	"context"
	"strings"
	"testing"

	helmv2 "github.com/fluxcd/helm-controller/api/v2"
	kustomizev1 "github.com/fluxcd/kustomize-controller/api/v1"
	sourcev1 "github.com/fluxcd/source-controller/api/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
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

func TestKindOf(t *testing.T) {
	for _, tc := range []struct {
		obj     runtime.Object
		want    string
		wantErr bool
	}{
		{&kustomizev1.Kustomization{}, KindKustomization, false},
		{&helmv2.HelmRelease{}, KindHelmRelease, false},
		{&sourcev1.GitRepository{}, KindGitRepository, false},
		{&sourcev1.OCIRepository{}, KindOCIRepository, false},
		{&sourcev1.Bucket{}, KindBucket, false},
		{&sourcev1.HelmRepository{}, KindHelmRepository, false},
		{&sourcev1.HelmChart{}, KindHelmChart, false},
		{&sourcev1.ExternalArtifact{}, KindExternalArtifact, false},
		// TypeMeta does not decide: the Go type does.
		{&sourcev1.GitRepository{TypeMeta: metav1.TypeMeta{Kind: KindKustomization}}, KindGitRepository, false},
		{&kustomizev1.KustomizationList{}, "", true},
		{&corev1.ConfigMap{}, "", true},
		{&unstructured.Unstructured{}, "", true},
	} {
		got, err := KindOf(tc.obj)
		if got != tc.want || (err != nil) != tc.wantErr {
			t.Errorf("KindOf(%T) = %q, %v; want %q, error %v", tc.obj, got, err, tc.want, tc.wantErr)
		}
	}
}

func TestGetInto(t *testing.T) {
	ks := &unstructured.Unstructured{Object: map[string]any{
		"apiVersion": "kustomize.toolkit.fluxcd.io/v1", "kind": "Kustomization",
		"spec": map[string]any{"path": "./apps", "sourceRef": map[string]any{"kind": "GitRepository", "name": "flux-system"}},
	}}
	ks.SetNamespace("flux-system")
	ks.SetName("apps")
	gvr, _ := GVR(KindKustomization)
	dyn := dynamicfake.NewSimpleDynamicClientWithCustomListKinds(runtime.NewScheme(), map[schema.GroupVersionResource]string{gvr: "KustomizationList"}, ks)
	ctx := context.Background()

	var got kustomizev1.Kustomization
	if err := GetInto(ctx, dyn, "flux-system", "apps", &got); err != nil || got.Spec.Path != "./apps" || got.Spec.SourceRef.Name != "flux-system" {
		t.Fatalf("GetInto = %+v, %v", got.Spec, err)
	}
	// The kind requested follows from the type: a GitRepository of the same name is not there.
	var gr sourcev1.GitRepository
	if err := GetInto(ctx, dyn, "flux-system", "apps", &gr); exitcode.Of(err) != exitcode.NotFound || !strings.Contains(err.Error(), "GitRepository flux-system/apps not found") {
		t.Errorf("GetInto(GitRepository) = %v (code %d)", err, exitcode.Of(err))
	}
	if err := GetInto(ctx, dyn, "flux-system", "apps", &corev1.ConfigMap{}); err == nil || !strings.Contains(err.Error(), "not a Flux") {
		t.Errorf("GetInto(ConfigMap) = %v", err)
	}
}
