package status

import (
	"strings"
	"time"
)

// Annotations of the suspension record `kubectl gitops rollback suspend` writes beside
// spec.suspend: Flux records no reason, and the next engineer asks why.
const (
	SuspendReasonAnnotation = "gitops.kubectl.io/suspend-reason"
	SuspendByAnnotation     = "gitops.kubectl.io/suspend-by"
	SuspendAtAnnotation     = "gitops.kubectl.io/suspend-at"
	SuspendUntilAnnotation  = "gitops.kubectl.io/suspend-until"
)

// Suspension is why, by whom, since when and until when an object is suspended.
type Suspension struct {
	Reason string     `json:"reason,omitempty"`
	By     string     `json:"by,omitempty"`
	At     *time.Time `json:"at,omitempty"`
	// Until is when the suspension was meant to end; past it, it is overdue.
	Until *time.Time `json:"until,omitempty"`
}

// SuspensionOf reads the record from annotations; nil when there is none.
func SuspensionOf(annotations map[string]string) *Suspension {
	s := &Suspension{Reason: annotations[SuspendReasonAnnotation], By: annotations[SuspendByAnnotation]}
	s.At = parseTime(annotations[SuspendAtAnnotation])
	s.Until = parseTime(annotations[SuspendUntilAnnotation])
	if *s == (Suspension{}) {
		return nil
	}
	return s
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
