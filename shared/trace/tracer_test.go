package trace

import (
	"context"
	"errors"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	k8stesting "k8s.io/client-go/testing"

	"strings"
	"testing"

	"github.com/kubectl-gitops/kubectl-gitops/shared/exitcode"

	"k8s.io/apimachinery/pkg/api/meta"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
	dynamicfake "k8s.io/client-go/dynamic/fake"

	"github.com/kubectl-gitops/kubectl-gitops/shared/flux"
)

// The tracer's walk on in-memory objects: what the tracer decides from what it reads.
// What Flux and the API server really write is checked on the real bed, in the trace
// plugin's e2e test.

func obj(apiVersion, kind, namespace, name string, fields map[string]any) *unstructured.Unstructured {
	u := &unstructured.Unstructured{Object: map[string]any{"apiVersion": apiVersion, "kind": kind}}
	for k, v := range fields {
		u.Object[k] = v
	}
	u.SetNamespace(namespace)
	u.SetName(name)
	return u
}

func labelled(u *unstructured.Unstructured, ksNamespace, ksName string) *unstructured.Unstructured {
	l := u.GetLabels()
	if l == nil {
		l = map[string]string{}
	}
	l[flux.KustomizeNameLabel], l[flux.KustomizeNamespaceLabel] = ksName, ksNamespace
	u.SetLabels(l)
	return u
}

func owned(u *unstructured.Unstructured, apiVersion, kind, name string) *unstructured.Unstructured {
	u.Object["metadata"].(map[string]any)["ownerReferences"] = []any{map[string]any{
		"apiVersion": apiVersion, "kind": kind, "name": name, "uid": "u-" + name, "controller": true,
	}}
	return u
}

var ready = map[string]any{"conditions": []any{map[string]any{
	"type": "Ready", "status": "True", "reason": "ReconciliationSucceeded", "lastTransitionTime": "2026-01-01T00:00:00Z",
}}}

// kustomization applies path from the flux-system GitRepository and lists inventory
// IDs (namespace_name_group_kind).
func kustomization(name, path string, inventory ...string) *unstructured.Unstructured {
	entries := []any{}
	for _, id := range inventory {
		entries = append(entries, map[string]any{"id": id, "v": "v1"})
	}
	st := map[string]any{"lastAppliedRevision": "main@sha1:" + shaGood, "lastAttemptedRevision": "main@sha1:" + shaGood, "inventory": map[string]any{"entries": entries}}
	for k, v := range ready {
		st[k] = v
	}
	return obj("kustomize.toolkit.fluxcd.io/v1", "Kustomization", "flux-system", name, map[string]any{
		"spec":   map[string]any{"path": path, "sourceRef": map[string]any{"kind": "GitRepository", "name": "flux-system"}},
		"status": st,
	})
}

func gitRepository() *unstructured.Unstructured {
	st := map[string]any{"artifact": map[string]any{"revision": "main@sha1:" + shaGood}}
	for k, v := range ready {
		st[k] = v
	}
	return obj("source.toolkit.fluxcd.io/v1", "GitRepository", "flux-system", "flux-system", map[string]any{
		"spec":   map[string]any{"url": "https://deploy:s3cr3t@example.com/fleet.git", "ref": map[string]any{"branch": "main"}},
		"status": st,
	})
}

func newTestTracer(objs ...runtime.Object) *Tracer {
	mapper := meta.NewDefaultRESTMapper(nil)
	for _, gvk := range []schema.GroupVersionKind{
		{Group: "apps", Version: "v1", Kind: "Deployment"},
		{Group: "apps", Version: "v1", Kind: "ReplicaSet"},
		{Version: "v1", Kind: "Pod"},
		{Version: "v1", Kind: "ConfigMap"},
		{Version: "v1", Kind: "Secret"},
		{Group: "external-secrets.io", Version: "v1", Kind: "ExternalSecret"},
		{Group: "bitnami.com", Version: "v1alpha1", Kind: "SealedSecret"},
	} {
		mapper.Add(gvk, meta.RESTScopeNamespace)
	}
	lists := map[schema.GroupVersionResource]string{}
	for _, kind := range []string{flux.KindKustomization, flux.KindHelmRelease, flux.KindGitRepository, flux.KindHelmChart, flux.KindResourceSet} {
		gvr, _ := flux.GVR(kind)
		lists[gvr] = kind + "List"
	}
	for _, r := range []schema.GroupVersionResource{{Group: "apps", Version: "v1", Resource: "deployments"}, {Group: "apps", Version: "v1", Resource: "replicasets"}, {Version: "v1", Resource: "pods"}, {Version: "v1", Resource: "configmaps"}} {
		lists[r] = "List"
	}
	// Receivers, which the dependsOn graph reads for the latency budget: none here.
	receivers, _ := flux.NotificationGVR(flux.KindReceiver)
	lists[receivers] = "ReceiverList"
	dyn := dynamicfake.NewSimpleDynamicClientWithCustomListKinds(runtime.NewScheme(), lists, objs...)
	return NewTracer(dyn, mapper)
}

