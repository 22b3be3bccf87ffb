package trace

import (
	"fmt"
	"strings"

	"github.com/kubectl-gitops/kubectl-gitops/shared/output"
)

// NoAlertNote is what the human view says of a Flux hop no Alert covers.
const NoAlertNote = "no Alert covers it: its failures notify nobody"

// alerts writes, under the table, which Alerts each Flux hop's events reach: one line
// per Alert, or one line saying nobody is told. Nothing when no hop was looked at
// (no notification-controller in the cluster).
func (v view) alerts(hops []Hop) {
	header := false
	for _, h := range hops {
		if h.Alerting == nil {
			continue
		}
		if !header {
			v.w.Printf("Alerts:\n")
			header = true
		}
		who := h.Ref.Kind + " " + name(h.Ref)
		if len(h.Alerting.Alerts) == 0 {
			note := NoAlertNote
			if h.Alerting.Partial {
				note = "no Alert you may read covers it (Alerts of other namespaces could not be listed)"
			}
			v.w.Printf("  %s: %s\n", who, v.p.Red(note))
			continue
		}
		for _, a := range h.Alerting.Alerts {
			v.w.Printf("  %s: %s\n", who, v.alertLine(a))
		}
		if !h.Alerting.Notified {
			v.w.Printf("  %s: %s\n", who, v.p.Red("no Alert covering it can deliver: its failures notify nobody"))
		}
	}
}

// alertLine is one Alert covering a hop: its name, Provider, severity and filters.
func (v view) alertLine(a HopAlert) output.Styled {
	p := "Provider " + a.Provider.Name
	var about []string
	if a.Provider.Missing {
		about = append(about, "missing")
	}
	if a.Provider.Type != "" {
		about = append(about, "type "+a.Provider.Type)
	}
	if a.Provider.Secret != "" {
		about = append(about, "Secret "+a.Provider.Secret)
	}
	if len(about) > 0 {
		p += " (" + strings.Join(about, ", ") + ")"
	}
	s := fmt.Sprintf("Alert %s -> %s, severity %s", name(a.Ref), p, a.EventSeverity)
	if len(a.InclusionList) > 0 {
		s += fmt.Sprintf(", only messages matching %q", a.InclusionList)
	}
	if len(a.ExclusionList) > 0 {
		s += fmt.Sprintf(", except messages matching %q", a.ExclusionList)
	}
	line := output.Styled(output.Safe(s))
	if a.Undeliverable != "" {
		line += ": " + v.p.Red("cannot deliver, "+output.Safe(a.Undeliverable))
	}
	return line
}
