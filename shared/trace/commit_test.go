package trace

import (
	"testing"

	kustomizev1 "github.com/fluxcd/kustomize-controller/api/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

func TestCommitStatus(t *testing.T) {
	good, bad := "main@sha1:"+shaGood, "main@sha1:"+shaBad
	ready := func(status, reason, msg string) []metav1.Condition {
		return []metav1.Condition{{Type: "Ready", Status: metav1.ConditionStatus(status), Reason: reason, Message: msg}}
	}
	tests := []struct {
		name      string
		applied   string
		attempted string
		source    string
		suspend   bool
		conds     []metav1.Condition
		status    string
		blockedBy string
		attempt   string
	}{
		{"current", good, good, good, false, ready("True", "ReconciliationSucceeded", ""), CommitCurrent, "", ""},
		{"failed after a good one", good, bad, bad, false, ready("False", "ReconciliationFailed", "dry-run failed"), CommitFailed, "", bad},
		{"blocked by a dependency", good, good, bad, false, ready("False", "DependencyNotReady", "dependency 'flux-system/infra' is not ready"), CommitBlocked, "flux-system/infra", ""},
		{"suspended behind its source", good, good, bad, true, ready("True", "ReconciliationSucceeded", ""), CommitSuspended, "", ""},
		{"suspended but current", good, good, good, true, ready("True", "ReconciliationSucceeded", ""), CommitSuspended, "", ""},
		{"applying", good, good, bad, false, ready("Unknown", "Progressing", "Reconciliation in progress"), CommitApplying, "", ""},
		{"source unreadable", good, good, "", false, ready("True", "ReconciliationSucceeded", ""), CommitUnknown, "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ks := &kustomizev1.Kustomization{ObjectMeta: metav1.ObjectMeta{Namespace: "flux-system", Name: "apps"}}
			ks.Spec.Suspend = tt.suspend
			ks.Status.LastAppliedRevision, ks.Status.LastAttemptedRevision = tt.applied, tt.attempted
			ks.Status.Conditions = tt.conds
			c := commitStatus(ks, tt.source)
			if c.Status != tt.status || c.BlockedBy != tt.blockedBy || c.Attempted != tt.attempt {
				t.Errorf("commitStatus = %s blockedBy=%q attempted=%q (%s), want %s blockedBy=%q attempted=%q", c.Status, c.BlockedBy, c.Attempted, c.Reason, tt.status, tt.blockedBy, tt.attempt)
			}
			if c.SHA != shaGood {
				t.Errorf("SHA = %q, want %s", c.SHA, shaGood)
			}
			if tt.status != CommitCurrent && c.Reason == "" {
				t.Errorf("status %s without a reason", c.Status)
			}
		})
	}
}
