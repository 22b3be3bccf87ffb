package trace

import (
	"context"
	"slices"

	"k8s.io/apimachinery/pkg/runtime/schema"

	"github.com/kubectl-gitops/kubectl-gitops/shared/alerting"
	"github.com/kubectl-gitops/kubectl-gitops/shared/flux"
	"github.com/kubectl-gitops/kubectl-gitops/shared/output"
)

// Alerting is which notification-controller Alerts a Flux hop's events reach: a trace
// during an incident answers "who was told?", and before one, "would anyone be?".
type Alerting struct {
	// Alerts are the Alerts whose eventSources match the hop, suspended ones included,
	// by namespace and name; [] when none does.
	Alerts []HopAlert `json:"alerts"`
	// Notified is whether any of them can deliver as far as the cluster shows (neither
	// the Alert nor its Provider suspended, the Provider present): false means the
	// hop's failures notify nobody.
	Notified bool `json:"notified"`
	// Partial is set when only the Alerts of the namespaces the trace touches could be
	// read (RBAC): an Alert elsewhere naming this hop would be unseen.
	Partial bool `json:"partial,omitempty"`
}

// HopAlert is one Alert covering a hop, with its Provider named, never its address.
type HopAlert struct {
	Ref output.ObjectRef `json:"ref"`
	// EventSeverity is "info" (every event) or "error" (errors only): failures reach it
	// either way.
	EventSeverity string `json:"eventSeverity"`
	// InclusionList and ExclusionList are the regular expressions that filter which
	// messages are sent: a failure's message may be excluded.
	InclusionList []string      `json:"inclusionList,omitempty"`
	ExclusionList []string      `json:"exclusionList,omitempty"`
	Suspended     bool          `json:"suspended,omitempty"`
	Provider      AlertProvider `json:"provider"`
	// Undeliverable says why this Alert cannot deliver, when the cluster shows it.
	Undeliverable string `json:"undeliverable,omitempty"`
}

// AlertProvider is an Alert's Provider: its name and type, and its Secret's name.
type AlertProvider struct {
	Name string `json:"name"`
	Type string `json:"type,omitempty"`
	// Secret names spec.secretRef's Secret; its values are never read.
	Secret    string `json:"secret,omitempty"`
	Suspended bool   `json:"suspended,omitempty"`
	// Missing is set when no Provider of that name exists in the Alert's namespace.
	Missing bool `json:"missing,omitempty"`
}

// AttachAlerts puts beside every Flux hop the Alerts that cover it: per cluster the
// reports touch, one list of Alerts (and one of Providers when there is an Alert), not
// one per hop. A cluster without notification-controller's API, or whose Alerts
// cannot be read at all, gets nothing: the trace does not depend on them.
func (t *Tracer) AttachAlerts(ctx context.Context, reports []*Report) {
	clients := t.clients()
	namespaces := map[string][]string{}
	for _, r := range reports {
		for _, h := range r.Hops {
			if alerted(h) && clients[h.Cluster] != nil && !slices.Contains(namespaces[h.Cluster], h.Ref.Namespace) {
				namespaces[h.Cluster] = append(namespaces[h.Cluster], h.Ref.Namespace)
			}
		}
	}
	sets := map[string]*alerting.Set{}
	for c, nss := range namespaces {
		if s, err := alerting.Read(ctx, clients[c], nss); err == nil && s != nil {
			sets[c] = s
		}
	}
	for _, r := range reports {
		for i := range r.Hops {
			h := &r.Hops[i]
			if s := sets[h.Cluster]; s != nil && alerted(*h) {
				h.Alerting = alertingOf(s, alerting.Target{Kind: h.Ref.Kind, Namespace: h.Ref.Namespace, Name: h.Ref.Name,
					Labels: t.labelsFor(ctx, s, *h)})
			}
		}
	}
}

// alerted reports whether h is a Flux object read without error, whose controller
// sends events to notification-controller: the hops an Alert can cover.
func alerted(h Hop) bool {
	if h.Error != "" || h.Ref.Namespace == "" || !slices.Contains(alerting.AlertedKinds(), h.Ref.Kind) {
		return false
	}
	gvr, _ := flux.GVR(h.Ref.Kind)
	return schema.FromAPIVersionAndKind(h.Ref.APIVersion, h.Ref.Kind).Group == gvr.Group
}

// alertingOf is the Alerting of target among the Alerts and Providers of s.
func alertingOf(s *alerting.Set, target alerting.Target) *Alerting {
	out := &Alerting{Alerts: []HopAlert{}, Partial: s.Partial}
	for _, a := range alerting.Covering(s.Alerts, target) {
		p := s.Provider(a)
		ha := HopAlert{
			Ref:           output.ObjectRef{APIVersion: "notification.toolkit.fluxcd.io/v1beta3", Kind: flux.KindAlert, Namespace: a.Namespace, Name: a.Name},
			EventSeverity: a.EventSeverity, InclusionList: a.InclusionList, ExclusionList: a.ExclusionList,
			Suspended: a.Suspended, Provider: AlertProvider{Name: a.Provider, Missing: p == nil},
			Undeliverable: alerting.Undeliverable(a, p, alerting.SecretCheck{}),
		}
		if p != nil {
			ha.Provider.Type, ha.Provider.Secret, ha.Provider.Suspended = p.Type, p.Secret, p.Suspended
		}
		out.Notified = out.Notified || ha.Undeliverable == ""
		out.Alerts = append(out.Alerts, ha)
	}
	return out
}

// labelsFor returns the labels of a hop's object, read only when an Alert of s selects
// by labels: from the tracer that read the hop, else with one GET.
func (t *Tracer) labelsFor(ctx context.Context, s *alerting.Set, h Hop) map[string]string {
	needed := false
	for _, a := range s.Alerts {
		for _, src := range a.EventSources {
			needed = needed || (src.Kind == h.Ref.Kind && len(src.MatchLabels) > 0)
		}
	}
	if !needed {
		return nil
	}
	tr := t.tracerIn(h.Cluster)
	if tr == nil {
		return nil
	}
	u, err := tr.getFlux(ctx, h.Ref.Kind, h.Ref.Namespace, h.Ref.Name)
	if err != nil {
		return nil
	}
	return u.GetLabels()
}

// tracerIn is the tracer that read cluster: this one or one it crossed into.
func (t *Tracer) tracerIn(cluster string) *Tracer {
	if cluster == t.cluster {
		return t
	}
	for _, f := range t.found {
		if f.t != nil && f.t.cluster == cluster {
			return f.t
		}
	}
	return nil
}
