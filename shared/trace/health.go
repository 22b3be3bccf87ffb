package trace

import (
	"fmt"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime"

	"github.com/kubectl-gitops/kubectl-gitops/shared/status"
)

// health reads the Ready condition and generation of any Flux object, and the time it
// last reconciled: the Ready condition's transition, or the newest history entry when
// that is later (a steady Kustomization keeps its transition time for days).
func health(u *unstructured.Unstructured) *Health {
	s := status.Of(u)
	h := healthOf(s)
	if h.Suspended {
		h.Suspension = status.SuspensionOf(u.GetAnnotations())
	}
	var st struct {
		History []struct {
			LastReconciled metav1.Time `json:"lastReconciled"`
		} `json:"history"`
	}
	if m, ok := u.Object["status"].(map[string]any); ok && !s.Ready.Unreadable() {
		// A history that does not parse makes the whole status unreadable, said as
		// status.Of says it: the Ready column must not read as a plain "not ready".
		if err := runtime.DefaultUnstructuredConverter.FromUnstructured(m, &st); err != nil {
			c := status.Unreadable(fmt.Errorf(".status.history: %w", err))
			h.Ready, h.Reason, h.Message = c.Status, c.Reason, c.Message
		}
	}
	if len(st.History) > 0 {
		if t := st.History[0].LastReconciled.Time.UTC().Truncate(time.Second); !t.IsZero() && (h.LastReconciled == nil || t.After(*h.LastReconciled)) {
			h.LastReconciled = &t
		}
	}
	return h
}

// healthOf is the Health document of a Status.
func healthOf(s status.Status) *Health {
	h := &Health{Suspended: s.Suspended, Stale: s.Stale()}
	h.Ready, h.Reason, h.Message = s.Ready.Status, s.Ready.Reason, s.Ready.Message
	if !s.LastTransition.IsZero() {
		t := s.LastTransition
		h.LastReconciled = &t
	}
	return h
}
