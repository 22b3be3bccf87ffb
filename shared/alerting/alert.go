// Package alerting reads notification-controller's Alerts and Providers and says which
// of them a Flux object's events reach, as notification-controller decides it: a trace
// shows it beside each hop and `deps --alerts` lists what reaches nobody, so that a
// failure nobody hears of is found before the incident rather than during it.
//
// Only names and types are kept: a Provider's address, proxy and Secret values (a
// Slack webhook URL is a credential) are never read into these types, and a Secret is
// only ever named.
package alerting

import (
	"fmt"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime"
)

// Alert is what the suite reads of one Alert (notification.toolkit.fluxcd.io/v1beta3).
type Alert struct {
	Namespace, Name string
	// Provider names the Provider in the Alert's namespace (spec.providerRef.name).
	Provider string
	// EventSeverity is "info" (every event, the default) or "error" (errors only).
	EventSeverity string
	EventSources  []Source
	// InclusionList and ExclusionList are regular expressions on the event's message.
	InclusionList, ExclusionList []string
	Suspended                    bool
}

// Source is one entry of an Alert's spec.eventSources.
type Source struct {
	Kind string `json:"kind"`
	// Name is an object's name, or "*" for every object of Kind.
	Name string `json:"name"`
	// Namespace defaults to the Alert's.
	Namespace   string            `json:"namespace,omitempty"`
	MatchLabels map[string]string `json:"matchLabels,omitempty"`
}

// Provider is what the suite reads of one Provider: never its address nor a Secret's
// values.
type Provider struct {
	Namespace, Name string
	Type            string
	// Secret is the name of spec.secretRef's Secret, in the Provider's namespace.
	Secret    string
	Suspended bool
}

// alertDoc and providerDoc are the fields decoded from the cluster's objects: the
// Provider's address, proxy and certificates are absent, so they are never held.
type alertDoc struct {
	Spec struct {
		ProviderRef struct {
			Name string `json:"name"`
		} `json:"providerRef"`
		EventSeverity string   `json:"eventSeverity,omitempty"`
		EventSources  []Source `json:"eventSources"`
		InclusionList []string `json:"inclusionList,omitempty"`
		ExclusionList []string `json:"exclusionList,omitempty"`
		Suspend       bool     `json:"suspend,omitempty"`
	} `json:"spec"`
}

type providerDoc struct {
	Spec struct {
		Type      string `json:"type"`
		SecretRef *struct {
			Name string `json:"name"`
		} `json:"secretRef,omitempty"`
		Suspend bool `json:"suspend,omitempty"`
	} `json:"spec"`
}

// AlertOf reads an Alert from the cluster's object.
func AlertOf(u *unstructured.Unstructured) (Alert, error) {
	var d alertDoc
	if err := runtime.DefaultUnstructuredConverter.FromUnstructured(u.Object, &d); err != nil {
		return Alert{}, fmt.Errorf("cannot read Alert %s/%s: %w", u.GetNamespace(), u.GetName(), err)
	}
	a := Alert{
		Namespace: u.GetNamespace(), Name: u.GetName(), Provider: d.Spec.ProviderRef.Name,
		EventSeverity: d.Spec.EventSeverity, EventSources: d.Spec.EventSources,
		InclusionList: d.Spec.InclusionList, ExclusionList: d.Spec.ExclusionList, Suspended: d.Spec.Suspend,
	}
	if a.EventSeverity == "" {
		a.EventSeverity = SeverityInfo // the CRD's default
	}
	return a, nil
}

// ProviderOf reads a Provider from the cluster's object, without its address.
func ProviderOf(u *unstructured.Unstructured) (Provider, error) {
	var d providerDoc
	if err := runtime.DefaultUnstructuredConverter.FromUnstructured(u.Object, &d); err != nil {
		return Provider{}, fmt.Errorf("cannot read Provider %s/%s: %w", u.GetNamespace(), u.GetName(), err)
	}
	p := Provider{Namespace: u.GetNamespace(), Name: u.GetName(), Type: d.Spec.Type, Suspended: d.Spec.Suspend}
	if d.Spec.SecretRef != nil {
		p.Secret = d.Spec.SecretRef.Name
	}
	return p, nil
}
