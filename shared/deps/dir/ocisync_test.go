package dir

import (
	"context"
	"strings"
	"testing"

	"github.com/kubectl-gitops/kubectl-gitops/shared/deps"
)

// ociFleet is a fleet in the layout of the d2 reference architecture (d2-fleet): per
// cluster, a FluxInstance syncing the cluster's folder from an OCIRepository built
// from this repository, a kustomization.yaml with its runtime-info ConfigMap, and a
// tenants Kustomization on that same OCIRepository; the tenants folder holds
// ResourceSets whose inputs take the cluster's variables and which create, per tenant,
// an OCIRepository of another repository and the Kustomizations reading it.
func ociFleet(kind string) map[string]string {
	instance := func(cluster string) string {
		return "apiVersion: fluxcd.controlplane.io/v1\nkind: FluxInstance\nmetadata:\n  name: flux\n  namespace: flux-system\nspec:\n  distribution:\n    version: \"2.x\"\n    registry: ghcr.io/fluxcd\n  sync:\n    kind: " + kind +
			"\n    url: oci://ghcr.io/example/d2-fleet\n    ref: latest\n    path: clusters/" + cluster + "\n"
	}
	tenantsKs := strings.Replace(ks("tenants", "flux-system", "./tenants",
		"  postBuild:\n    substituteFrom:\n      - kind: ConfigMap\n        name: flux-runtime-info\n"),
		"kind: GitRepository\n    name: flux-system\n    namespace: flux-system\n", "kind: "+kind+"\n    name: flux-system\n", 1)
	files := map[string]string{
		"tenants/policies.yaml": "apiVersion: fluxcd.controlplane.io/v1\nkind: ResourceSet\nmetadata:\n  name: policies\n  namespace: flux-system\nspec:\n  resources:\n    - apiVersion: v1\n      kind: ConfigMap\n      metadata:\n        name: flux-allowlist\n        namespace: flux-system\n",
		"tenants/infra.yaml": `apiVersion: fluxcd.controlplane.io/v1
kind: ResourceSet
metadata:
  name: infra
  namespace: flux-system
spec:
  dependsOn:
    - apiVersion: fluxcd.controlplane.io/v1
      kind: ResourceSet
      name: policies
      namespace: flux-system
      ready: true
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
`,
	}
	for _, cluster := range []string{"staging", "production"} {
		dir := "clusters/" + cluster + "/"
		files[dir+"flux-system/flux-instance.yaml"] = instance(cluster)
		files[dir+"flux-system/runtime-info.yaml"] = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: flux-runtime-info\n  namespace: flux-system\ndata:\n  ENVIRONMENT: " + cluster + "\n"
		files[dir+"flux-system/kustomization.yaml"] = "apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nresources:\n  - flux-instance.yaml\n  - runtime-info.yaml\n"
		files[dir+"tenants.yaml"] = tenantsKs
	}
	return files
}

// TestWalkOCISyncedRoot: a cluster whose FluxInstance syncs this repository from an
// OCIRepository (or a Bucket) renders its tenants Kustomization, which reads that
// source, and the ResourceSets below it with the cluster's variables; only the
// tenants' own OCIRepositories, another repository, are left unrendered.
func TestWalkOCISyncedRoot(t *testing.T) {
	for _, kind := range []string{"OCIRepository", "Bucket"} {
		t.Run(kind, func(t *testing.T) {
			repo := writeRepo(t, ociFleet(kind))
			if got := strings.Join(Roots(repo, Options{}), ","); got != "clusters/production,clusters/staging" {
				t.Fatalf("roots %s", got)
			}
			cl, err := Walk(t.Context(), repo, "clusters/staging", Options{})
			if err != nil {
				t.Fatal(err)
			}
			if len(cl.Errors) > 0 {
				t.Fatalf("errors: %v", cl.Errors)
			}
			want := strings.Join([]string{
				"Kustomization cert-manager/infra-configs ->cert-manager/infra-controllers",
				"Kustomization cert-manager/infra-controllers",
				"Kustomization flux-system/tenants",
				"Kustomization monitoring/infra-configs ->monitoring/infra-controllers",
				"Kustomization monitoring/infra-controllers",
				"ResourceSet flux-system/infra ->flux-system/policies",
				"ResourceSet flux-system/policies",
			}, "\n")
			if got := ids(cl.Nodes); got != want {
				t.Errorf("nodes\n%s\nwant\n%s", got, want)
			}
			if len(cl.Unrendered) != 4 || !strings.Contains(strings.Join(cl.Unrendered, "\n"), "monitoring/infra-configs reads OCIRepository monitoring/infra") {
				t.Errorf("unrendered %v: want the four tenant Kustomizations on d2-infra alone", cl.Unrendered)
			}
			for _, n := range cl.Nodes {
				if n.Name == "infra-controllers" && n.Path != "./controllers/staging" {
					t.Errorf("%s/%s path %q: the cluster's ENVIRONMENT was not substituted", n.Namespace, n.Name, n.Path)
				}
			}
			if r := deps.Analyze(context.Background(), cl.Nodes); len(r.Missing) != 0 || len(r.Cycles) != 0 {
				t.Errorf("missing %+v, cycles %+v", r.Missing, r.Cycles)
			}
		})
	}
}

