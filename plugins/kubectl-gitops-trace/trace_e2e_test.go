package main_test

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/kubectl-gitops/kubectl-gitops/shared/output"
	"github.com/kubectl-gitops/kubectl-gitops/shared/output/outputtest"
	"github.com/kubectl-gitops/kubectl-gitops/shared/trace"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"

	"github.com/kubectl-gitops/kubectl-gitops/shared/status"
	"github.com/kubectl-gitops/kubectl-gitops/shared/testbed"
)

const ns = testbed.FluxNamespace

// traceFleet is the e2e repository: a bootstrap root over clusters/e2e, which applies
// infrastructure, apps (dependsOn infrastructure), tenants (which applies team-a: three
// Kustomizations deep) and flaky (broken by the second commit). paused is applied by
// the test itself, because a parent would undo a suspend made behind its back.
func traceFleet() map[string]string {
	ks := func(name, path string, deps ...string) string {
		return testbed.KustomizationYAML(testbed.Kustomization{Namespace: ns, Name: name, Path: path, Source: "flux-system", DependsOn: deps})
	}
	files := map[string]string{
		"clusters/e2e/infrastructure.yaml": ks("infrastructure", "./infrastructure"),
		"clusters/e2e/apps.yaml":           ks("apps", "./apps", "infrastructure"),
		"clusters/e2e/tenants.yaml":        ks("tenants", "./tenants-ks"),
		"clusters/e2e/flaky.yaml":          ks("flaky", "./flaky"),
		"tenants-ks/team-a.yaml":           ks("team-a", "./tenants/team-a", "infrastructure"),
		"tenants/team-a/config.yaml":       testbed.ConfigMapYAML("team-a", "team-a-config", "owner", "team-a"),
		"infrastructure/namespaces.yaml":   "apiVersion: v1\nkind: Namespace\nmetadata:\n  name: shop\n---\napiVersion: v1\nkind: Namespace\nmetadata:\n  name: team-a\n",
		"infrastructure/rbac.yaml": `apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata:
  name: shop:reader
rules:
  - apiGroups: [""]
    resources: ["configmaps"]
    verbs: ["get"]
`,
		"infrastructure/widgets-crd.yaml": `apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata:
  name: widgets.example.com
spec:
  group: example.com
  names: {kind: Widget, plural: widgets, singular: widget, shortNames: [wdg]}
  scope: Namespaced
  versions:
    - name: v1
      served: true
      storage: true
      schema:
        openAPIV3Schema:
          type: object
          x-kubernetes-preserve-unknown-fields: true
`,
		"apps/kustomization.yaml": "apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nresources:\n  - deployment.yaml\n  - web.yaml\n  - widget.yaml\n",
		"apps/deployment.yaml": `apiVersion: apps/v1
kind: Deployment
metadata:
  name: api
  namespace: shop
spec:
  selector:
    matchLabels: {app: api}
  template:
    metadata:
      labels: {app: api}
    spec:
      containers:
        - name: api
          image: registry.example.com/shop/api:1.0.0
`,
		"apps/web.yaml":            testbed.HelmReleaseYAML("shop", "web", "./charts/web", ns, "flux-system"),
		"apps/widget.yaml":         "apiVersion: example.com/v1\nkind: Widget\nmetadata:\n  name: gizmo\n  namespace: shop\nspec:\n  size: 3\n",
		"flaky/config.yaml":        testbed.ConfigMapYAML("default", "flaky", "state", "good"),
		"paused/config.yaml":       testbed.ConfigMapYAML("default", "paused", "state", "v1"),
		"extra/tagged/config.yaml": testbed.ConfigMapYAML("default", "tagged", "from", "tag"),
		"extra/pinned/config.yaml": testbed.ConfigMapYAML("default", "pinned", "from", "commit"),
		"extra/creds/config.yaml":  testbed.ConfigMapYAML("default", "creds", "from", "creds"),
		"drift/config.yaml":        testbed.ConfigMapYAML("default", "relabelled", "a", "b") + "---\n" + testbed.ConfigMapYAML("default", "unlabelled", "a", "b"),
	}
	for k, v := range testbed.ChartFiles("charts/web", "web", "0.1.0") {
		files[k] = v
	}
	return files
}

