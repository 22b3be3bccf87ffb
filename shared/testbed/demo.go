package testbed

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/kubectl-gitops/kubectl-gitops/shared/status"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
)

// Fleet is a sample repository layout as `flux bootstrap` leaves it: a root
// Kustomization flux-system over clusters/<cluster>, which applies the infrastructure
// and apps Kustomizations (apps dependsOn infrastructure); apps holds a Deployment and a
// HelmRelease whose chart lives in the same repository.
type Fleet struct {
	Repo *Repo
	// Commit is the SHA of main's head, the commit applied: a release of the api on top
	// of Stable.
	Commit string
	// Stable is the fleet's first commit, where stable-release points: the revision
	// every rollback example goes back to.
	Stable string
	// Workload is the workload cluster of a multi-cluster fleet (nil otherwise), and
	// Kubeconfig a kubeconfig with the contexts management (current) and workload-1.
	Workload   *Workload
	Kubeconfig string
}

// DemoOptions choose the parts of the demo fleet.
type DemoOptions struct {
	// Workload adds a workload cluster, workload-1, that the management cluster's Flux
	// applies to: Kustomization fleet/workload-apps with spec.kubeConfig, in the same
	// repository (clusters/demo/workloads.yaml).
	Workload bool
}

// Names of the multi-cluster demo.
const (
	DemoWorkload          = "workload-1"
	DemoWorkloadNamespace = "fleet"
)

// WorkloadFiles returns the files of the management cluster's part of the fleet that
// apply to the workload cluster: namespace fleet, Kustomization fleet/workload-apps
// (kubeConfig Secret workload-1-kubeconfig) and what it applies there, a namespace
// edge with a Deployment and a ConfigMap; and HelmRelease fleet/edge-web installing the
// fleet's web chart into edge there.
func WorkloadFiles() map[string]string {
	return map[string]string{
		"clusters/demo/workloads.yaml": "apiVersion: v1\nkind: Namespace\nmetadata:\n  name: " + DemoWorkloadNamespace + "\n---\n" +
			KustomizationYAML(Kustomization{
				Namespace: DemoWorkloadNamespace, Name: "workload-apps", Path: "./workloads/" + DemoWorkload + "/apps",
				Source: "flux-system", SourceNamespace: FluxNamespace, KubeConfigSecret: DemoWorkload + "-kubeconfig",
			}),
		// A chart the management cluster installs into workload-1 (helm-controller's own
		// kubeConfig support): its objects name a HelmRelease workload-1 does not hold.
		"clusters/demo/workload-web.yaml": `apiVersion: helm.toolkit.fluxcd.io/v2
kind: HelmRelease
metadata:
  name: edge-web
  namespace: ` + DemoWorkloadNamespace + `
spec:
  interval: 1m
  releaseName: edge-web
  targetNamespace: edge
  storageNamespace: edge
  install:
    createNamespace: true
  kubeConfig:
    secretRef:
      name: ` + DemoWorkload + `-kubeconfig
  chart:
    spec:
      chart: ./charts/web
      reconcileStrategy: Revision
      sourceRef:
        kind: GitRepository
        name: flux-system
        namespace: ` + FluxNamespace + `
`,
		"workloads/" + DemoWorkload + "/apps/kustomization.yaml": `apiVersion: kustomize.config.k8s.io/v1beta1
kind: Kustomization
namespace: edge
resources:
  - namespace.yaml
  - deployment.yaml
  - config.yaml
`,
		"workloads/" + DemoWorkload + "/apps/namespace.yaml": "apiVersion: v1\nkind: Namespace\nmetadata:\n  name: edge\n",
		"workloads/" + DemoWorkload + "/apps/deployment.yaml": `apiVersion: apps/v1
kind: Deployment
metadata:
  name: gateway
spec:
  replicas: 1
  selector:
    matchLabels:
      app: gateway
  template:
    metadata:
      labels:
        app: gateway
    spec:
      containers:
        - name: gateway
          image: registry.example.com/edge/gateway:2.0.0
`,
		"workloads/" + DemoWorkload + "/apps/config.yaml": ConfigMapYAML("edge", "gateway-config", "upstream", "shop"),
	}
}

// DemoFleetFiles returns the files of the sample fleet, in the `flux bootstrap`
// layout: clusters/demo/flux-system holds the GitRepository (of url) and the root
// Kustomization that apply themselves.
func DemoFleetFiles(url string) map[string]string {
	files := map[string]string{
		"clusters/demo/flux-system/gotk-sync.yaml": BootstrapYAML(url, "./clusters/demo"),
		"clusters/demo/infrastructure.yaml": KustomizationYAML(Kustomization{
			Namespace: FluxNamespace, Name: "infrastructure", Path: "./infrastructure", Source: "flux-system",
		}),
		"clusters/demo/apps.yaml": KustomizationYAML(Kustomization{
			Namespace: FluxNamespace, Name: "apps", Path: "./apps", Source: "flux-system", DependsOn: []string{"infrastructure"},
		}),
		"infrastructure/namespace.yaml": "apiVersion: v1\nkind: Namespace\nmetadata:\n  name: shop\n",
		"infrastructure/rbac.yaml": `apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata:
  name: shop:reader
rules:
  - apiGroups: [""]
    resources: ["configmaps"]
    verbs: ["get", "list"]
`,
		"infrastructure/platform-config.yaml": ConfigMapYAML("shop", "platform-config", "region", "local"),
		"apps/kustomization.yaml": `apiVersion: kustomize.config.k8s.io/v1beta1
kind: Kustomization
resources:
  - deployment.yaml
  - web.yaml
`,
		"apps/deployment.yaml": `apiVersion: apps/v1
kind: Deployment
metadata:
  name: api
  namespace: shop
spec:
  replicas: 1
  selector:
    matchLabels:
      app: api
  template:
    metadata:
      labels:
        app: api
    spec:
      containers:
        - name: api
          image: registry.example.com/shop/api:1.0.0
`,
		"apps/web.yaml": HelmReleaseYAML("shop", "web", "./charts/web", FluxNamespace, "flux-system"),
	}
	for k, v := range ChartFiles("charts/web", "web", "0.1.0") {
		files[k] = v
	}
	return files
}

