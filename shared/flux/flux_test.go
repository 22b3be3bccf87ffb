package flux

import (
	"context"
	"errors"
	"strings"
	"testing"

	helmv2 "github.com/fluxcd/helm-controller/api/v2"
	kustomizev1 "github.com/fluxcd/kustomize-controller/api/v1"
	sourcev1 "github.com/fluxcd/source-controller/api/v1"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
	discoveryfake "k8s.io/client-go/discovery/fake"
	dynamicfake "k8s.io/client-go/dynamic/fake"
	clienttesting "k8s.io/client-go/testing"

	"github.com/kubectl-gitops/kubectl-gitops/shared/cluster"
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

// TestNotFoundAsksDiscovery: kube-apiserver answers a GET of a named object of a type
// it does not serve with the same NotFound as a missing object, so only discovery can
// tell "Flux is not installed" (8) from "no such Kustomization" (3); it is asked on a
// NotFound only.
func TestNotFoundAsksDiscovery(t *testing.T) {
	ks := &unstructured.Unstructured{Object: map[string]any{"apiVersion": "kustomize.toolkit.fluxcd.io/v1", "kind": "Kustomization"}}
	ks.SetNamespace("flux-system")
	ks.SetName("apps")
	served := func(gv string, resources ...string) *metav1.APIResourceList {
		l := &metav1.APIResourceList{GroupVersion: gv}
		for _, r := range resources {
			l.APIResources = append(l.APIResources, metav1.APIResource{Name: r, Namespaced: true})
		}
		return l
	}
	kustomize := served("kustomize.toolkit.fluxcd.io/v1", "kustomizations", "kustomizations/status")
	for _, tc := range []struct {
		name      string
		resources []*metav1.APIResourceList
		// discoveryErr, when set, is what discovery answers instead.
		discoveryErr error
		kind, obj    string
		want         exitcode.Code
		// asks is whether discovery must have been asked.
		asks bool
	}{
		{name: "found: discovery not asked", resources: nil, kind: KindKustomization, obj: "apps", want: exitcode.OK},
		{name: "group not served", resources: nil, kind: KindKustomization, obj: "nope", want: exitcode.FluxNotInstalled, asks: true},
		{name: "served, object missing", resources: []*metav1.APIResourceList{kustomize}, kind: KindKustomization, obj: "nope", want: exitcode.NotFound, asks: true},
		{name: "group served without the kind", resources: []*metav1.APIResourceList{served("source.toolkit.fluxcd.io/v1", "gitrepositories")},
			kind: KindExternalArtifact, obj: "nope", want: exitcode.FluxNotInstalled, asks: true},
		{name: "discovery fails: the NotFound stands", discoveryErr: apierrors.NewInternalError(errors.New("etcd is down")),
			kind: KindKustomization, obj: "nope", want: exitcode.NotFound, asks: true},
		{name: "discovery forbidden: the NotFound stands", discoveryErr: apierrors.NewForbidden(schema.GroupResource{}, "", errors.New("no")),
			kind: KindKustomization, obj: "nope", want: exitcode.NotFound, asks: true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			disc := &discoveryfake.FakeDiscovery{Fake: &clienttesting.Fake{Resources: tc.resources}}
			if tc.discoveryErr != nil {
				disc.AddReactor("*", "*", func(clienttesting.Action) (bool, runtime.Object, error) { return true, nil, tc.discoveryErr })
			}
			gvr, _ := GVR(KindKustomization)
			fake := dynamicfake.NewSimpleDynamicClientWithCustomListKinds(runtime.NewScheme(), map[schema.GroupVersionResource]string{gvr: "KustomizationList"}, ks)
			dyn := cluster.WithDiscovery(fake, disc)

			_, err := Get(context.Background(), dyn, tc.kind, "flux-system", tc.obj)
			if got := exitcode.Of(err); got != tc.want {
				t.Fatalf("Get = %v (code %d), want code %d", err, got, tc.want)
			}
			if tc.want == exitcode.FluxNotInstalled && (!IsNotInstalled(err) || !strings.Contains(err.Error(), "Flux is not installed in this cluster")) {
				t.Errorf("Get = %v, want ErrNotInstalled", err)
			}
			if tc.want == exitcode.NotFound && !strings.Contains(err.Error(), tc.kind+" flux-system/nope not found") {
				t.Errorf("Get = %v, want the object's not-found message", err)
			}
			if asked := len(disc.Actions()) > 0; asked != tc.asks {
				t.Errorf("discovery asked = %v, want %v (actions %v)", asked, tc.asks, disc.Actions())
			}
		})
	}
}

// TestPatchNotInstalled: a write to a named object asks discovery the same way.
func TestPatchNotInstalled(t *testing.T) {
	disc := &discoveryfake.FakeDiscovery{Fake: &clienttesting.Fake{}}
	dyn := cluster.WithDiscovery(dynamicfake.NewSimpleDynamicClient(runtime.NewScheme()), disc)
	err := Patch(context.Background(), dyn, KindKustomization, "flux-system", "apps", "", map[string]any{"spec": map[string]any{"suspend": true}}, false)
	if !IsNotInstalled(err) || exitcode.Of(err) != exitcode.FluxNotInstalled {
		t.Errorf("Patch = %v (code %d), want Flux not installed", err, exitcode.Of(err))
	}
}
