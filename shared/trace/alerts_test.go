package trace

import (
	"context"
	"encoding/json"
	"strings"
	"testing"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/meta"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
	dynamicfake "k8s.io/client-go/dynamic/fake"
	clienttesting "k8s.io/client-go/testing"

	"github.com/kubectl-gitops/kubectl-gitops/shared/flux"
	"github.com/kubectl-gitops/kubectl-gitops/shared/output"
)

func notificationObject(kind, ns, name string, spec map[string]any) runtime.Object {
	return &unstructured.Unstructured{Object: map[string]any{
		"apiVersion": "notification.toolkit.fluxcd.io/v1beta3", "kind": kind,
		"metadata": map[string]any{"name": name, "namespace": ns}, "spec": spec,
	}}
}

func eventSource(kind, name string, labels map[string]any) map[string]any {
	s := map[string]any{"kind": kind, "name": name}
	if labels != nil {
		s["matchLabels"] = labels
	}
	return s
}

// alertsFake is a cluster with notification-controller's API, holding objs.
func alertsFake(objs ...runtime.Object) *dynamicfake.FakeDynamicClient {
	lists := map[schema.GroupVersionResource]string{}
	for _, kind := range []string{flux.KindAlert, flux.KindProvider} {
		gvr, _ := flux.NotificationGVR(kind)
		lists[gvr] = kind + "List"
	}
	gvr, _ := flux.GVR(flux.KindKustomization)
	lists[gvr] = "KustomizationList"
	return dynamicfake.NewSimpleDynamicClientWithCustomListKinds(runtime.NewScheme(), lists, objs...)
}

func fluxHop(role, kind, ns, name string) Hop {
	return Hop{Role: role, Ref: *fluxRef(kind, ns, name)}
}

// TestAttachAlerts: each Flux hop gets the Alerts covering it, with their Provider
// named and never its address; a hop none covers says so; other hops get nothing.
func TestAttachAlerts(t *testing.T) {
	apps := &unstructured.Unstructured{Object: map[string]any{
		"apiVersion": "kustomize.toolkit.fluxcd.io/v1", "kind": "Kustomization",
		"metadata": map[string]any{"name": "apps", "namespace": "flux-system", "labels": map[string]any{"team": "shop"}},
	}}
	dyn := alertsFake(apps,
		notificationObject("Provider", "flux-system", "slack", map[string]any{"type": "slack",
			"address": "https://hooks.example.com/services/T000/B000/s3cr3t", "secretRef": map[string]any{"name": "slack-url"}}),
		notificationObject("Alert", "flux-system", "shop", map[string]any{"providerRef": map[string]any{"name": "slack"},
			"eventSeverity": "error", "exclusionList": []any{"waiting.*"},
			"eventSources": []any{eventSource("Kustomization", "*", map[string]any{"team": "shop"})}}),
		notificationObject("Alert", "flux-system", "paused", map[string]any{"providerRef": map[string]any{"name": "slack"},
			"suspend": true, "eventSources": []any{eventSource("Kustomization", "infra", nil)}}),
		notificationObject("Alert", "flux-system", "helm", map[string]any{"providerRef": map[string]any{"name": "gone"},
			"eventSources": []any{eventSource("HelmRelease", "web", nil)}}),
	)
	r := &Report{Hops: []Hop{
		{Role: RoleObject, Ref: output.ObjectRef{APIVersion: "v1", Kind: "ConfigMap", Namespace: "shop", Name: "cm"}},
		fluxHop(RoleKustomization, "Kustomization", "flux-system", "apps"),
		fluxHop(RoleKustomization, "Kustomization", "flux-system", "infra"),
		fluxHop(RoleHelmRelease, "HelmRelease", "flux-system", "web"),
		fluxHop(RoleSource, "GitRepository", "flux-system", "flux-system"),
	}}
	NewTracer(dyn, meta.NewDefaultRESTMapper(nil)).AttachAlerts(context.Background(), []*Report{r})

	if r.Hops[0].Alerting != nil {
		t.Errorf("the ConfigMap got %+v", r.Hops[0].Alerting)
	}
	ks := r.Hops[1].Alerting
	if ks == nil || !ks.Notified || len(ks.Alerts) != 1 {
		t.Fatalf("Kustomization apps: %+v, want covered by Alert shop", ks)
	}
	a := ks.Alerts[0]
	if a.Ref.Name != "shop" || a.EventSeverity != "error" || a.ExclusionList[0] != "waiting.*" ||
		a.Provider != (AlertProvider{Name: "slack", Type: "slack", Secret: "slack-url"}) || a.Undeliverable != "" {
		t.Errorf("Kustomization apps' Alert: %+v", a)
	}
	if in := r.Hops[2].Alerting; in == nil || in.Notified || len(in.Alerts) != 1 || !in.Alerts[0].Suspended || in.Alerts[0].Undeliverable == "" {
		t.Errorf("Kustomization infra: %+v, want only a suspended Alert, not notified", in)
	}
	if hr := r.Hops[3].Alerting; hr == nil || hr.Notified || !hr.Alerts[0].Provider.Missing {
		t.Errorf("HelmRelease web: %+v, want an Alert whose Provider is missing", hr)
	}
	if src := r.Hops[4].Alerting; src == nil || src.Notified || len(src.Alerts) != 0 {
		t.Errorf("GitRepository: %+v, want covered by none", src)
	}
	doc, err := json.Marshal(r)
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(string(doc), "s3cr3t") || strings.Contains(string(doc), "hooks.example.com") {
		t.Errorf("the Provider's address leaked: %s", doc)
	}
}