func hopNames(r *Report) string {
	var parts []string
	for _, h := range r.Hops {
		p := strings.ToLower(h.Role) + ":" + h.Ref.Kind + "/" + h.Ref.Name
		if h.Via != "" {
			p += "(" + h.Via + ")"
		}
		parts = append(parts, p)
	}
	return strings.Join(parts, " ")
}

func TestTracerWalk(t *testing.T) {
	root := kustomization("flux-system", "./clusters/prod", "flux-system_apps_kustomize.toolkit.fluxcd.io_Kustomization", "flux-system_flux-system_kustomize.toolkit.fluxcd.io_Kustomization")
	labelled(root, "flux-system", "flux-system")
	apps := labelled(kustomization("apps", "./apps", "shop_api_apps_Deployment", "shop_unlabelled_apps_Deployment"), "flux-system", "flux-system")
	tests := []struct {
		name    string
		start   *unstructured.Unstructured
		extra   []runtime.Object
		result  Result
		hops    string
		note    string
		noCreds bool
	}{
		{
			name:   "labelled Deployment up to the bootstrap root and its source",
			start:  labelled(obj("apps/v1", "Deployment", "shop", "api", nil), "flux-system", "apps"),
			result: ResultTraced,
			hops:   "object:Deployment/api kustomization:Kustomization/apps(kustomize labels) kustomization:Kustomization/flux-system(kustomize labels) source:GitRepository/flux-system(sourceRef)",
			note:   "applies itself (bootstrap root)",
		},
		{
			name:  "Pod up its ownerReferences to the labelled Deployment",
			start: owned(obj("v1", "Pod", "shop", "api-1-x", nil), "apps/v1", "ReplicaSet", "api-1"),
			extra: []runtime.Object{
				owned(obj("apps/v1", "ReplicaSet", "shop", "api-1", nil), "apps/v1", "Deployment", "api"),
				labelled(obj("apps/v1", "Deployment", "shop", "api", nil), "flux-system", "apps"),
			},
			result: ResultTraced,
			hops:   "object:Pod/api-1-x owner:ReplicaSet/api-1(ownerReference) owner:Deployment/api(ownerReference) kustomization:Kustomization/apps(kustomize labels) kustomization:Kustomization/flux-system(kustomize labels) source:GitRepository/flux-system(sourceRef)",
		},
		{
			name:   "labels removed by hand: found through the inventory",
			start:  obj("apps/v1", "Deployment", "shop", "unlabelled", nil),
			result: ResultTraced,
			hops:   "object:Deployment/unlabelled kustomization:Kustomization/apps(inventory) kustomization:Kustomization/flux-system(kustomize labels) source:GitRepository/flux-system(sourceRef)",
			note:   "carries no Flux labels, but Kustomization flux-system/apps lists it in its inventory",
		},
		{
			name:   "labels that disagree with the inventory name the real owner",
			start:  labelled(obj("apps/v1", "Deployment", "shop", "api", nil), "flux-system", "flux-system"),
			result: ResultTraced,
			note:   "labels disagree with the inventory: Kustomization flux-system/apps lists it",
		},
		{
			name:   "no labels, no inventory: not managed",
			start:  obj("v1", "ConfigMap", "shop", "handmade", nil),
			result: ResultNotManaged,
			hops:   "object:ConfigMap/handmade",
		},
		{
			name:   "labels naming a Kustomization that does not exist",
			start:  labelled(obj("v1", "ConfigMap", "shop", "stray", nil), "flux-system", "gone"),
			result: ResultNotFound,
		},
		{
			name:   "Helm annotations only, no HelmRelease: installed by plain helm",
			start:  obj("v1", "ConfigMap", "shop", "chart-cm", map[string]any{"metadata": map[string]any{"annotations": map[string]any{flux.HelmReleaseNameAnno: "web", flux.HelmReleaseNamespaceAnno: "shop"}}}),
			result: ResultNotManaged,
			note:   "installed by Helm release shop/web, which no HelmRelease manages",
		},
		{
			name:    "source URL without credentials",
			start:   labelled(obj("apps/v1", "Deployment", "shop", "api", nil), "flux-system", "apps"),
			result:  ResultTraced,
			noCreds: true,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			objs := append([]runtime.Object{root.DeepCopy(), apps.DeepCopy(), gitRepository(), tt.start.DeepCopy()}, tt.extra...)
			r := newTestTracer(objs...).Trace(context.Background(), tt.start)
			if r.Result != tt.result {
				t.Fatalf("result = %s (%s), want %s; hops %s", r.Result, r.Error, tt.result, hopNames(r))
			}
			if tt.hops != "" && hopNames(r) != tt.hops {
				t.Errorf("hops:\n got %s\nwant %s", hopNames(r), tt.hops)
			}
			if tt.note != "" && !hasNote(r, tt.note) {
				t.Errorf("no note containing %q in %+v", tt.note, r.Hops)
			}
			if tt.noCreds {
				for _, h := range r.Hops {
					if strings.Contains(h.URL, "s3cr3t") {
						t.Errorf("credentials in %q", h.URL)
					}
				}
			}
		})
	}
}