// traceBed is the shared state of TestTraceLive.
type traceBed struct {
	bed           *testbed.Bed
	repo          *testbed.Repo
	first, second string
	// pod and replicaSet are what kube-controller-manager made of Deployment shop/api.
	pod, replicaSet string
}

func setupTraceBed(t *testing.T, ctx context.Context) *traceBed {
	bed := testbed.Start(t, testbed.Options{Flux: true, ControllerManager: true})
	repo, err := bed.Git.CreateRepo(ctx, "fleet")
	must(t, err)
	first, err := repo.Commit(ctx, "e2e: the fleet", traceFleet())
	must(t, err)
	must(t, repo.Tag(ctx, "v1.0.0"))
	must(t, bed.Apply(ctx, testbed.BootstrapYAML(repo.URL, "./clusters/e2e")))
	paused := testbed.Kustomization{Namespace: ns, Name: "paused", Path: "./paused", Source: "flux-system"}
	// drift reconciles hourly, so the label edits below stay while the test runs.
	drift := testbed.Kustomization{Namespace: ns, Name: "drift", Path: "./drift", Source: "flux-system", Interval: "1h"}
	must(t, bed.Apply(ctx, testbed.KustomizationYAML(paused)+"---\n"+testbed.KustomizationYAML(drift)))
	for _, k := range []string{"flux-system", "infrastructure", "apps", "tenants", "team-a", "flaky", "paused", "drift"} {
		_, err := bed.WaitApplied(ctx, ns, k, first)
		must(t, err)
	}
	_, err = bed.WaitReady(ctx, "HelmRelease", "shop", "web")
	must(t, err)

	// Suspend paused, then push a second commit that breaks flaky and moves paused on.
	paused.Suspend = true
	must(t, bed.Apply(ctx, testbed.KustomizationYAML(paused)))
	second, err := repo.Commit(ctx, "e2e: break flaky", map[string]string{
		"flaky/config.yaml":  "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: flaky\n  namespace: default\ndata:\n  state: [not, a, string]\n",
		"paused/config.yaml": testbed.ConfigMapYAML("default", "paused", "state", "v2"),
	})
	must(t, err)
	must(t, bed.Reconcile(ctx, "GitRepository", ns, "flux-system"))
	for _, k := range []string{"flux-system", "apps", "team-a"} {
		_, err := bed.WaitApplied(ctx, ns, k, second)
		must(t, err)
	}
	// The chart is built from the same repository (reconcileStrategy Revision): the
	// second commit is a new chart version, which the objects of the release come from.
	_, err = bed.WaitFor(ctx, 2*time.Minute, "HelmRelease", "shop", "web", func(u *unstructured.Unstructured) bool {
		return strings.HasSuffix(status.Of(u).LastAttemptedRevision, "+"+second[:12]) && status.Of(u).ReadyAtGeneration()
	})
	must(t, err)
	_, err = bed.WaitFor(ctx, 90*time.Second, "Kustomization", ns, "flaky", func(u *unstructured.Unstructured) bool {
		attempted, _, _ := unstructured.NestedString(u.Object, "status", "lastAttemptedRevision")
		return strings.HasSuffix(attempted, second) && status.Of(u).Ready.IsFalse()
	})
	must(t, err)

	// Sources tracking a tag, a pinned commit, and a URL with credentials in it.
	credsURL := strings.Replace(repo.URL, "http://", "http://deploy:s3cr3t-token@", 1)
	extra := `apiVersion: source.toolkit.fluxcd.io/v1
kind: GitRepository
metadata: {name: tagged, namespace: flux-system}
spec: {interval: 1m, url: ` + repo.URL + `, ref: {tag: v1.0.0}}
---
apiVersion: source.toolkit.fluxcd.io/v1
kind: GitRepository
metadata: {name: pinned, namespace: flux-system}
spec: {interval: 1m, url: ` + repo.URL + `, ref: {branch: main, commit: ` + first + `}}
---
apiVersion: source.toolkit.fluxcd.io/v1
kind: GitRepository
metadata: {name: creds, namespace: flux-system}
spec: {interval: 1m, url: "` + credsURL + `", ref: {branch: main}}
`
	for _, name := range []string{"tagged", "pinned", "creds"} {
		extra += "---\n" + testbed.KustomizationYAML(testbed.Kustomization{Namespace: ns, Name: name, Path: "./extra/" + name, Source: name})
	}
	must(t, bed.Apply(ctx, extra))
	for _, name := range []string{"tagged", "pinned"} {
		_, err := bed.WaitApplied(ctx, ns, name, first)
		must(t, err)
	}
	_, err = bed.WaitApplied(ctx, ns, "creds", second)
	must(t, err)

	// kube-controller-manager turns the Deployment into a ReplicaSet and a Pod, with
	// their real ownerReferences (the Pod stays Pending: no scheduler, no kubelet).
	tbPod, tbRS, err := testbed.WaitOwned(ctx, bed.Dynamic, "shop", "api")
	must(t, err)

	// A hand-made object, and one that carries apps' labels without being in its inventory.
	must(t, bed.Apply(ctx, testbed.ConfigMapYAML("default", "handmade", "by", "hand")+`---
apiVersion: v1
kind: ConfigMap
metadata:
  name: stray
  namespace: shop
  labels:
    kustomize.toolkit.fluxcd.io/name: apps
    kustomize.toolkit.fluxcd.io/namespace: flux-system
data: {left: behind}
`))
	// Objects with only Helm's release annotations: one of the release Flux installed,
	// one of a release installed by hand with helm.
	must(t, bed.Apply(ctx, `apiVersion: v1
kind: ConfigMap
metadata:
  name: web-extra
  namespace: shop
  annotations: {meta.helm.sh/release-name: web, meta.helm.sh/release-namespace: shop}
---
apiVersion: v1
kind: ConfigMap
metadata:
  name: manual-helm
  namespace: shop
  annotations: {meta.helm.sh/release-name: manual, meta.helm.sh/release-namespace: shop}
`))
	// Hand edits behind Flux's back: labels naming another Kustomization, labels removed.
	cms := bed.Dynamic.Resource(schema.GroupVersionResource{Version: "v1", Resource: "configmaps"}).Namespace("default")
	_, err = cms.Patch(ctx, "relabelled", "application/merge-patch+json", []byte(`{"metadata":{"labels":{"kustomize.toolkit.fluxcd.io/name":"paused"}}}`), metav1.PatchOptions{})
	must(t, err)
	_, err = cms.Patch(ctx, "unlabelled", "application/merge-patch+json", []byte(`{"metadata":{"labels":{"kustomize.toolkit.fluxcd.io/name":null,"kustomize.toolkit.fluxcd.io/namespace":null}}}`), metav1.PatchOptions{})
	must(t, err)
	// A user who may read Deployments in shop but no Flux object.
	must(t, bed.Apply(ctx, `apiVersion: rbac.authorization.k8s.io/v1
kind: Role
metadata: {name: deploy-reader, namespace: shop}
rules:
  - apiGroups: ["apps"]
    resources: ["deployments"]
    verbs: ["get", "list"]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: {name: viewer-deploy-reader, namespace: shop}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: Role, name: deploy-reader}
subjects: [{apiGroup: rbac.authorization.k8s.io, kind: User, name: viewer}]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: {name: kustomization-reader}
rules:
  - apiGroups: ["apps"]
    resources: ["deployments"]
    verbs: ["get"]
  - apiGroups: ["kustomize.toolkit.fluxcd.io"]
    resources: ["kustomizations"]
    verbs: ["get", "list"]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata: {name: ks-reader-kustomization-reader}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: kustomization-reader}
subjects: [{apiGroup: rbac.authorization.k8s.io, kind: User, name: ks-reader}]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: Role
metadata: {name: cm-reader, namespace: default}
rules:
  - apiGroups: [""]
    resources: ["configmaps"]
    verbs: ["get", "list"]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: {name: cm-reader, namespace: default}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: Role, name: cm-reader}
subjects: [{apiGroup: rbac.authorization.k8s.io, kind: User, name: cm-reader}]
`))
	return &traceBed{bed: bed, repo: repo, first: first, second: second, pod: tbPod, replicaSet: tbRS}
}

