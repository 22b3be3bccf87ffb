package trace

import (
	"bytes"
	"context"
	"errors"
	"path/filepath"
	"slices"
	"testing"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
	dynamicfake "k8s.io/client-go/dynamic/fake"
	k8stesting "k8s.io/client-go/testing"

	"github.com/kubectl-gitops/kubectl-gitops/shared/exitcode"
	"github.com/kubectl-gitops/kubectl-gitops/shared/output/outputtest"
)

// Flux objects created by hand (kubectl apply, flux create, Terraform): no labels, and
// no inventory lists them. The bootstrap root lists only itself.

func handObjects() []runtime.Object {
	root := labelled(kustomization("flux-system", "./clusters/prod", "flux-system_flux-system_kustomize.toolkit.fluxcd.io_Kustomization"), "flux-system", "flux-system")
	hand := kustomization("hand", "./hand")
	remote := kustomization("hand-remote", "./remote")
	remote.Object["spec"].(map[string]any)["kubeConfig"] = map[string]any{"secretRef": map[string]any{"name": "w1-kubeconfig"}}
	web := withStatus(obj("helm.toolkit.fluxcd.io/v2", "HelmRelease", "shop", "web", map[string]any{
		"spec": map[string]any{"chart": map[string]any{"spec": map[string]any{"chart": "./charts/web", "reconcileStrategy": "Revision",
			"sourceRef": map[string]any{"kind": "GitRepository", "name": "flux-system", "namespace": "flux-system"}}}},
	}), map[string]any{
		"helmChart": "flux-system/shop-web",
		"history": []any{map[string]any{"name": "web", "namespace": "shop", "version": int64(1), "status": "deployed", "chartName": "web",
			"chartVersion": "0.1.0+" + shaGood[:12], "digest": "d1", "configDigest": "c"}},
	}, condition("True", "InstallSucceeded", "Helm install succeeded for release shop/web.v1 with chart web@0.1.0+"+shaGood[:12]))
	chart := withStatus(obj("source.toolkit.fluxcd.io/v1", "HelmChart", "flux-system", "shop-web", map[string]any{
		"spec": map[string]any{"chart": "./charts/web", "sourceRef": map[string]any{"kind": "GitRepository", "name": "flux-system"}},
	}), map[string]any{
		"artifact":                       map[string]any{"revision": "0.1.0+" + shaGood[:12]},
		"observedSourceArtifactRevision": "main@sha1:" + shaGood,
	}, condition("True", "ChartPullSucceeded", "pulled 'web' chart with version '0.1.0+"+shaGood[:12]+"'"))
	return []runtime.Object{root, hand, remote, web, chart, gitRepository()}
}

func traceHand(t *testing.T, kind, namespace, name string) *Report {
	t.Helper()
	objs := handObjects()
	tr := newTestTracer(objs...)
	for _, o := range objs {
		if u := o.(*unstructured.Unstructured); u.GetKind() == kind && u.GetNamespace() == namespace && u.GetName() == name {
			return tr.Trace(context.Background(), u.DeepCopy())
		}
	}
	t.Fatalf("no %s %s/%s", kind, namespace, name)
	return nil
}

func TestTraceHandAppliedFluxObjectIsARoot(t *testing.T) {
	tests := []struct {
		kind, namespace, name string
		hops                  string
		commitBy              string
	}{
		{"Kustomization", "flux-system", "hand", "object:Kustomization/hand source:GitRepository/flux-system(sourceRef)", "Kustomization"},
		{"Kustomization", "flux-system", "hand-remote", "object:Kustomization/hand-remote source:GitRepository/flux-system(sourceRef)", "Kustomization"},
		{"HelmRelease", "shop", "web", "object:HelmRelease/web helmchart:HelmChart/shop-web(status.helmChart) chartsource:GitRepository/flux-system(sourceRef)", "HelmRelease"},
		{"GitRepository", "flux-system", "flux-system", "object:GitRepository/flux-system", ""},
	}
	for _, tt := range tests {
		t.Run(tt.kind+"/"+tt.name, func(t *testing.T) {
			r := traceHand(t, tt.kind, tt.namespace, tt.name)
			if r.Result != ResultTraced || r.Error != "" || r.ExitCode() != exitcode.OK {
				t.Fatalf("result %s (%s), exit %d: want Traced, exit 0", r.Result, r.Error, r.ExitCode())
			}
			if got := hopNames(r); got != tt.hops {
				t.Errorf("hops:\n got %s\nwant %s", got, tt.hops)
			}
			h := r.Hops[0]
			if !slices.Equal(h.Notes, []string{RootNote}) {
				t.Errorf("object hop notes %q, want only %q", h.Notes, RootNote)
			}
			if h.Health == nil || h.Health.Ready != "True" {
				t.Errorf("object hop health %+v, want its own Ready=True", h.Health)
			}
			if tt.commitBy == "" {
				if r.Commit != nil || h.Revision != "main@sha1:"+shaGood || h.Tracks != "branch main" {
					t.Errorf("source: commit %+v, hop %+v: want no commit block, its own revision and ref", r.Commit, h)
				}
				return
			}
			if c := r.Commit; c == nil || c.By.Kind != tt.commitBy || c.By.Name != tt.name || c.SHA != shaGood || c.Status != CommitCurrent {
				t.Errorf("commit %+v, want its own, Current at %s", c, shaGood)
			}
		})
	}
	if tg := traceHand(t, "Kustomization", "flux-system", "hand-remote").Hops[0].Target; tg == nil || tg.Secret != "flux-system/w1-kubeconfig" {
		t.Errorf("remote target %+v, want Secret flux-system/w1-kubeconfig", tg)
	}
}

