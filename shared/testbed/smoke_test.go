package testbed_test

import (
	"context"
	"testing"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"

	"github.com/kubectl-gitops/kubectl-gitops/shared/testbed"
)

var configMaps = schema.GroupVersionResource{Version: "v1", Resource: "configmaps"}

// TestBedSmoke proves the whole bed: a push is seen by source-controller at exactly
// that commit, kustomize-controller applies it with its labels, a second push is applied
// too, and helm-controller installs a chart from the same repository.
func TestBedSmoke(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	bed := testbed.Start(t, testbed.Options{Flux: true})

	repo, err := bed.Git.CreateRepo(ctx, "smoke")
	if err != nil {
		t.Fatal(err)
	}
	files := map[string]string{
		"smoke/cm.yaml": testbed.ConfigMapYAML("default", "smoke", "commit", "first"),
		"helm/web.yaml": testbed.HelmReleaseYAML("default", "web", "./charts/web", testbed.FluxNamespace, "smoke"),
	}
	for k, v := range testbed.ChartFiles("charts/web", "web", "0.1.0") {
		files[k] = v
	}
	first, err := repo.Commit(ctx, "first", files)
	if err != nil {
		t.Fatal(err)
	}
	manifests := testbed.GitRepositoryYAML(testbed.FluxNamespace, "smoke", repo.URL, "main") + "---\n" +
		testbed.KustomizationYAML(testbed.Kustomization{Namespace: testbed.FluxNamespace, Name: "smoke", Path: "./smoke", Source: "smoke"}) + "---\n" +
		testbed.KustomizationYAML(testbed.Kustomization{Namespace: testbed.FluxNamespace, Name: "helm", Path: "./helm", Source: "smoke"})
	if err := bed.Apply(ctx, manifests); err != nil {
		t.Fatal(err)
	}

	src, err := bed.WaitSourceRevision(ctx, "GitRepository", testbed.FluxNamespace, "smoke", first)
	if err != nil {
		t.Fatal(err)
	}
	if rev, _, _ := unstructured.NestedString(src.Object, "status", "artifact", "revision"); rev != "main@sha1:"+first {
		t.Fatalf("GitRepository revision = %q, want main@sha1:%s", rev, first)
	}
	if _, err := bed.WaitApplied(ctx, testbed.FluxNamespace, "smoke", first); err != nil {
		t.Fatal(err)
	}
	cm, err := bed.Dynamic.Resource(configMaps).Namespace("default").Get(ctx, "smoke", metav1.GetOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if got := cm.GetLabels()["kustomize.toolkit.fluxcd.io/name"]; got != "smoke" {
		t.Errorf("ConfigMap label kustomize.toolkit.fluxcd.io/name = %q, want smoke", got)
	}
	if got := cm.GetLabels()["kustomize.toolkit.fluxcd.io/namespace"]; got != testbed.FluxNamespace {
		t.Errorf("ConfigMap label kustomize.toolkit.fluxcd.io/namespace = %q, want %s", got, testbed.FluxNamespace)
	}

	second, err := repo.Commit(ctx, "second", map[string]string{"smoke/cm.yaml": testbed.ConfigMapYAML("default", "smoke", "commit", "second")})
	if err != nil {
		t.Fatal(err)
	}
	if err := bed.Reconcile(ctx, "GitRepository", testbed.FluxNamespace, "smoke"); err != nil {
		t.Fatal(err)
	}
	if _, err := bed.WaitApplied(ctx, testbed.FluxNamespace, "smoke", second); err != nil {
		t.Fatal(err)
	}
	cm, err = bed.Dynamic.Resource(configMaps).Namespace("default").Get(ctx, "smoke", metav1.GetOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if got, _, _ := unstructured.NestedString(cm.Object, "data", "commit"); got != "second" {
		t.Errorf("ConfigMap data.commit = %q after the second commit, want second", got)
	}

	if _, err := bed.WaitReady(ctx, "HelmRelease", "default", "web"); err != nil {
		t.Fatal(err)
	}
	rendered, err := bed.Dynamic.Resource(configMaps).Namespace("default").Get(ctx, "web-config", metav1.GetOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if got := rendered.GetAnnotations()["meta.helm.sh/release-name"]; got != "web" {
		t.Errorf("rendered ConfigMap annotation meta.helm.sh/release-name = %q, want web", got)
	}
	if got := rendered.GetLabels()["helm.toolkit.fluxcd.io/name"]; got != "web" {
		t.Errorf("rendered ConfigMap label helm.toolkit.fluxcd.io/name = %q, want web (labels: %v)", got, rendered.GetLabels())
	}
}

// TestWorkloadFleet checks the multi-cluster bed: Flux in the management cluster
// applies to a second control plane through a kubeConfig Secret, and the controller
// manager of each cluster turns the Deployments into ReplicaSets and Pods.
func TestWorkloadFleet(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	bed := testbed.Start(t, testbed.Options{Flux: true, ControllerManager: true})
	fleet, err := bed.StartDemoFleetWith(ctx, testbed.DemoOptions{Workload: true})
	if err != nil {
		t.Fatal(err)
	}
	pod, rs, err := testbed.WaitOwned(ctx, fleet.Workload.Dynamic, "edge", "gateway")
	if err != nil {
		t.Fatalf("no Pod of edge/gateway in the workload cluster: %v", err)
	}
	t.Logf("workload: pod %s of replicaset %s", pod, rs)
	if _, _, err := testbed.WaitOwned(ctx, bed.Dynamic, "shop", "api"); err != nil {
		t.Fatalf("no Pod of shop/api in the management cluster: %v", err)
	}
	if _, err := bed.Dynamic.Resource(schema.GroupVersionResource{Group: "apps", Version: "v1", Resource: "deployments"}).Namespace("edge").Get(ctx, "gateway", metav1.GetOptions{}); err == nil {
		t.Error("edge/gateway was applied to the management cluster, not only to the workload cluster")
	}
}