// TestTraceLive traces real objects that real Flux applied, through the real kubectl.
func TestTraceLive(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 8*time.Minute)
	defer cancel()
	tb := setupTraceBed(t, ctx)
	repoURL := tb.repo.URL

	gitSource := hopWant{role: trace.RoleSource, kind: "GitRepository", name: "flux-system/flux-system"}
	root := hopWant{role: trace.RoleKustomization, kind: "Kustomization", name: "flux-system/flux-system", inventory: "Listed"}
	tests := []struct {
		name  string
		args  []string
		code  int
		hops  []hopWant
		check func(t *testing.T, r *trace.Report)
	}{
		{
			name: "Deployment applied by a nested Kustomization",
			args: []string{"deploy/api", "-n", "shop"},
			hops: []hopWant{{role: "Object", kind: "Deployment", name: "shop/api"}, {role: "Kustomization", kind: "Kustomization", name: "flux-system/apps", inventory: "Listed"}, root, gitSource},
			check: func(t *testing.T, r *trace.Report) {
				wantCommit(t, r, tb.second, trace.CommitCurrent)
				if h := r.Hops[1]; h.Path != "./apps" || h.Health == nil || h.Health.Ready != "True" || h.Health.LastReconciled == nil {
					t.Errorf("apps hop = %+v, want path ./apps, Ready True and a reconcile time", h)
				}
				if src := r.Hops[3]; src.URL != repoURL || src.Tracks != "branch main" || src.Revision != "main@sha1:"+tb.second {
					t.Errorf("source hop = %+v", src)
				}
			},
		},
		{
			name: "three Kustomizations deep",
			args: []string{"configmap", "team-a-config", "-n", "team-a"},
			hops: []hopWant{{role: "Object", kind: "ConfigMap", name: "team-a/team-a-config"}, {role: "Kustomization", kind: "Kustomization", name: "flux-system/team-a", inventory: "Listed"}, {role: "Kustomization", kind: "Kustomization", name: "flux-system/tenants", inventory: "Listed"}, root, gitSource},
		},
		{
			name: "object rendered by a HelmRelease",
			args: []string{"cm/web-config", "-n", "shop"},
			hops: []hopWant{{role: "Object", kind: "ConfigMap", name: "shop/web-config"}, {role: "HelmRelease", kind: "HelmRelease", name: "shop/web"}, {role: "HelmChart", kind: "HelmChart", name: "flux-system/shop-web"}, {role: "ChartSource", kind: "GitRepository", name: "flux-system/flux-system"}, {role: "Kustomization", kind: "Kustomization", name: "flux-system/apps", inventory: "Listed"}, root, gitSource},
			check: func(t *testing.T, r *trace.Report) {
				if hr := r.Hops[1]; hr.Chart != "web" || !strings.HasPrefix(hr.ChartVersion, "0.1.0") || hr.ReleaseName != "shop/web" {
					t.Errorf("HelmRelease hop = %+v, want chart web 0.1.0, release shop/web", hr)
				}
				wantCommit(t, r, tb.second, trace.CommitCurrent)
			},
		},
		{
			name: "Pod of a Deployment, up its owners",
			args: []string{"pod/" + tb.pod, "-n", "shop"},
			hops: []hopWant{{role: "Object", kind: "Pod", name: "shop/" + tb.pod}, {role: "Owner", kind: "ReplicaSet", name: "shop/" + tb.replicaSet}, {role: "Owner", kind: "Deployment", name: "shop/api"}, {role: "Kustomization", kind: "Kustomization", name: "flux-system/apps", inventory: "Listed"}, root, gitSource},
		},
		{
			name: "cluster-scoped Namespace",
			args: []string{"ns", "shop"},
			hops: []hopWant{{role: "Object", kind: "Namespace", name: "shop"}, {role: "Kustomization", kind: "Kustomization", name: "flux-system/infrastructure", inventory: "Listed"}, root, gitSource},
		},
		{
			name: "ClusterRole with a colon",
			args: []string{"clusterrole/shop:reader"},
			hops: []hopWant{{role: "Object", kind: "ClusterRole", name: "shop:reader"}, {role: "Kustomization", kind: "Kustomization", name: "flux-system/infrastructure", inventory: "Listed"}, root, gitSource},
		},
		{
			name: "CRD instance by short name",
			args: []string{"wdg/gizmo", "-n", "shop"},
			hops: []hopWant{{role: "Object", kind: "Widget", name: "shop/gizmo"}, {role: "Kustomization", kind: "Kustomization", name: "flux-system/apps", inventory: "Listed"}, root, gitSource},
		},
		{
			name: "labels without inventory entry",
			args: []string{"cm/stray", "-n", "shop"},
			hops: []hopWant{{role: "Object", kind: "ConfigMap", name: "shop/stray"}, {role: "Kustomization", kind: "Kustomization", name: "flux-system/apps", inventory: "NotListed"}, root, gitSource},
		},
		{
			name: "last apply failed after a good one",
			args: []string{"cm/flaky", "-n", "default"},
			check: func(t *testing.T, r *trace.Report) {
				c := wantCommit(t, r, tb.first, trace.CommitFailed)
				if !strings.HasSuffix(c.Attempted, tb.second) || !strings.HasSuffix(c.Source, tb.second) || c.Reason == "" {
					t.Errorf("commit = %+v, want attempted and source %s with Flux's message", c, tb.second)
				}
			},
		},
		{
			name: "suspended Kustomization behind its source",
			args: []string{"cm/paused", "-n", "default"},
			check: func(t *testing.T, r *trace.Report) {
				c := wantCommit(t, r, tb.first, trace.CommitSuspended)
				if !strings.HasSuffix(c.Source, tb.second) {
					t.Errorf("commit source = %q, want %s", c.Source, tb.second)
				}
				if h := r.Hops[1]; h.Health == nil || !h.Health.Suspended {
					t.Errorf("paused hop health = %+v, want suspended", h.Health)
				}
			},
		},
		{
			name: "GitRepository tracking a tag",
			args: []string{"cm/tagged", "-n", "default"},
			check: func(t *testing.T, r *trace.Report) {
				src := r.Hops[len(r.Hops)-1]
				if src.Tracks != "tag v1.0.0" || src.Revision != "v1.0.0@sha1:"+tb.first {
					t.Errorf("source = tracks %q revision %q, want tag v1.0.0 at %s", src.Tracks, src.Revision, tb.first)
				}
				wantCommit(t, r, tb.first, trace.CommitCurrent)
			},
		},
		{
			name: "GitRepository pinned to a commit",
			args: []string{"cm/pinned", "-n", "default"},
			check: func(t *testing.T, r *trace.Report) {
				src := r.Hops[len(r.Hops)-1]
				if want := "commit " + tb.first + " (on branch main)"; src.Tracks != want {
					t.Errorf("source tracks %q, want %q", src.Tracks, want)
				}
				wantCommit(t, r, tb.first, trace.CommitCurrent)
			},
		},
		{
			name: "URL with credentials",
			args: []string{"cm/creds", "-n", "default"},
			check: func(t *testing.T, r *trace.Report) {
				if src := r.Hops[len(r.Hops)-1]; src.URL != repoURL {
					t.Errorf("source URL = %q, want %q without credentials", src.URL, repoURL)
				}
			},
		},
		{
			name: "labels disagree with the inventory",
			args: []string{"cm/relabelled", "-n", "default"},
			hops: []hopWant{{role: "Object", kind: "ConfigMap", name: "default/relabelled"}, {role: "Kustomization", kind: "Kustomization", name: "flux-system/paused", inventory: "NotListed"}, gitSource},
			check: func(t *testing.T, r *trace.Report) {
				if notes := strings.Join(r.Hops[1].Notes, "\n"); !strings.Contains(notes, "Kustomization flux-system/drift lists it") {
					t.Errorf("notes = %q, want the Kustomization whose inventory lists it", notes)
				}
			},
		},
		{
			name: "labels removed, found through the inventory",
			args: []string{"cm/unlabelled", "-n", "default"},
			hops: []hopWant{{role: "Object", kind: "ConfigMap", name: "default/unlabelled"}, {role: "Kustomization", kind: "Kustomization", name: "flux-system/drift", inventory: "Listed"}, gitSource},
			check: func(t *testing.T, r *trace.Report) {
				if r.Hops[1].Via != "inventory" || len(r.Hops[0].Notes) == 0 {
					t.Errorf("want the Kustomization reached via inventory with a note on the object, got via %q notes %q", r.Hops[1].Via, r.Hops[0].Notes)
				}
				wantCommit(t, r, tb.second, trace.CommitCurrent)
			},
		},
		{
			name: "Helm annotations only",
			args: []string{"cm/web-extra", "-n", "shop"},
			hops: []hopWant{{role: "Object", kind: "ConfigMap", name: "shop/web-extra"}, {role: "HelmRelease", kind: "HelmRelease", name: "shop/web"}, {role: "HelmChart", kind: "HelmChart", name: "flux-system/shop-web"}, {role: "ChartSource", kind: "GitRepository", name: "flux-system/flux-system"}, {role: "Kustomization", kind: "Kustomization", name: "flux-system/apps", inventory: "Listed"}, root, gitSource},
		},
		{name: "installed by helm, not by Flux", args: []string{"cm/manual-helm", "-n", "shop"}, code: 4},
		{name: "not managed by Flux", args: []string{"cm/handmade", "-n", "default"}, code: 4},
		{name: "object that does not exist", args: []string{"deploy/nope", "-n", "shop"}, code: 3},
		{name: "unknown type", args: []string{"gizmos/x"}, code: 2},
		{
			name: "RBAC hides the Kustomization and source",
			args: []string{"deploy/api", "-n", "shop", "--as", "viewer"},
			code: 5,
			hops: []hopWant{{role: "Object", kind: "Deployment", name: "shop/api"}, {role: "Kustomization", kind: "Kustomization", name: "flux-system/apps", forbidden: true}},
		},
		{
			name: "RBAC hides the inventories: forbidden, not 'not managed'",
			args: []string{"cm/unlabelled", "-n", "default", "--as", "cm-reader"},
			code: 5,
			check: func(t *testing.T, r *trace.Report) {
				if r.Result != trace.ResultForbidden || !strings.Contains(r.Error, "whether a Kustomization's inventory lists it cannot be checked") {
					t.Errorf("result %s: %s", r.Result, r.Error)
				}
			},
		},
		{
			name: "RBAC hides the object itself: the report names its kind, not its resource",
			args: []string{"cm/web-config", "-n", "shop", "--as", "viewer"},
			code: 5,
			check: func(t *testing.T, r *trace.Report) {
				if r.Object.Kind != "ConfigMap" || r.Object.APIVersion != "v1" || r.Object.Name != "web-config" || r.Result != trace.ResultForbidden {
					t.Errorf("object = %+v, result %s", r.Object, r.Result)
				}
			},
		},
		{
			name: "RBAC hides only the source",
			args: []string{"deploy/api", "-n", "shop", "--as", "ks-reader"},
			code: 5,
			hops: []hopWant{{role: "Object", kind: "Deployment", name: "shop/api"}, {role: "Kustomization", kind: "Kustomization", name: "flux-system/apps", inventory: "Listed"}, root, {role: trace.RoleSource, kind: "GitRepository", name: "flux-system/flux-system", forbidden: true}},
			check: func(t *testing.T, r *trace.Report) {
				c := wantCommit(t, r, tb.second, trace.CommitUnknown)
				if c.Source != "" {
					t.Errorf("commit source = %q, want none (forbidden)", c.Source)
				}
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			run := kubectlTrace(t, ctx, tb.bed, append(tt.args, "-o", "json")...)
			if run.Code != tt.code {
				t.Fatalf("exit code %d, want %d\n%s", run.Code, tt.code, run)
			}
			if strings.Contains(run.Stdout+run.Stderr, "s3cr3t") || strings.Contains(run.Stdout+run.Stderr, "deploy:") {
				t.Fatalf("credentials printed:\n%s", run)
			}
			if tt.code == 2 {
				if !strings.HasPrefix(run.Stderr, "error: ") || strings.Count(strings.TrimSpace(run.Stderr), "\n") != 0 {
					t.Errorf("want one error line on stderr, got %q", run.Stderr)
				}
				return
			}
			var r trace.Report
			err := outputtest.Decode(output.FormatJSON, []byte(run.Stdout), output.KindTrace,
				func() any { return &trace.Report{} }, func(d any) { r = *d.(*trace.Report) })
			if err != nil {
				t.Fatalf("decoding the Trace document strictly: %v\n%s", err, run)
			}
			if tt.code != 0 && !strings.HasPrefix(run.Stderr, "error: ") {
				t.Errorf("stderr = %q, want an error line", run.Stderr)
			}
			if tt.hops != nil {
				wantHops(t, &r, tt.hops)
			}
			if tt.check != nil {
				tt.check(t, &r)
			}
		})
	}

	t.Run("human view reads from object to commit", func(t *testing.T) {
		run := kubectlTrace(t, ctx, tb.bed, "deploy/api", "-n", "shop")
		if run.Code != 0 {
			t.Fatalf("%s", run)
		}
		for _, want := range []string{"Deployment shop/api", "kustomization  Kustomization  flux-system/apps", "source         GitRepository  flux-system/flux-system",
			"Commit:     " + tb.second, "Status:     Current (the source holds the applied commit)"} {
			if !strings.Contains(run.Stdout, want) {
				t.Errorf("human view lacks %q:\n%s", want, run.Stdout)
			}
		}
		if strings.Contains(run.Stdout, "\x1b[") {
			t.Errorf("colour codes written to a pipe:\n%q", run.Stdout)
		}
	})

	t.Run("several objects, one document each", func(t *testing.T) {
		run := kubectlTrace(t, ctx, tb.bed, "deploy/api", "cm/web-config", "wdg/gizmo", "-n", "shop", "-o", "yaml")
		if run.Code != 0 {
			t.Fatalf("%s", run)
		}
		n := 0
		err := outputtest.Decode(output.FormatYAML, []byte(run.Stdout), output.KindTrace, func() any { return &trace.Report{} }, func(any) { n++ })
		if err != nil || n != 3 {
			t.Errorf("got %d Trace documents (%v), want 3 decoded strictly:\n%s", n, err, run.Stdout)
		}
	})

	t.Run("selector across namespaces: worst exit code wins", func(t *testing.T) {
		run := kubectlTrace(t, ctx, tb.bed, "cm", "-A", "-l", "kustomize.toolkit.fluxcd.io/namespace=flux-system", "-o", "json")
		if run.Code != 0 {
			t.Fatalf("%s", run)
		}
		if got := strings.Count(run.Stdout, `"kind": "Trace"`); got < 6 {
			t.Errorf("got %d documents, want every labelled ConfigMap (>= 6)", got)
		}
		mixed := kubectlTrace(t, ctx, tb.bed, "cm/handmade", "cm/flaky", "cm/nope", "-n", "default")
		if mixed.Code != 3 {
			t.Errorf("not found + not managed + traced: exit %d, want 3 (not found outranks not managed)\n%s", mixed.Code, mixed)
		}
	})

	t.Run("objects named in a file", func(t *testing.T) {
		file := filepath.Join(t.TempDir(), "objects.yaml")
		must(t, os.WriteFile(file, []byte(testbed.ConfigMapYAML("shop", "web-config", "x", "y")+"---\n"+testbed.ConfigMapYAML("team-a", "team-a-config", "x", "y")), 0o644))
		run := kubectlTrace(t, ctx, tb.bed, "-f", file, "-o", "json")
		if run.Code != 0 || strings.Count(run.Stdout, `"result": "Traced"`) != 2 {
			t.Errorf("-f: want 2 traced documents\n%s", run)
		}
	})

	t.Run("git-dir: file, line and commit message", func(t *testing.T) {
		run := kubectlTrace(t, ctx, tb.bed, "deploy/api", "-n", "shop", "--git-dir", tb.repo.Work, "-o", "json")
		var r trace.Report
		if err := json.Unmarshal([]byte(run.Stdout), &r); err != nil || run.Code != 0 {
			t.Fatalf("%v\n%s", err, run)
		}
		g := r.Commit.Git
		if g == nil || g.File != "apps/deployment.yaml" || g.Line != 1 || g.Subject != "e2e: break flaky" || !strings.Contains(g.Author, "Test Bed") {
			t.Errorf("git location = %+v, want apps/deployment.yaml:1 at 'e2e: break flaky' by Test Bed", g)
		}
		helm := kubectlTrace(t, ctx, tb.bed, "cm/web-config", "-n", "shop", "--git-dir", tb.repo.Work)
		if !strings.Contains(helm.Stdout, "rendered from a Helm chart") || !strings.Contains(helm.Stdout, "apps/web.yaml") {
			t.Errorf("Helm-rendered object: want the chart caveat and the HelmRelease's file\n%s", helm)
		}
	})
}

