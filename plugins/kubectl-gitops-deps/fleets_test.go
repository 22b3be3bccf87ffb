package main_test

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/kubectl-gitops/kubectl-gitops/shared/deps/render"
	"github.com/kubectl-gitops/kubectl-gitops/shared/output"
	"github.com/kubectl-gitops/kubectl-gitops/shared/output/outputtest"
	"github.com/kubectl-gitops/kubectl-gitops/shared/testbed"
)

// d2Fleet is a fleet in the layout of the d2 reference architecture: the staging
// cluster's FluxInstance syncs it from an OCIRepository built from this repository,
// its tenants Kustomization reads that OCIRepository, and a ResourceSet there creates
// per tenant an OCIRepository of another repository with two Kustomizations on it.
// The edge cluster's FluxInstance syncs from Git, as most do.
const d2Fleet = `
-- clusters/staging/flux-system/flux-instance.yaml --
apiVersion: fluxcd.controlplane.io/v1
kind: FluxInstance
metadata:
  name: flux
  namespace: flux-system
spec:
  distribution:
    version: "2.x"
    registry: ghcr.io/fluxcd
  sync:
    kind: OCIRepository
    url: oci://ghcr.io/example/d2-fleet
    ref: latest
    path: clusters/staging
-- clusters/staging/flux-system/runtime-info.yaml --
apiVersion: v1
kind: ConfigMap
metadata:
  name: flux-runtime-info
  namespace: flux-system
data:
  ENVIRONMENT: staging
-- clusters/staging/flux-system/kustomization.yaml --
apiVersion: kustomize.config.k8s.io/v1beta1
kind: Kustomization
resources:
  - flux-instance.yaml
  - runtime-info.yaml
-- clusters/staging/tenants.yaml --
apiVersion: kustomize.toolkit.fluxcd.io/v1
kind: Kustomization
metadata:
  name: tenants
  namespace: flux-system
spec:
  interval: 12h
  path: ./tenants
  prune: true
  sourceRef:
    kind: OCIRepository
    name: flux-system
  postBuild:
    substituteFrom:
      - kind: ConfigMap
        name: flux-runtime-info
-- tenants/infra.yaml --
apiVersion: fluxcd.controlplane.io/v1
kind: ResourceSet
metadata:
  name: infra
  namespace: flux-system
spec:
  inputs:
    - tenant: cert-manager
      environment: "${ENVIRONMENT}"
    - tenant: monitoring
      environment: "${ENVIRONMENT}"
  resources:
    - apiVersion: source.toolkit.fluxcd.io/v1
      kind: OCIRepository
      metadata:
        name: infra
        namespace: << inputs.tenant >>
      spec:
        url: oci://ghcr.io/example/d2-infra/<< inputs.tenant >>
    - apiVersion: kustomize.toolkit.fluxcd.io/v1
      kind: Kustomization
      metadata:
        name: infra-controllers
        namespace: << inputs.tenant >>
      spec:
        sourceRef:
          kind: OCIRepository
          name: infra
        path: ./controllers/<< inputs.environment >>
    - apiVersion: kustomize.toolkit.fluxcd.io/v1
      kind: Kustomization
      metadata:
        name: infra-configs
        namespace: << inputs.tenant >>
      spec:
        dependsOn:
          - name: infra-controllers
        sourceRef:
          kind: OCIRepository
          name: infra
        path: ./configs/<< inputs.environment >>
-- clusters/edge/flux-system/flux-instance.yaml --
apiVersion: fluxcd.controlplane.io/v1
kind: FluxInstance
metadata:
  name: flux
  namespace: flux-system
spec:
  distribution:
    version: "2.x"
    registry: ghcr.io/fluxcd
  sync:
    kind: GitRepository
    url: https://example.com/fleet.git
    ref: refs/heads/main
    path: clusters/edge
-- clusters/edge/apps.yaml --
apiVersion: kustomize.toolkit.fluxcd.io/v1
kind: Kustomization
metadata:
  name: apps
  namespace: flux-system
spec:
  interval: 10m
  path: ./edge
  prune: true
  sourceRef:
    kind: GitRepository
    name: flux-system
-- edge/web.yaml --
apiVersion: kustomize.toolkit.fluxcd.io/v1
kind: Kustomization
metadata:
  name: web
  namespace: flux-system
spec:
  interval: 10m
  dependsOn:
    - name: apps
  path: ./edge/web
  prune: true
  sourceRef:
    kind: GitRepository
    name: flux-system
-- edge/web/config.yaml --
apiVersion: v1
kind: ConfigMap
metadata:
  name: web
  namespace: default
`

