package reconcile

import (
	"testing"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/kubectl-gitops/kubectl-gitops/shared/status"
)

// TestConsumerDone: a consumer whose own status proves it applied the revision is done
// at once, without waiting for the round the request asked for; a failure counts only
// once the request was handled.
func TestConsumerDone(t *testing.T) {
	const rev, old, token = "main@sha1:2222", "main@sha1:1111", "t2"
	ready := status.Condition{Status: metav1.ConditionTrue}
	failed := status.Condition{Status: metav1.ConditionFalse, Reason: "ReconciliationFailed", Message: "boom"}
	tests := []struct {
		name    string
		done    Done
		s       Status
		want    bool
		wantErr bool
	}{
		{"applied before the requested round", appliedRevision(token, rev), Status{Ready: ready, LastAppliedRevision: rev, HandledToken: "t1", Generation: 3, ObservedGeneration: 3}, true, false},
		{"applied at an old generation", appliedRevision(token, rev), Status{Ready: ready, LastAppliedRevision: rev, HandledToken: "t1", Generation: 4, ObservedGeneration: 3}, false, false},
		{"still on the old revision", appliedRevision(token, rev), Status{Ready: ready, LastAppliedRevision: old, HandledToken: token, Generation: 3, ObservedGeneration: 3}, false, false},
		{"an old failure does not count", appliedRevision(token, rev), Status{Ready: failed, LastAppliedRevision: old, LastAttemptedRevision: rev, HandledToken: "t1"}, false, false},
		{"a failure of the requested round", appliedRevision(token, rev), Status{Ready: failed, LastAppliedRevision: old, LastAttemptedRevision: rev, HandledToken: token}, false, true},
		{"chart built before the requested round", builtFrom(token, rev), Status{Ready: ready, ObservedSourceRevision: rev, HandledToken: "t1", Generation: 1, ObservedGeneration: 1}, true, false},
		{"release installed before the requested round", installed(token, "0.1.0+2222"), Status{Ready: ready, LastAttemptedRevision: "0.1.0+2222", HandledToken: "t1", Generation: 1, ObservedGeneration: 1}, true, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := tt.done(tt.s)
			if got != tt.want || (err != nil) != tt.wantErr {
				t.Errorf("done = %v, %v; want %v, error %v", got, err, tt.want, tt.wantErr)
			}
		})
	}
}