func hasNote(r *Report, want string) bool {
	for _, h := range r.Hops {
		for _, n := range h.Notes {
			if strings.Contains(n, want) {
				return true
			}
		}
	}
	return false
}

func TestTracerDecidesWhatItCannotSee(t *testing.T) {
	ctx := context.Background()
	root := labelled(kustomization("flux-system", "./clusters/prod"), "flux-system", "flux-system")

	t.Run("dangling ownerReference: the object exists, the walk goes on from it", func(t *testing.T) {
		pod := owned(obj("v1", "Pod", "shop", "orphan", nil), "apps/v1", "ReplicaSet", "gone")
		r := newTestTracer(root, pod.DeepCopy()).Trace(ctx, pod)
		if r.Result != ResultNotManaged || !hasNote(r, "its owner ReplicaSet shop/gone does not exist any more") {
			t.Errorf("result %s (%s), notes %+v", r.Result, r.Error, r.Hops)
		}
	})

	t.Run("ownerReferences that form a cycle are named, not walked eight times", func(t *testing.T) {
		a := owned(obj("apps/v1", "ReplicaSet", "shop", "a", nil), "apps/v1", "ReplicaSet", "b")
		a.SetUID("u-a")
		b := owned(obj("apps/v1", "ReplicaSet", "shop", "b", nil), "apps/v1", "ReplicaSet", "a")
		b.SetUID("u-b")
		r := newTestTracer(root, a.DeepCopy(), b.DeepCopy()).Trace(ctx, a)
		if len(r.Hops) != 2 || !hasNote(r, "ownerReferences form a cycle back to ReplicaSet shop/a") {
			t.Errorf("hops %s, notes %+v", hopNames(r), r.Hops)
		}
	})

	t.Run("a two-Kustomization label loop is named as a loop", func(t *testing.T) {
		x := labelled(kustomization("x", "./x"), "flux-system", "y")
		y := labelled(kustomization("y", "./y"), "flux-system", "x")
		cm := labelled(obj("v1", "ConfigMap", "shop", "cm", nil), "flux-system", "x")
		r := newTestTracer(x, y, gitRepository(), cm.DeepCopy()).Trace(ctx, cm)
		if !hasNote(r, "labels form a loop: it names Kustomization flux-system/x, which is already in this chain (flux-system/x -> flux-system/y -> flux-system/x)") || hasNote(r, "bootstrap root") {
			t.Errorf("notes %+v", r.Hops)
		}
	})

	t.Run("inventories that may not be listed: forbidden, not 'not managed'", func(t *testing.T) {
		cm := obj("v1", "ConfigMap", "shop", "unlabelled", nil)
		tr := newTestTracer(root, cm.DeepCopy())
		tr.dyn.(*dynamicfake.FakeDynamicClient).PrependReactor("list", "kustomizations", func(k8stesting.Action) (bool, runtime.Object, error) {
			return true, nil, apierrors.NewForbidden(schema.GroupResource{Group: "kustomize.toolkit.fluxcd.io", Resource: "kustomizations"}, "", errors.New("RBAC"))
		})
		r := tr.Trace(ctx, cm)
		if r.Result != ResultForbidden || r.ExitCode() != exitcode.Forbidden || !strings.Contains(r.Error, "cannot be checked") {
			t.Errorf("result %s (%s)", r.Result, r.Error)
		}
	})
}
