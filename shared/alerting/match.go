package alerting

import (
	"cmp"
	"slices"
	"strings"
)

// Event severities of an Alert's spec.eventSeverity.
const (
	SeverityInfo  = "info"
	SeverityError = "error"
)

// Target is a Flux object whose events an Alert may cover.
type Target struct {
	Kind, Namespace, Name string
	// Labels are the object's labels, for eventSources with matchLabels.
	Labels map[string]string
}

// Covers reports whether the Alert's eventSources match t, as notification-controller
// matches an event's involvedObject: same kind, same namespace (the Alert's when the
// source names none; there is no namespace wildcard), the same name or "*", and every
// matchLabels entry among t's labels. Severity, inclusion and exclusion lists filter
// single messages, not objects, and suspension is the caller's to weigh: they are
// reported beside the match, not folded into it.
func (a Alert) Covers(t Target) bool {
	for _, s := range a.EventSources {
		if sourceMatches(s, a.Namespace, t) {
			return true
		}
	}
	return false
}

func sourceMatches(s Source, alertNamespace string, t Target) bool {
	ns := s.Namespace
	if ns == "" {
		ns = alertNamespace
	}
	if s.Kind != t.Kind || ns != t.Namespace {
		return false
	}
	if s.Name != "*" && s.Name != t.Name {
		return false
	}
	for k, v := range s.MatchLabels {
		if got, ok := t.Labels[k]; !ok || got != v {
			return false
		}
	}
	return true
}

// Covering returns the Alerts that cover t, by namespace and name.
func Covering(alerts []Alert, t Target) []Alert {
	var out []Alert
	for _, a := range alerts {
		if a.Covers(t) {
			out = append(out, a)
		}
	}
	slices.SortFunc(out, func(x, y Alert) int {
		return strings.Compare(x.Namespace+"/"+x.Name, y.Namespace+"/"+y.Name)
	})
	return out
}

// Undeliverable says why an Alert cannot deliver as far as the cluster shows, "" when
// nothing says it cannot: the Alert or its Provider suspended, the Provider missing,
// or (when secrets.Exists is given) the Provider's Secret missing. provider is nil when
// no Provider of that name exists in the Alert's namespace.
func Undeliverable(a Alert, provider *Provider, secrets SecretCheck) string {
	switch {
	case a.Suspended:
		return "the Alert is suspended"
	case provider == nil:
		return "its Provider " + a.Namespace + "/" + a.Provider + " does not exist"
	case provider.Suspended:
		return "its Provider " + a.Namespace + "/" + a.Provider + " is suspended"
	case provider.Secret != "" && secrets.Exists != nil && !secrets.Exists(provider.Namespace, provider.Secret):
		return "its Provider's Secret " + provider.Namespace + "/" + provider.Secret + " " + cmp.Or(secrets.Missing, "does not exist")
	}
	return ""
}

// SecretCheck is how the Secret a Provider names is checked: Exists tells whether it
// exists (nil: not checked), Missing how a missing one is said ("does not exist" by
// default; offline, "is not in the repository").
type SecretCheck struct {
	Exists  func(namespace, name string) bool
	Missing string
}