// TestAttachAlertsWithoutNotification: a cluster that does not serve Alerts gives no
// Alerting at all, rather than "no Alert covers it" on every hop.
func TestAttachAlertsWithoutNotification(t *testing.T) {
	dyn := alertsFake()
	dyn.PrependReactor("list", "alerts", func(clienttesting.Action) (bool, runtime.Object, error) {
		return true, nil, apierrors.NewNotFound(schema.GroupResource{Group: "notification.toolkit.fluxcd.io", Resource: "alerts"}, "")
	})
	r := &Report{Hops: []Hop{fluxHop(RoleKustomization, "Kustomization", "flux-system", "apps")}}
	NewTracer(dyn, meta.NewDefaultRESTMapper(nil)).AttachAlerts(context.Background(), []*Report{r})
	if r.Hops[0].Alerting != nil {
		t.Errorf("Alerting = %+v without notification-controller, want none", r.Hops[0].Alerting)
	}
}

// TestAttachAlertsOneListPerCluster: however many hops and namespaces, one list of
// Alerts and one of Providers.
func TestAttachAlertsOneListPerCluster(t *testing.T) {
	dyn := alertsFake(
		notificationObject("Provider", "flux-system", "hook", map[string]any{"type": "generic"}),
		notificationObject("Alert", "flux-system", "all", map[string]any{"providerRef": map[string]any{"name": "hook"},
			"eventSources": []any{eventSource("Kustomization", "*", nil)}}))
	var reports []*Report
	for _, ns := range []string{"a", "b", "c"} {
		reports = append(reports, &Report{Hops: []Hop{fluxHop(RoleKustomization, "Kustomization", ns, "x"), fluxHop(RoleSource, "GitRepository", ns, "y")}})
	}
	NewTracer(dyn, meta.NewDefaultRESTMapper(nil)).AttachAlerts(context.Background(), reports)
	lists := 0
	for _, a := range dyn.Actions() {
		if a.GetVerb() == "list" {
			lists++
		}
	}
	if lists != 2 {
		t.Errorf("%d lists, want 2 (Alerts and Providers, cluster-wide)", lists)
	}
}
