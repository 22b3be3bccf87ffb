package status

import (
	"strings"
	"time"
)

// Annotations of the suspension record `kubectl gitops rollback suspend` writes beside
// spec.suspend. spec.suspend says only that an object is suspended; the next engineer
// asks why, by whom and until when, so the suite records it.
const (
	SuspendReasonAnnotation = "gitops.kubectl.io/suspend-reason"
	SuspendByAnnotation     = "gitops.kubectl.io/suspend-by"
	SuspendAtAnnotation     = "gitops.kubectl.io/suspend-at"
	SuspendUntilAnnotation  = "gitops.kubectl.io/suspend-until"
)

// Annotations other tools record a suspension with. SuspensionOf reads them too, so that
// trace, deps and resume show a suspension made there without special cases; suspend
// writes FluxOperatorSuspendedByAnnotation as well, so that flux-operator's web UI shows
// who suspended an object suspended here; resume removes both, as those tools do.
//
// Checked against source, not documentation:
//
//   - FluxOperatorSuspendedByAnnotation: github.com/controlplaneio-fluxcd/flux-operator
//     v0.59.0, api/v1/common_types.go (SuspendedByAnnotation, the API group
//     fluxcd.controlplane.io + "/suspendedBy"). Its web UI writes the user's name on
//     suspend and deletes it on resume (internal/web/resource_action.go, setSuspension),
//     and shows "Suspended by …" from it (web/src/components/dashboards/resource/
//     ReconcilerPanel.jsx). Its CLI (`flux-operator suspend resource`,
//     cmd/cli/client.go toggleSuspension) sets spec.suspend only and records nobody.
//     It records no reason and no time.
//   - FluxSuspendedAnnotation: Flux's RFC-0006 "Alternative Suspend Control"
//     (fluxcd/flux2 pull request 4271, provisional; rfcs/0006-alternative-suspend-control)
//     proposes reconcile.fluxcd.io/suspended, its value the reason given with
//     `flux suspend --message`, or a generic value without one. No released module
//     defines it: not github.com/fluxcd/pkg/apis/meta v1.30.2 (its only suspend
//     constant is the condition reason SuspendedReason) nor github.com/fluxcd/flux2/v2
//     v2.9.5. The suite reads it but does not write it: under the RFC the key itself
//     suspends, and a Flux that implemented it would keep an object suspended after a
//     `flux resume` of today's CLI, which does not remove it.
const (
	FluxOperatorSuspendedByAnnotation = "fluxcd.controlplane.io/suspendedBy"
	FluxSuspendedAnnotation           = "reconcile.fluxcd.io/suspended"
)

// SuspensionAnnotations are every annotation a suspension record may be in, the suite's
// and other tools': resume removes them all, so no stale record outlives a suspension.
func SuspensionAnnotations() []string {
	return []string{SuspendReasonAnnotation, SuspendByAnnotation, SuspendAtAnnotation, SuspendUntilAnnotation,
		FluxOperatorSuspendedByAnnotation, FluxSuspendedAnnotation}
}

// Suspension is why, by whom, since when and until when an object is suspended.
type Suspension struct {
	Reason string     `json:"reason,omitempty"`
	By     string     `json:"by,omitempty"`
	At     *time.Time `json:"at,omitempty"`
	// Until is when the suspension was meant to end; past it, it is overdue.
	Until *time.Time `json:"until,omitempty"`
}

// SuspensionOf reads the record from annotations, the suite's own first, then what
// flux-operator and Flux's RFC-0006 record; nil when there is none.
func SuspensionOf(annotations map[string]string) *Suspension {
	s := &Suspension{Reason: annotations[SuspendReasonAnnotation], By: annotations[SuspendByAnnotation]}
	if s.Reason == "" {
		s.Reason = rfcReason(annotations[FluxSuspendedAnnotation])
	}
	if s.By == "" {
		s.By = annotations[FluxOperatorSuspendedByAnnotation]
	}
	s.At = parseTime(annotations[SuspendAtAnnotation])
	s.Until = parseTime(annotations[SuspendUntilAnnotation])
	if *s == (Suspension{}) {
		return nil
	}
	return s
}

// rfcReason is the reason in RFC-0006's annotation: its value is the user's message, or
// a generic value ("true" in the RFC's sketch) that says nothing and is no reason.
func rfcReason(v string) string {
	v = strings.TrimSpace(v)
	switch strings.ToLower(v) {
	case "", "true", "suspended":
		return ""
	}
	return v
}

// Overdue reports a suspension meant to have ended before now.
func (s *Suspension) Overdue(now time.Time) bool {
	return s != nil && s.Until != nil && now.After(*s.Until)
}

// String is one line for humans: "why (by alice since 2026-…, until …, OVERDUE)".
func (s *Suspension) String(now time.Time) string {
	if s == nil {
		return ""
	}
	out := s.Reason
	if out == "" {
		out = "no reason recorded"
	}
	var parts []string
	if s.By != "" {
		parts = append(parts, "by "+s.By)
	}
	if s.At != nil {
		parts = append(parts, "since "+s.At.Format(time.RFC3339))
	}
	if s.Until != nil {
		u := "until " + s.Until.Format(time.RFC3339)
		if s.Overdue(now) {
			u += ", OVERDUE"
		}
		parts = append(parts, u)
	}
	if len(parts) > 0 {
		out += " (" + strings.Join(parts, ", ") + ")"
	}
	return out
}

func parseTime(s string) *time.Time {
	if s == "" {
		return nil
	}
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		return nil
	}
	return &t
}