// sharedPathFleet is a fleet whose tenants build one app folder, each with components
// and a patch of its own, as a fleet with per-tenant or per-region variants does.
const sharedPathFleet = `
-- clusters/prod/flux-system/gotk-sync.yaml --
apiVersion: source.toolkit.fluxcd.io/v1
kind: GitRepository
metadata:
  name: flux-system
  namespace: flux-system
spec:
  interval: 1m
  url: https://example.com/fleet.git
  ref:
    branch: main
---
apiVersion: kustomize.toolkit.fluxcd.io/v1
kind: Kustomization
metadata:
  name: flux-system
  namespace: flux-system
spec:
  interval: 10m
  path: ./clusters/prod
  prune: true
  sourceRef:
    kind: GitRepository
    name: flux-system
-- clusters/prod/tenants.yaml --
apiVersion: kustomize.toolkit.fluxcd.io/v1
kind: Kustomization
metadata:
  name: podinfo-frontend
  namespace: flux-system
spec:
  interval: 10m
  path: ./apps/podinfo
  targetNamespace: frontend
  prune: true
  sourceRef:
    kind: GitRepository
    name: flux-system
  components:
    - ../../components/redis
---
apiVersion: kustomize.toolkit.fluxcd.io/v1
kind: Kustomization
metadata:
  name: podinfo-backend
  namespace: flux-system
spec:
  interval: 10m
  path: ./apps/podinfo
  targetNamespace: backend
  prune: true
  sourceRef:
    kind: GitRepository
    name: flux-system
  components:
    - ../../components/redis
  patches:
    - target:
        kind: HelmRelease
        name: podinfo
      patch: |
        - op: add
          path: /spec/dependsOn
          value:
            - name: redis
-- apps/podinfo/kustomization.yaml --
apiVersion: kustomize.config.k8s.io/v1beta1
kind: Kustomization
resources:
  - ../base
-- apps/base/kustomization.yaml --
apiVersion: kustomize.config.k8s.io/v1beta1
kind: Kustomization
resources:
  - podinfo.yaml
-- apps/base/podinfo.yaml --
apiVersion: helm.toolkit.fluxcd.io/v2
kind: HelmRelease
metadata:
  name: podinfo
spec:
  interval: 1h
  chart:
    spec:
      chart: podinfo
      sourceRef:
        kind: HelmRepository
        name: charts
        namespace: flux-system
-- components/redis/kustomization.yaml --
apiVersion: kustomize.config.k8s.io/v1alpha1
kind: Component
resources:
  - redis.yaml
-- components/redis/redis.yaml --
apiVersion: helm.toolkit.fluxcd.io/v2
kind: HelmRelease
metadata:
  name: redis
spec:
  interval: 1h
  chart:
    spec:
      chart: redis
      sourceRef:
        kind: HelmRepository
        name: charts
        namespace: flux-system
`

// writeArchive writes the files of a txtar-like text ("-- path --" lines) under dir.
func writeArchive(t *testing.T, dir, archive string) {
	t.Helper()
	parts := strings.Split(archive, "\n-- ")
	for _, part := range parts[1:] {
		header, body, _ := strings.Cut(part, "\n")
		full := filepath.Join(dir, filepath.FromSlash(strings.TrimSuffix(header, " --")))
		if err := os.MkdirAll(filepath.Dir(full), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(full, []byte(body+"\n"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

// TestOfflineFleetShapes checks, through the real kubectl, two shapes of real fleets
// the offline check once got wrong: a cluster synced from an OCIRepository of the
// repository itself (its children were all "not rendered", so a broken dependency
// below them passed), and one folder built by several Kustomizations with components
// of their own (the second build failed, and a healthy fleet failed the check).
func TestOfflineFleetShapes(t *testing.T) {
	assets := testbed.NeedAssets(t)
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	d2, shared := t.TempDir(), t.TempDir()
	writeArchive(t, d2, d2Fleet)
	writeArchive(t, shared, sharedPathFleet)

	testbed.CheckKubectl(t, ctx, assets, "", []testbed.KubectlCase{
		{Args: []string{"gitops", "deps", "--dir", d2, "--check"}, Stdout: []string{
			"Cluster clusters/edge (rendered from its sync path", "Kustomization flux-system/apps", "└── Kustomization flux-system/web",
			"Cluster clusters/staging (rendered from its sync path", "Kustomization cert-manager/infra-controllers", "└── Kustomization monitoring/infra-configs",
			"Kustomization monitoring/infra-controllers reads OCIRepository monitoring/infra, not this repository"}},
		{Args: []string{"gitops", "deps", "--dir", shared, "--check", "--all"}, Stdout: []string{
			"HelmRelease backend/redis", "└── HelmRelease backend/podinfo", "HelmRelease frontend/podinfo", "HelmRelease frontend/redis",
			"No cycles, no missing dependencies, nothing blocked."}},
	})

	run, err := testbed.Kubectl(ctx, assets, "", "gitops", "deps", "--dir", d2, "--path", "clusters/staging", "-o", "json")
	if err != nil {
		t.Fatal(err)
	}
	if err := outputtest.Decode(output.FormatJSON, []byte(run.Stdout), output.KindDependencyReport, func() any { return &render.DependencyReport{} }, func(d any) {
		r := d.(*render.DependencyReport)
		if r.Summary.Nodes != 6 || r.Summary.Unrendered != 4 {
			t.Errorf("staging: %d objects, %d not rendered; want 6 and the 4 on d2-infra", r.Summary.Nodes, r.Summary.Unrendered)
		}
		if strings.Contains(strings.Join(r.Unrendered, "\n"), "flux-system/flux-system") {
			t.Errorf("the cluster's own OCIRepository is said to be another source: %v", r.Unrendered)
		}
	}); err != nil {
		t.Fatalf("%v\n%s", err, run)
	}

	// A typo below the OCI-synced root is now seen, and fails the check.
	infra := filepath.Join(d2, "tenants/infra.yaml")
	data, err := os.ReadFile(infra)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(infra, []byte(strings.Replace(string(data), "- name: infra-controllers", "- name: infra-controller", 1)), 0o644); err != nil {
		t.Fatal(err)
	}
	testbed.CheckKubectl(t, ctx, assets, "", []testbed.KubectlCase{
		{Args: []string{"gitops", "deps", "--dir", d2, "--path", "clusters/staging", "--check"}, Code: 7, Stdout: []string{
			"Kustomization cert-manager/infra-configs depends on cert-manager/infra-controller, which does not exist"}},
	})
}
