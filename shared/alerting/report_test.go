package alerting

import (
	"bytes"
	"strings"
	"testing"

	"github.com/kubectl-gitops/kubectl-gitops/shared/output"
)

func obj(kind, ns, name string) Object {
	return Object{APIVersion: "x/v1", Target: Target{Kind: kind, Namespace: ns, Name: name}}
}

func TestCover(t *testing.T) {
	ks := func(name string) Source { return Source{Kind: "Kustomization", Name: name} }
	set := func(alerts []Alert, providers ...Provider) *Set {
		s := &Set{Alerts: alerts, providers: map[providerKey]Provider{}}
		for _, p := range providers {
			s.providers[providerKey{p.Namespace, p.Name}] = p
		}
		return s
	}
	hook := Provider{Namespace: "ns", Name: "hook", Type: "generic"}
	slack := Provider{Namespace: "ns", Name: "slack", Type: "slack", Secret: "slack-url"}
	objects := []Object{obj("Kustomization", "ns", "a"), obj("Kustomization", "ns", "b"), obj("GitRepository", "ns", "repo")}
	noSecret := func(ns, name string) bool { return false }
	for _, tc := range []struct {
		name          string
		set           *Set
		objects       []Object
		uncovered     []string // "Kind/name [alerts]"
		undeliverable []string // "name: reason"
		problems      bool
	}{
		{"no notification-controller", nil, objects,
			[]string{"GitRepository/repo []", "Kustomization/a []", "Kustomization/b []"}, nil, true},
		{"a covered, b and the source not", set([]Alert{{Namespace: "ns", Name: "al", Provider: "hook", EventSources: []Source{ks("a")}}}, hook), objects,
			[]string{"GitRepository/repo []", "Kustomization/b []"}, nil, true},
		{"everything covered", set([]Alert{{Namespace: "ns", Name: "al", Provider: "hook",
			EventSources: []Source{ks("*"), {Kind: "GitRepository", Name: "*"}}}}, hook), objects, nil, nil, false},
		{"covered only by an Alert whose Provider is missing", set([]Alert{{Namespace: "ns", Name: "al", Provider: "gone",
			EventSources: []Source{ks("*"), {Kind: "GitRepository", Name: "*"}}}}), objects,
			[]string{"GitRepository/repo [ns/al]", "Kustomization/a [ns/al]", "Kustomization/b [ns/al]"},
			[]string{"al: its Provider ns/gone does not exist"}, true},
		{"Provider's Secret missing", set([]Alert{{Namespace: "ns", Name: "al", Provider: "slack",
			EventSources: []Source{ks("*"), {Kind: "GitRepository", Name: "*"}}}}, slack), objects,
			[]string{"GitRepository/repo [ns/al]", "Kustomization/a [ns/al]", "Kustomization/b [ns/al]"},
			[]string{"al: its Provider's Secret ns/slack-url does not exist"}, true},
		{"a second Alert that delivers covers for a suspended one", set([]Alert{
			{Namespace: "ns", Name: "off", Provider: "hook", Suspended: true, EventSources: []Source{ks("*")}},
			{Namespace: "ns", Name: "on", Provider: "hook", EventSources: []Source{ks("*"), {Kind: "GitRepository", Name: "*"}}}}, hook), objects,
			nil, []string{"off: the Alert is suspended"}, true},
		{"nothing to check", set(nil), nil, nil, nil, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var alerts []Alert
			if tc.set != nil {
				alerts = tc.set.Alerts
			}
			c := Cover(tc.objects, tc.set, alerts, SecretCheck{Exists: noSecret})
			var un, und []string
			for _, u := range c.Uncovered {
				un = append(un, u.Ref.Kind+"/"+u.Ref.Name+" ["+strings.Join(u.Alerts, ",")+"]")
			}
			for _, u := range c.Undeliverable {
				und = append(und, u.Ref.Name+": "+u.Reason)
			}
			if strings.Join(un, "; ") != strings.Join(tc.uncovered, "; ") {
				t.Errorf("uncovered = %q, want %q", un, tc.uncovered)
			}
			if strings.Join(und, "; ") != strings.Join(tc.undeliverable, "; ") {
				t.Errorf("undeliverable = %q, want %q", und, tc.undeliverable)
			}
			if c.HasProblems != tc.problems || c.NotificationInstalled != (tc.set != nil) {
				t.Errorf("hasProblems = %v, notificationInstalled = %v", c.HasProblems, c.NotificationInstalled)
			}
		})
	}
}

func TestCoverageText(t *testing.T) {
	s := &Set{Alerts: []Alert{{Namespace: "ns", Name: "al", Provider: "gone", EventSources: []Source{{Kind: "Kustomization", Name: "a"}}}},
		providers: map[providerKey]Provider{}}
	c := Cover([]Object{obj("Kustomization", "ns", "a"), obj("Kustomization", "ns", "b")}, s, s.Alerts, SecretCheck{})
	var buf bytes.Buffer
	if err := c.WriteText(&buf, output.TextOptions{}); err != nil {
		t.Fatal(err)
	}
	want := `Failures notify nobody (no Alert that can deliver covers them):
KIND           NAME  COVERED BY (CANNOT DELIVER)
Kustomization  ns/a  ns/al
Kustomization  ns/b

Alerts that cannot deliver:
ALERT  PROVIDER  WHY
ns/al  gone      its Provider ns/gone does not exist

problems: 2 of 2 Flux objects notify nobody on failure, 1 Alerts cannot deliver
`
	if buf.String() != want {
		t.Errorf("text view:\n%s\nwant:\n%s", buf.String(), want)
	}
}
