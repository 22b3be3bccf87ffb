package history

import (
	"testing"
	"time"

	kustomizev1 "github.com/fluxcd/kustomize-controller/api/v1"
	"github.com/fluxcd/pkg/apis/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

func TestFromKustomization(t *testing.T) {
	t0 := time.Date(2026, 11, 1, 10, 0, 0, 0, time.UTC)
	good := "main@sha1:1111111111111111111111111111111111111111"
	bad := "main@sha1:2222222222222222222222222222222222222222"
	ks := &kustomizev1.Kustomization{}
	ks.Status.LastAppliedRevision = good
	ks.Status.History = meta.History{
		{Digest: "sha256:b", LastReconciledStatus: "ReconciliationFailed", FirstReconciled: metav1.NewTime(t0.Add(time.Hour)), LastReconciled: metav1.NewTime(t0.Add(2 * time.Hour)), TotalReconciliations: 3, Metadata: map[string]string{"revision": bad}},
		{Digest: "sha256:a", LastReconciledStatus: "ReconciliationSucceeded", FirstReconciled: metav1.NewTime(t0), LastReconciled: metav1.NewTime(t0.Add(time.Hour)), TotalReconciliations: 7, Metadata: map[string]string{"revision": good}},
	}
	got := FromKustomization(ks)
	if len(got) != 2 {
		t.Fatalf("got %d entries, want 2", len(got))
	}
	tests := []struct {
		i       int
		rev     string
		current bool
		status  string
		count   int64
	}{
		{0, bad, false, "ReconciliationFailed", 3},
		{1, good, true, "ReconciliationSucceeded", 7},
	}
	for _, tt := range tests {
		e := got[tt.i]
		if e.Revision != tt.rev || e.Current != tt.current || e.Status != tt.status || e.Reconciliations != tt.count {
			t.Errorf("entry %d = %+v, want revision %s current %v status %s count %d", tt.i, e, tt.rev, tt.current, tt.status, tt.count)
		}
		if len(e.SHA) != 40 {
			t.Errorf("entry %d SHA = %q, want the 40-hex commit", tt.i, e.SHA)
		}
	}
}
