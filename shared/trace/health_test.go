package trace

import (
	"context"
	"strings"
	"testing"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"

	"github.com/kubectl-gitops/kubectl-gitops/shared/status"
)

// TestHealthMalformed: a status that does not parse shows in the READY column as
// unreadable, with why in the message, never as a plain "not ready".
func TestHealthMalformed(t *testing.T) {
	ready := map[string]any{"type": "Ready", "status": "True", "reason": "ReconciliationSucceeded", "lastTransitionTime": "2026-01-02T03:04:05Z"}
	tests := []struct {
		name       string
		status     map[string]any
		unreadable bool
	}{
		{"well formed", map[string]any{"conditions": []any{ready}, "history": []any{map[string]any{"lastReconciled": "2026-01-03T00:00:00Z"}}}, false},
		{"conditions not a list", map[string]any{"conditions": map[string]any{"Ready": "True"}}, true},
		{"condition status not a string", map[string]any{"conditions": []any{map[string]any{"type": "Ready", "status": int64(1)}}}, true},
		{"history not a list", map[string]any{"conditions": []any{ready}, "history": "yesterday"}, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := health(&unstructured.Unstructured{Object: map[string]any{"kind": "Kustomization", "status": tt.status}})
			if got := h.Reason == status.UnreadableReason; got != tt.unreadable {
				t.Fatalf("health = %+v, unreadable %v, want %v", h, got, tt.unreadable)
			}
			if !tt.unreadable {
				if h.Ready != metav1.ConditionTrue || h.LastReconciled == nil || h.LastReconciled.Day() != 3 {
					t.Errorf("health = %+v, want Ready=True last reconciled on the 3rd", h)
				}
				return
			}
			if h.Ready != metav1.ConditionUnknown || !strings.HasPrefix(h.Message, "status unreadable: ") {
				t.Errorf("health = %+v, want Unknown with a status unreadable message", h)
			}
			if got := readyText(h); got != "Unknown (StatusUnreadable)" {
				t.Errorf("READY cell = %q", got)
			}
		})
	}
}

// TestSourceHopMalformedSpec: a source whose spec does not parse shows in the READY
// column as unreadable, saying the spec, instead of a hop with an empty URL that reads
// as healthy.
func TestSourceHopMalformedSpec(t *testing.T) {
	ready := map[string]any{"type": "Ready", "status": "True", "reason": "Succeeded", "lastTransitionTime": "2026-01-02T03:04:05Z"}
	for _, tt := range []struct {
		name   string
		spec   map[string]any
		status map[string]any
		want   []string
	}{
		{"spec unreadable", map[string]any{"url": int64(5)}, map[string]any{"conditions": []any{ready}}, []string{"spec unreadable: .spec:"}},
		{"both unreadable", map[string]any{"url": int64(5)}, map[string]any{"conditions": "Ready"}, []string{"status unreadable: ", "; spec unreadable: .spec:"}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			u := &unstructured.Unstructured{Object: map[string]any{"apiVersion": "source.toolkit.fluxcd.io/v1", "kind": "GitRepository", "spec": tt.spec, "status": tt.status}}
			u.SetNamespace("flux-system")
			u.SetName("fleet")
			h := sourceHop(context.Background(), "source", "", u)
			if h.Health.Ready != metav1.ConditionUnknown || readyText(h.Health) != "Unknown (StatusUnreadable)" {
				t.Fatalf("health = %+v, want Unknown (StatusUnreadable)", h.Health)
			}
			for _, w := range tt.want {
				if !strings.Contains(h.Health.Message, w) {
					t.Errorf("message = %q, want it to hold %q", h.Health.Message, w)
				}
			}
		})
	}
	u := &unstructured.Unstructured{Object: map[string]any{"apiVersion": "source.toolkit.fluxcd.io/v1", "kind": "GitRepository",
		"spec": map[string]any{"url": "https://git.example/fleet"}, "status": map[string]any{"conditions": []any{ready}}}}
	if h := sourceHop(context.Background(), "source", "", u); h.Health.Ready != metav1.ConditionTrue || h.URL != "https://git.example/fleet" {
		t.Errorf("well-formed source: health %+v, URL %q", h.Health, h.URL)
	}
}
