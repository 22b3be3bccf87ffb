package status

import (
	"testing"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
)

func TestOf(t *testing.T) {
	u := &unstructured.Unstructured{Object: map[string]any{
		"apiVersion": "kustomize.toolkit.fluxcd.io/v1", "kind": "Kustomization",
		"metadata": map[string]any{"name": "apps", "generation": int64(3)},
		"spec":     map[string]any{"suspend": true},
		"status": map[string]any{
			"observedGeneration": int64(2), "lastHandledReconcileAt": "token",
			"lastAppliedRevision": "main@sha1:a", "lastAttemptedRevision": "main@sha1:b",
			"conditions": []any{
				map[string]any{"type": "Reconciling", "status": "True", "reason": "Progressing", "lastTransitionTime": "2026-01-01T00:00:00Z"},
				map[string]any{"type": "Ready", "status": "False", "reason": "DependencyNotReady", "message": "dependency 'flux-system/infra' is not ready", "lastTransitionTime": "2026-01-02T03:04:05Z"},
			},
		},
	}}
	s := Of(u)
	if !s.Suspended || s.Generation != 3 || s.ObservedGeneration != 2 || s.HandledToken != "token" || s.LastAppliedRevision != "main@sha1:a" || s.LastAttemptedRevision != "main@sha1:b" {
		t.Errorf("Of = %+v", s)
	}
	if !s.Ready.IsFalse() || !s.Ready.DependencyBlocked() || s.Ready.IsTrue() || s.LastTransition.Day() != 2 {
		t.Errorf("Ready = %+v at %s, want the Ready condition, not Reconciling", s.Ready, s.LastTransition)
	}
	if s.ReadyAtGeneration() || !s.Stale() {
		t.Error("a stale, failing object is not ready at its generation")
	}
	if got := s.String(); got != "Ready=False DependencyNotReady: dependency 'flux-system/infra' is not ready" {
		t.Errorf("String = %q", got)
	}
}

func TestReadyAtGeneration(t *testing.T) {
	ready := Condition{Status: "True"}
	tests := []struct {
		s    Status
		want bool
	}{
		{Status{Ready: ready, Generation: 2, ObservedGeneration: 2}, true},
		{Status{Ready: ready, Generation: 3, ObservedGeneration: 2}, false},
		{Status{Ready: Condition{Status: "False"}, Generation: 2, ObservedGeneration: 2}, false},
		{Status{}, false},
	}
	for _, tt := range tests {
		if got := tt.s.ReadyAtGeneration(); got != tt.want {
			t.Errorf("%+v: ReadyAtGeneration = %v, want %v", tt.s, got, tt.want)
		}
	}
	if (Status{}).String() != "not reconciled yet" {
		t.Error("an object without conditions should say it was not reconciled yet")
	}
}
