package alerting

import (
	"slices"
	"testing"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
)

func TestCovers(t *testing.T) {
	ks := Target{Kind: "Kustomization", Namespace: "flux-system", Name: "apps", Labels: map[string]string{"team": "shop"}}
	for _, tc := range []struct {
		name    string
		sources []Source
		target  Target
		want    bool
	}{
		{"exact name, namespace defaulted to the Alert's", []Source{{Kind: "Kustomization", Name: "apps"}}, ks, true},
		{"wildcard name", []Source{{Kind: "Kustomization", Name: "*"}}, ks, true},
		{"other name", []Source{{Kind: "Kustomization", Name: "infra"}}, ks, false},
		{"other kind", []Source{{Kind: "HelmRelease", Name: "*"}}, ks, false},
		{"kind is case-sensitive", []Source{{Kind: "kustomization", Name: "*"}}, ks, false},
		{"other namespace by default", []Source{{Kind: "Kustomization", Name: "*"}},
			Target{Kind: "Kustomization", Namespace: "shop", Name: "apps"}, false},
		{"explicit namespace", []Source{{Kind: "Kustomization", Name: "*", Namespace: "shop"}},
			Target{Kind: "Kustomization", Namespace: "shop", Name: "apps"}, true},
		{"no namespace wildcard", []Source{{Kind: "Kustomization", Name: "*", Namespace: "*"}}, ks, false},
		{"matchLabels met", []Source{{Kind: "Kustomization", Name: "*", MatchLabels: map[string]string{"team": "shop"}}}, ks, true},
		{"matchLabels other value", []Source{{Kind: "Kustomization", Name: "*", MatchLabels: map[string]string{"team": "infra"}}}, ks, false},
		{"matchLabels on an object without labels", []Source{{Kind: "Kustomization", Name: "*", MatchLabels: map[string]string{"team": "shop"}}},
			Target{Kind: "Kustomization", Namespace: "flux-system", Name: "apps"}, false},
		{"second source matches", []Source{{Kind: "GitRepository", Name: "*"}, {Kind: "Kustomization", Name: "apps"}}, ks, true},
		{"no sources", nil, ks, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			a := Alert{Namespace: "flux-system", Name: "a", EventSources: tc.sources}
			if got := a.Covers(tc.target); got != tc.want {
				t.Errorf("Covers(%+v) = %v, want %v", tc.target, got, tc.want)
			}
		})
	}
}

func TestCoveringSorted(t *testing.T) {
	all := []Source{{Kind: "Kustomization", Name: "*"}}
	alerts := []Alert{
		{Namespace: "flux-system", Name: "z", EventSources: all},
		{Namespace: "flux-system", Name: "b", EventSources: []Source{{Kind: "Kustomization", Name: "other"}}},
		{Namespace: "flux-system", Name: "a", EventSources: all},
	}
	var names []string
	for _, a := range Covering(alerts, Target{Kind: "Kustomization", Namespace: "flux-system", Name: "apps"}) {
		names = append(names, a.Name)
	}
	if want := []string{"a", "z"}; !slices.Equal(names, want) {
		t.Errorf("Covering = %v, want %v", names, want)
	}
}

func TestUndeliverable(t *testing.T) {
	a := Alert{Namespace: "flux-system", Name: "a", Provider: "slack"}
	ok := &Provider{Namespace: "flux-system", Name: "slack", Type: "slack", Secret: "slack-url"}
	has := func(ns, name string) bool { return name == "slack-url" }
	hasNot := func(ns, name string) bool { return false }
	suspended := a
	suspended.Suspended = true
	for _, tc := range []struct {
		name     string
		alert    Alert
		provider *Provider
		secret   func(ns, name string) bool
		want     string
	}{
		{"delivers", a, ok, has, ""},
		{"secret not checked", a, ok, nil, ""},
		{"alert suspended", suspended, ok, has, "the Alert is suspended"},
		{"provider missing", a, nil, has, "its Provider flux-system/slack does not exist"},
		{"provider suspended", a, &Provider{Namespace: "flux-system", Name: "slack", Suspended: true}, has, "its Provider flux-system/slack is suspended"},
		{"secret missing", a, ok, hasNot, "its Provider's Secret flux-system/slack-url does not exist"},
		{"no secret needed", a, &Provider{Namespace: "flux-system", Name: "slack", Type: "generic"}, hasNot, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := Undeliverable(tc.alert, tc.provider, SecretCheck{Exists: tc.secret}); got != tc.want {
				t.Errorf("Undeliverable = %q, want %q", got, tc.want)
			}
		})
	}
}

func TestReadKeepsNoAddress(t *testing.T) {
	u := &unstructured.Unstructured{Object: map[string]any{
		"apiVersion": "notification.toolkit.fluxcd.io/v1beta3", "kind": "Provider",
		"metadata": map[string]any{"name": "slack", "namespace": "flux-system"},
		"spec": map[string]any{"type": "slack", "address": "https://hooks.example.com/T000/SECRET",
			"secretRef": map[string]any{"name": "slack-url"}, "suspend": true},
	}}
	p, err := ProviderOf(u)
	if err != nil {
		t.Fatal(err)
	}
	if want := (Provider{Namespace: "flux-system", Name: "slack", Type: "slack", Secret: "slack-url", Suspended: true}); p != want {
		t.Errorf("ProviderOf = %+v, want %+v", p, want)
	}
	al := &unstructured.Unstructured{Object: map[string]any{
		"apiVersion": "notification.toolkit.fluxcd.io/v1beta3", "kind": "Alert",
		"metadata": map[string]any{"name": "on-call", "namespace": "flux-system"},
		"spec": map[string]any{"providerRef": map[string]any{"name": "slack"},
			"eventSources":  []any{map[string]any{"kind": "Kustomization", "name": "*", "matchLabels": map[string]any{"team": "shop"}}},
			"exclusionList": []any{"waiting.*"}},
	}}
	a, err := AlertOf(al)
	if err != nil {
		t.Fatal(err)
	}
	if a.EventSeverity != SeverityInfo || a.Provider != "slack" || len(a.EventSources) != 1 ||
		a.EventSources[0].MatchLabels["team"] != "shop" || !slices.Equal(a.ExclusionList, []string{"waiting.*"}) {
		t.Errorf("AlertOf = %+v", a)
	}
}
