package status

import (
	"errors"
	"strings"
	"testing"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
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

// TestFailed: a failure after a spec change leaves observedGeneration behind; the
// controllers' ProgressingWithRetry says the reconcile of the new spec failed.
func TestFailed(t *testing.T) {
	status := func(ready, readyReason, reconciling, reconcilingReason string, gen, observed int64) *unstructured.Unstructured {
		conds := []any{map[string]any{"type": "Ready", "status": ready, "reason": readyReason, "lastTransitionTime": "2026-01-01T00:00:00Z"}}
		if reconciling != "" {
			conds = append(conds, map[string]any{"type": "Reconciling", "status": reconciling, "reason": reconcilingReason, "lastTransitionTime": "2026-01-01T00:00:00Z"})
		}
		return &unstructured.Unstructured{Object: map[string]any{
			"metadata": map[string]any{"name": "apps", "generation": gen},
			"status":   map[string]any{"observedGeneration": observed, "conditions": conds},
		}}
	}
	tests := []struct {
		name string
		u    *unstructured.Unstructured
		want bool
	}{
		{"failed at the current generation", status("False", "BuildFailed", "", "", 2, 2), true},
		{"failed after a spec change, retrying", status("False", "BuildFailed", "True", "ProgressingWithRetry", 3, 2), true},
		{"spec changed, reconcile in progress", status("False", "BuildFailed", "True", "Progressing", 3, 2), false},
		{"spec changed, not reconciled yet", status("False", "BuildFailed", "", "", 3, 2), false},
		{"waiting on a dependency", status("False", "DependencyNotReady", "True", "ProgressingWithRetry", 3, 2), false},
		{"ready", status("True", "ReconciliationSucceeded", "", "", 3, 3), false},
		{"unknown while retrying", status("Unknown", "Progressing", "True", "ProgressingWithRetry", 3, 2), false},
	}
	for _, tt := range tests {
		if got := Of(tt.u).Failed(); got != tt.want {
			t.Errorf("%s: Failed = %v, want %v", tt.name, got, tt.want)
		}
	}
}

// TestOfMalformed: a status that does not parse is reported as unreadable, with why,
// and never read as a plain "not ready".
func TestOfMalformed(t *testing.T) {
	tests := []struct {
		name   string
		object map[string]any
		want   string
	}{
		{"conditions not a list", map[string]any{"status": map[string]any{"conditions": "Ready"}}, "status unreadable: "},
		{"condition status not a string", map[string]any{"status": map[string]any{"conditions": []any{
			map[string]any{"type": "Ready", "status": true, "reason": "Succeeded"},
		}}}, "status unreadable: "},
		{"status not an object", map[string]any{"status": "ready"}, "status unreadable: .status is a string, not an object"},
		{"observedGeneration not a number", map[string]any{"status": map[string]any{"observedGeneration": "two"}}, "status unreadable: "},
		{"suspend not a bool", map[string]any{"spec": map[string]any{"suspend": "yes"}}, "status unreadable: .spec.suspend accessor error: yes is of the type string, expected bool"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := Of(&unstructured.Unstructured{Object: tt.object})
			if !s.Ready.Unreadable() || s.Ready.Status != metav1.ConditionUnknown || s.Ready.IsFalse() || s.Ready.IsTrue() {
				t.Errorf("Ready = %+v, want Unknown %s", s.Ready, UnreadableReason)
			}
			if !strings.HasPrefix(s.Ready.Message, tt.want) {
				t.Errorf("Message = %q, want it to start with %q", s.Ready.Message, tt.want)
			}
			if got := s.String(); !strings.HasPrefix(got, "Ready=Unknown StatusUnreadable: status unreadable: ") {
				t.Errorf("String = %q, want it to say the status is unreadable", got)
			}
		})
	}
	// A well-formed object without a status is not unreadable: it was not reconciled.
	if s := Of(&unstructured.Unstructured{Object: map[string]any{}}); s.Ready.Unreadable() || s.String() != "not reconciled yet" {
		t.Errorf("an object without status: %+v", s)
	}
}

// TestSpecUnreadableJoin: a spec that does not parse is said like a status that does
// not, and joining keeps both problems.
func TestSpecUnreadableJoin(t *testing.T) {
	spec := SpecUnreadable(errors.New("url:\n not a string"))
	if !spec.Unreadable() || spec.Status != metav1.ConditionUnknown || spec.Message != "spec unreadable: url: not a string" {
		t.Errorf("SpecUnreadable = %+v", spec)
	}
	read := Condition{Status: metav1.ConditionTrue, Reason: "Succeeded", Message: "stored artifact"}
	if got := read.Join(spec); got != spec {
		t.Errorf("a read condition joined = %+v, want %+v", got, spec)
	}
	both := Unreadable(errors.New("conditions")).Join(spec)
	if !both.Unreadable() || both.Message != "status unreadable: conditions; spec unreadable: url: not a string" {
		t.Errorf("two unreadable conditions joined = %+v", both)
	}
}
