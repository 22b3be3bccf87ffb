package resolve

import (
	"time"

	apimeta "k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime"
)

// health reads the Ready condition and generation of any Flux object.
func health(u *unstructured.Unstructured, suspended bool) *Health {
	var status struct {
		Conditions         []metav1.Condition `json:"conditions"`
		ObservedGeneration int64              `json:"observedGeneration"`
		History            []struct {
			LastReconciled metav1.Time `json:"lastReconciled"`
		} `json:"history"`
	}
	if m, ok := u.Object["status"].(map[string]any); ok {
		_ = runtime.DefaultUnstructuredConverter.FromUnstructured(m, &status)
	}
	h := healthOf(status.Conditions, suspended, u.GetGeneration(), status.ObservedGeneration)
	if len(status.History) > 0 {
		if t := status.History[0].LastReconciled.Time; !t.IsZero() && (h.LastReconciled == nil || t.After(*h.LastReconciled)) {
			h.LastReconciled = &t
		}
	}
	return h
}

func healthOf(conds []metav1.Condition, suspended bool, generation, observed int64) *Health {
	h := &Health{Suspended: suspended, Stale: observed != generation}
	if c := apimeta.FindStatusCondition(conds, "Ready"); c != nil {
		h.Ready, h.Reason, h.Message = string(c.Status), c.Reason, c.Message
		if !c.LastTransitionTime.IsZero() {
			t := c.LastTransitionTime.Time.UTC().Truncate(time.Second)
			h.LastReconciled = &t
		}
	}
	return h
}
