package trace

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/client-go/dynamic"
	dynamicfake "k8s.io/client-go/dynamic/fake"

	"github.com/kubectl-gitops/kubectl-gitops/shared/output"
)

func warning(ns, kind, name, reason string, at time.Time) runtime.Object {
	return &unstructured.Unstructured{Object: map[string]any{
		"apiVersion": "v1", "kind": "Event",
		"metadata":       map[string]any{"name": fmt.Sprintf("%s.%d", name, at.Unix()), "namespace": ns},
		"involvedObject": map[string]any{"kind": kind, "namespace": ns, "name": name},
		"type":           "Warning", "reason": reason, "message": reason + " happened",
		"lastTimestamp": at.UTC().Format(time.RFC3339), "count": int64(2),
		"source": map[string]any{"component": "helm-controller"},
	}}
}

// TestAttachEvents: each hop gets its own Warning events, newest first, at most five;
// one list per namespace, whatever the number of hops.
func TestAttachEvents(t *testing.T) {
	now := time.Date(2026, 11, 26, 12, 0, 0, 0, time.UTC)
	var objs []runtime.Object
	for i := 0; i < 7; i++ {
		objs = append(objs, warning("shop", "HelmRelease", "web", fmt.Sprintf("Failed%d", i), now.Add(time.Duration(i)*time.Minute)))
	}
	objs = append(objs, warning("flux-system", "Kustomization", "apps", "HealthCheckFailed", now), warning("shop", "HelmRelease", "other", "Nope", now))
	leak := warning("flux-system", "GitRepository", "flux-system", "GitOperationFailed", now).(*unstructured.Unstructured)
	leak.Object["message"] = "unable to clone 'https://bot:s3cr3t-token@git.example.com/fleet.git'"
	objs = append(objs, leak)
	dyn := dynamicfake.NewSimpleDynamicClientWithCustomListKinds(runtime.NewScheme(), map[schema.GroupVersionResource]string{eventsResource: "EventList"}, objs...)
	r := &Report{Hops: []Hop{
		{Role: RoleObject, Ref: output.ObjectRef{Kind: "ConfigMap", Namespace: "shop", Name: "web-config"}},
		{Role: RoleHelmRelease, Ref: output.ObjectRef{Kind: "HelmRelease", Namespace: "shop", Name: "web"}},
		{Role: RoleKustomization, Ref: output.ObjectRef{Kind: "Kustomization", Namespace: "flux-system", Name: "apps"}},
		{Role: RoleSource, Ref: output.ObjectRef{Kind: "GitRepository", Namespace: "flux-system", Name: "flux-system"}},
	}}
	AttachEvents(context.Background(), map[string]dynamic.Interface{"": dyn}, []*Report{r})
	if len(r.Hops[0].Events) != 0 {
		t.Errorf("the ConfigMap got %v", r.Hops[0].Events)
	}
	hr := r.Hops[1].Events
	if len(hr) != maxEventsPerHop || hr[0].Reason != "Failed6" || hr[4].Reason != "Failed2" || hr[0].From != "helm-controller" || hr[0].Count != 2 {
		t.Errorf("HelmRelease events %+v", hr)
	}
	if ks := r.Hops[2].Events; len(ks) != 1 || ks[0].Reason != "HealthCheckFailed" {
		t.Errorf("Kustomization events %+v", ks)
	}
	if src := r.Hops[3].Events; len(src) != 1 || strings.Contains(src[0].Message, "s3cr3t") {
		t.Errorf("source events %+v: credentials must be masked", src)
	}
	lists := 0
	for _, a := range dyn.Actions() {
		if a.GetVerb() == "list" {
			lists++
		}
	}
	if lists != 2 {
		t.Errorf("%d lists, want one per namespace (2)", lists)
	}
}