// TestTraceFluxNotInstalled traces a labelled object on a cluster without Flux's CRDs.
func TestTraceFluxNotInstalled(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	bed := testbed.Start(t, testbed.Options{NoFluxCRDs: true})
	must(t, bed.Apply(ctx, `apiVersion: v1
kind: ConfigMap
metadata:
  name: orphan
  namespace: default
  labels:
    kustomize.toolkit.fluxcd.io/name: apps
    kustomize.toolkit.fluxcd.io/namespace: flux-system
`))
	run := kubectlTrace(t, ctx, bed, "cm/orphan", "-n", "default")
	if run.Code != 8 || !strings.Contains(run.Stderr, "Flux is not installed in this cluster") {
		t.Errorf("want exit 8 and 'Flux is not installed in this cluster', got\n%s", run)
	}
}

type hopWant struct {
	role, kind, name, inventory string
	forbidden                   bool
}

func wantHops(t *testing.T, r *trace.Report, want []hopWant) {
	t.Helper()
	var got []string
	for _, h := range r.Hops {
		n := h.Ref.Name
		if h.Ref.Namespace != "" {
			n = h.Ref.Namespace + "/" + n
		}
		got = append(got, fmt.Sprintf("%s %s %s %s %v", h.Role, h.Ref.Kind, n, h.Inventory, h.Forbidden))
	}
	var exp []string
	for _, w := range want {
		exp = append(exp, fmt.Sprintf("%s %s %s %s %v", w.role, w.kind, w.name, w.inventory, w.forbidden))
	}
	if strings.Join(got, "\n") != strings.Join(exp, "\n") {
		t.Errorf("hops:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(exp, "\n"))
	}
}

func wantCommit(t *testing.T, r *trace.Report, sha, status string) *trace.Commit {
	t.Helper()
	if r.Commit == nil {
		t.Fatalf("no commit in report: %+v", r)
	}
	if r.Commit.SHA != sha || r.Commit.Status != status {
		t.Errorf("commit = %s %s (%s), want %s %s", r.Commit.SHA, r.Commit.Status, r.Commit.Reason, sha, status)
	}
	return r.Commit
}

func kubectlTrace(t *testing.T, ctx context.Context, bed *testbed.Bed, args ...string) testbed.Run {
	t.Helper()
	run, err := testbed.Kubectl(ctx, bed.Assets, bed.Kubeconfig, append([]string{"gitops", "trace"}, args...)...)
	if err != nil {
		t.Fatal(err)
	}
	return run
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}