// TestWalkOCIBootstrapRoot: the flux bootstrap layout turned to OCI (gotk-sync.yaml
// holds an OCIRepository of this repository and the root Kustomization reading it) is
// a cluster, and the children on that OCIRepository are rendered; one on another
// OCIRepository is not.
func TestWalkOCIBootstrapRoot(t *testing.T) {
	onOCI := func(s, name string) string {
		return strings.Replace(s, "kind: GitRepository\n    name: flux-system", "kind: OCIRepository\n    name: "+name, 1)
	}
	repo := writeRepo(t, map[string]string{
		"clusters/prod/flux-system/gotk-sync.yaml": "apiVersion: source.toolkit.fluxcd.io/v1\nkind: OCIRepository\nmetadata:\n  name: flux-system\n  namespace: flux-system\nspec:\n  url: oci://ghcr.io/example/fleet\n  ref:\n    tag: latest\n---\n" +
			onOCI(ks("flux-system", "flux-system", "./clusters/prod", ""), "flux-system"),
		"clusters/prod/infra.yaml": onOCI(ks("infra", "flux-system", "./infra", ""), "flux-system"),
		"clusters/prod/apps.yaml":  onOCI(ks("apps", "flux-system", "./", "  dependsOn:\n    - name: infra\n"), "apps"),
		"infra/ks.yaml":            onOCI(ks("infra-configs", "flux-system", "./infra/configs", "  dependsOn:\n    - name: infra\n"), "flux-system"),
		"infra/configs/cm.yaml":    "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c\n  namespace: default\n",
	})
	if got := strings.Join(Roots(repo, Options{}), ","); got != "clusters/prod" {
		t.Fatalf("roots %q", got)
	}
	cl, err := Walk(t.Context(), repo, "clusters/prod", Options{})
	if err != nil {
		t.Fatal(err)
	}
	if got := ids(cl.Nodes); !strings.Contains(got, "Kustomization flux-system/infra-configs ->flux-system/infra") {
		t.Errorf("infra, on the root's OCIRepository, was not rendered: %s", got)
	}
	if len(cl.Unrendered) != 1 || !strings.Contains(cl.Unrendered[0], "flux-system/apps reads OCIRepository flux-system/apps") {
		t.Errorf("unrendered %v", cl.Unrendered)
	}
}

// TestSyncOfInstance: the source flux-operator makes for a sync path is named by
// sync.name, else after the instance's namespace (the release namespace of the
// flux-instance chart); another path's instance says nothing.
func TestSyncOfInstance(t *testing.T) {
	repo := writeRepo(t, map[string]string{
		"a/instance.yaml": "apiVersion: fluxcd.controlplane.io/v1\nkind: FluxInstance\nmetadata:\n  name: flux\n  namespace: gitops\nspec:\n  sync:\n    kind: OCIRepository\n    name: fleet\n    path: ./clusters/a\n",
		"b/release.yaml":  "apiVersion: helm.toolkit.fluxcd.io/v2\nkind: HelmRelease\nmetadata:\n  name: flux\n  namespace: flux-system\nspec:\n  targetNamespace: flux\n  values:\n    instance:\n      sync:\n        kind: Bucket\n        path: clusters/b\n",
	})
	for path, want := range map[string]string{"clusters/a": "OCIRepository/gitops/fleet", "clusters/b": "Bucket/flux/flux", "clusters/c": ""} {
		if got := syncOf(repo, path, Options{DefaultNamespace: DefaultNamespace}).source; got != want {
			t.Errorf("%s: source %q, want %q", path, got, want)
		}
	}
}