func TestTraceRootNoteOnlyWhereNothingApplies(t *testing.T) {
	ctx := context.Background()
	t.Run("the bootstrap root applies itself", func(t *testing.T) {
		r := traceHand(t, "Kustomization", "flux-system", "flux-system")
		if r.Result != ResultTraced || !slices.Equal(r.Hops[0].Notes, []string{"applies itself (bootstrap root)"}) {
			t.Errorf("result %s, notes %q", r.Result, r.Hops[0].Notes)
		}
	})
	t.Run("a Kustomization without labels that an inventory lists", func(t *testing.T) {
		root := labelled(kustomization("flux-system", "./clusters/prod", "flux-system_flux-system_kustomize.toolkit.fluxcd.io_Kustomization", "flux-system_apps_kustomize.toolkit.fluxcd.io_Kustomization"), "flux-system", "flux-system")
		apps := kustomization("apps", "./apps")
		r := newTestTracer(root, apps.DeepCopy(), gitRepository()).Trace(ctx, apps)
		if r.Result != ResultTraced || hasNote(r, "nothing in Git applies it") || hopNames(r) != "object:Kustomization/apps kustomization:Kustomization/flux-system(inventory) source:GitRepository/flux-system(sourceRef)" {
			t.Errorf("result %s, hops %s, notes %+v", r.Result, hopNames(r), r.Hops[0].Notes)
		}
	})
	t.Run("inventories that may not be listed: forbidden, not a root", func(t *testing.T) {
		hand := kustomization("hand", "./hand")
		tr := newTestTracer(hand.DeepCopy(), gitRepository())
		tr.dyn.(*dynamicfake.FakeDynamicClient).PrependReactor("list", "kustomizations", func(k8stesting.Action) (bool, runtime.Object, error) {
			return true, nil, apierrors.NewForbidden(schema.GroupResource{Group: "kustomize.toolkit.fluxcd.io", Resource: "kustomizations"}, "", errors.New("RBAC"))
		})
		r := tr.Trace(ctx, hand)
		if r.Result != ResultForbidden || hasNote(r, "nothing in Git applies it") {
			t.Errorf("result %s (%s), notes %+v", r.Result, r.Error, r.Hops[0].Notes)
		}
	})
	t.Run("an object that is no Flux object stays not managed", func(t *testing.T) {
		cm := obj("v1", "ConfigMap", "shop", "handmade", nil)
		r := newTestTracer(cm.DeepCopy()).Trace(ctx, cm)
		if r.Result != ResultNotManaged || r.ExitCode() != exitcode.NotManaged || hasNote(r, "nothing in Git applies it") {
			t.Errorf("result %s (%s)", r.Result, r.Error)
		}
	})
}

// TestRootGolden renders hand-applied roots as their user reads them.
func TestRootGolden(t *testing.T) {
	reports := []*Report{
		traceHand(t, "Kustomization", "flux-system", "hand"),
		traceHand(t, "HelmRelease", "shop", "web"),
		traceHand(t, "GitRepository", "flux-system", "flux-system"),
	}
	var buf bytes.Buffer
	if err := writeText(&buf, reports, false, goldenNow); err != nil {
		t.Fatal(err)
	}
	outputtest.Golden(t, filepath.Join("testdata", "root.golden"), buf.Bytes(), *update)
	var errs bytes.Buffer
	WriteErrors(&errs, reports)
	if errs.Len() != 0 {
		t.Errorf("error lines for roots:\n%s", errs.String())
	}
}
