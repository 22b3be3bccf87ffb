package status

import (
	"testing"
	"time"
)

// TestSuspensionOf reads objects annotated as each tool annotates them: the suite's
// rollback suspend, flux-operator's web UI (who, nothing else), its CLI (nothing), and
// Flux's RFC-0006 `flux suspend --message` (why, or a generic value).
func TestSuspensionOf(t *testing.T) {
	at := time.Date(2026, 11, 26, 10, 0, 0, 0, time.UTC)
	tests := []struct {
		name        string
		annotations map[string]string
		want        *Suspension
		text        string
	}{
		{name: "none", annotations: map[string]string{"other": "x"}},
		{name: "flux-operator CLI records nobody", annotations: map[string]string{"fluxcd.controlplane.io/reconcile": "disabled"}},
		{
			name: "the suite, which also writes flux-operator's key",
			annotations: map[string]string{
				"gitops.kubectl.io/suspend-reason": "INC-42", "gitops.kubectl.io/suspend-by": "alice",
				"gitops.kubectl.io/suspend-at": "2026-11-26T10:00:00Z", "fluxcd.controlplane.io/suspendedBy": "alice",
			},
			want: &Suspension{Reason: "INC-42", By: "alice", At: &at},
			text: "INC-42 (by alice, since 2026-11-26T10:00:00Z)",
		},
		{
			name:        "flux-operator web UI",
			annotations: map[string]string{"fluxcd.controlplane.io/suspendedBy": "jane@example.com"},
			want:        &Suspension{By: "jane@example.com"},
			text:        "no reason recorded (by jane@example.com)",
		},
		{
			name:        "RFC-0006 with a message",
			annotations: map[string]string{"reconcile.fluxcd.io/suspended": "INC-7: db failover"},
			want:        &Suspension{Reason: "INC-7: db failover"},
			text:        "INC-7: db failover",
		},
		{name: "RFC-0006 generic value is no reason", annotations: map[string]string{"reconcile.fluxcd.io/suspended": "true"}},
		{
			name: "flux-operator's who and RFC-0006's why together",
			annotations: map[string]string{
				"fluxcd.controlplane.io/suspendedBy": "jane@example.com", "reconcile.fluxcd.io/suspended": "INC-7: db failover",
			},
			want: &Suspension{Reason: "INC-7: db failover", By: "jane@example.com"},
			text: "INC-7: db failover (by jane@example.com)",
		},
		{
			name: "the suite's record wins over another tool's",
			annotations: map[string]string{
				"gitops.kubectl.io/suspend-reason": "INC-42", "gitops.kubectl.io/suspend-by": "alice",
				"fluxcd.controlplane.io/suspendedBy": "jane@example.com", "reconcile.fluxcd.io/suspended": "older",
			},
			want: &Suspension{Reason: "INC-42", By: "alice"},
			text: "INC-42 (by alice)",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := SuspensionOf(tt.annotations)
			if (got == nil) != (tt.want == nil) {
				t.Fatalf("SuspensionOf = %+v, want %+v", got, tt.want)
			}
			if got == nil {
				return
			}
			if got.Reason != tt.want.Reason || got.By != tt.want.By || !sameTime(got.At, tt.want.At) || !sameTime(got.Until, tt.want.Until) {
				t.Errorf("SuspensionOf = %+v, want %+v", got, tt.want)
			}
			if s := got.String(at); s != tt.text {
				t.Errorf("String = %q, want %q", s, tt.text)
			}
		})
	}
}

func sameTime(a, b *time.Time) bool {
	return a == nil && b == nil || a != nil && b != nil && a.Equal(*b)
}

// TestSuspensionAnnotations: resume removes every key SuspensionOf reads, so a record
// cannot outlive its suspension.
func TestSuspensionAnnotations(t *testing.T) {
	all := map[string]string{}
	for _, k := range SuspensionAnnotations() {
		all[k] = "2026-11-26T10:00:00Z"
	}
	if SuspensionOf(all) == nil {
		t.Fatal("every key set, no record")
	}
	for _, k := range SuspensionAnnotations() {
		delete(all, k)
	}
	if SuspensionOf(all) != nil {
		t.Error("a key SuspensionOf reads is not in SuspensionAnnotations")
	}
}