// BootstrapYAML returns the root GitRepository and Kustomization named flux-system that
// `flux bootstrap` would create, pointing at url and path.
func BootstrapYAML(url, path string) string {
	return GitRepositoryYAML(FluxNamespace, "flux-system", url, "main") + "---\n" +
		KustomizationYAML(Kustomization{Namespace: FluxNamespace, Name: "flux-system", Path: path, Source: "flux-system"})
}

// StartDemoFleet pushes the sample fleet to a new repository "fleet" (branches main and
// stable-release), bootstraps Flux on it and waits until every Kustomization and the
// HelmRelease are Ready at that commit.
func (b *Bed) StartDemoFleet(ctx context.Context) (*Fleet, error) {
	return b.StartDemoFleetWith(ctx, DemoOptions{})
}

// StartDemoFleetWith is StartDemoFleet with the parts opts adds.
func (b *Bed) StartDemoFleetWith(ctx context.Context, opts DemoOptions) (*Fleet, error) {
	repo, err := b.Git.CreateRepo(ctx, "fleet")
	if err != nil {
		return nil, err
	}
	files := DemoFleetFiles(repo.URL)
	fleet := &Fleet{Repo: repo, Kubeconfig: b.Kubeconfig}
	if opts.Workload {
		if fleet.Workload, err = b.AddWorkload(ctx, DemoWorkload, DemoWorkloadNamespace); err != nil {
			return nil, err
		}
		if fleet.Kubeconfig, err = b.FleetKubeconfig("kubeconfig-fleet", ManagementContext, nil); err != nil {
			return nil, err
		}
		for k, v := range WorkloadFiles() {
			files[k] = v
		}
	}
	stable, err := repo.Commit(ctx, "Add the demo fleet", files)
	if err != nil {
		return nil, err
	}
	// stable-release is the branch the README rolls back to.
	if err := repo.Git(ctx, "push", "--quiet", "origin", "HEAD:refs/heads/stable-release"); err != nil {
		return nil, err
	}
	// The clone is the user's: it commits (rollback revert) under its own name.
	for _, kv := range [][2]string{{"user.name", "Demo User"}, {"user.email", "demo@example.com"}} {
		if err := repo.Git(ctx, "config", kv[0], kv[1]); err != nil {
			return nil, err
		}
	}
	if err := b.Apply(ctx, BootstrapYAML(repo.URL, "./clusters/demo")); err != nil {
		return nil, err
	}
	if err := b.waitDemo(ctx, stable, opts); err != nil {
		return nil, err
	}
	// A release on main after it, so that history has something to go back to.
	sha, err := repo.Commit(ctx, "Release api 1.1.0", map[string]string{
		"apps/deployment.yaml": strings.Replace(files["apps/deployment.yaml"], "api:1.0.0", "api:1.1.0", 1),
	})
	if err != nil {
		return nil, err
	}
	if err := b.Reconcile(ctx, "GitRepository", FluxNamespace, "flux-system"); err != nil {
		return nil, err
	}
	if err := b.waitDemo(ctx, sha, opts); err != nil {
		return nil, err
	}
	fleet.Commit, fleet.Stable = sha, stable
	if b.opts.ControllerManager {
		// The Pods the examples trace exist once the controller manager made them.
		if _, _, err := WaitOwned(ctx, b.Dynamic, "shop", "api"); err != nil {
			return nil, fmt.Errorf("demo fleet: no Pod of shop/api: %w", err)
		}
		if fleet.Workload != nil {
			if _, _, err := WaitOwned(ctx, fleet.Workload.Dynamic, "edge", "gateway"); err != nil {
				return nil, fmt.Errorf("demo fleet: no Pod of edge/gateway in %s: %w", DemoWorkload, err)
			}
		}
	}
	return fleet, nil
}

// waitDemo waits until every Kustomization of the demo fleet applied sha and the
// HelmRelease installed the chart built from it.
func (b *Bed) waitDemo(ctx context.Context, sha string, opts DemoOptions) error {
	for _, ks := range []string{"flux-system", "infrastructure", "apps"} {
		if _, err := b.WaitApplied(ctx, FluxNamespace, ks, sha); err != nil {
			return fmt.Errorf("demo fleet: %w", err)
		}
	}
	if opts.Workload {
		if _, err := b.WaitApplied(ctx, DemoWorkloadNamespace, "workload-apps", sha); err != nil {
			return fmt.Errorf("demo fleet: %w", err)
		}
		if err := b.waitRelease(ctx, DemoWorkloadNamespace, "edge-web", sha); err != nil {
			return err
		}
	}
	return b.waitRelease(ctx, "shop", "web", sha)
}

// waitRelease waits until HelmRelease namespace/name installed the chart built from sha.
func (b *Bed) waitRelease(ctx context.Context, namespace, name, sha string) error {
	if _, err := b.WaitFor(ctx, 2*time.Minute, "HelmRelease", namespace, name, func(u *unstructured.Unstructured) bool {
		rev, _, _ := unstructured.NestedString(u.Object, "status", "lastAttemptedRevision")
		return strings.HasSuffix(rev, "+"+sha[:12]) && status.Of(u).ReadyAtGeneration()
	}); err != nil {
		return fmt.Errorf("demo fleet: %w", err)
	}
	return nil
}
