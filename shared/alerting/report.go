package alerting

import (
	"slices"
	"strings"

	"github.com/kubectl-gitops/kubectl-gitops/shared/output"
)

// Coverage is the result of `kubectl gitops deps --alerts`, `kind: AlertCoverage`:
// the Flux objects whose failures reach no Alert that can deliver, and the Alerts that
// cannot deliver as far as the cluster shows. Both are silent until the day they
// matter, which is why they are looked for ahead of it.
type Coverage struct {
	output.TypeMeta `json:",inline"`
	// Path is the cluster's sync path when the fleet was read from a repository
	// (deps --dir): one document per cluster.
	Path string `json:"path,omitempty"`
	// NotificationInstalled is false when the cluster does not serve
	// notification-controller's API: then no failure notifies anyone.
	NotificationInstalled bool `json:"notificationInstalled"`
	// Checked counts the Flux objects looked at.
	Checked int `json:"checked"`
	// Uncovered are the objects no deliverable Alert covers, by kind and name.
	Uncovered []Uncovered `json:"uncovered"`
	// Undeliverable are the Alerts that cannot deliver, by namespace and name.
	Undeliverable []UndeliverableAlert `json:"undeliverable"`
	// Unknown are the Providers' Secrets ("namespace/name") a repository does not
	// make: offline cannot tell whether they exist in the cluster.
	Unknown []string `json:"unknown,omitempty"`
	// Partial is set when some Alerts, Providers or Flux objects could not be read.
	Partial bool `json:"partial,omitempty"`
	// HasProblems is the --check verdict: anything uncovered or undeliverable, or
	// nothing to check (as deps --check fails on a namespace without Flux objects: a
	// wrong -n must not pass).
	HasProblems bool `json:"hasProblems"`
}

// Uncovered is a Flux object whose failures reach no Alert that can deliver.
type Uncovered struct {
	Ref output.ObjectRef `json:"ref"`
	// Alerts names ("namespace/name") the Alerts that cover it but cannot deliver.
	Alerts []string `json:"alerts,omitempty"`
}

// UndeliverableAlert is an Alert that cannot deliver, and why.
type UndeliverableAlert struct {
	Ref      output.ObjectRef `json:"ref"`
	Provider string           `json:"provider"`
	Reason   string           `json:"reason"`
}

// Object is a Flux object whose coverage is checked: its apiVersion and its target.
type Object struct {
	APIVersion string
	Target
}

// Cover checks objects against the Alerts and Providers of s (nil: the cluster has no
// notification-controller). alerts are the Alerts whose deliverability is reported
// (those of the namespaces asked about); secrets tells whether a Provider's
// Secret exists (a zero SecretCheck: not checked).
func Cover(objects []Object, s *Set, alerts []Alert, secrets SecretCheck) *Coverage {
	c := &Coverage{TypeMeta: output.NewTypeMeta(output.KindAlertCoverage), NotificationInstalled: s != nil,
		Checked: len(objects), Uncovered: []Uncovered{}, Undeliverable: []UndeliverableAlert{}}
	why := map[providerKey]string{} // by Alert
	if s != nil {
		c.Partial = s.Partial
		for _, a := range s.Alerts {
			why[providerKey{a.Namespace, a.Name}] = Undeliverable(a, s.Provider(a), secrets)
		}
	}
	for _, o := range objects {
		var covering []Alert
		if s != nil {
			covering = Covering(s.Alerts, o.Target)
		}
		u := Uncovered{Ref: output.ObjectRef{APIVersion: o.APIVersion, Kind: o.Kind, Namespace: o.Namespace, Name: o.Name}}
		delivered := false
		for _, a := range covering {
			if why[providerKey{a.Namespace, a.Name}] == "" {
				delivered = true
				break
			}
			u.Alerts = append(u.Alerts, a.Namespace+"/"+a.Name)
		}
		if !delivered {
			c.Uncovered = append(c.Uncovered, u)
		}
	}
	for _, a := range alerts {
		if r := why[providerKey{a.Namespace, a.Name}]; r != "" {
			c.Undeliverable = append(c.Undeliverable, UndeliverableAlert{
				Ref:      output.ObjectRef{APIVersion: "notification.toolkit.fluxcd.io/v1beta3", Kind: "Alert", Namespace: a.Namespace, Name: a.Name},
				Provider: a.Provider, Reason: r,
			})
		}
	}
	slices.SortFunc(c.Uncovered, func(x, y Uncovered) int {
		return strings.Compare(x.Ref.Kind+"/"+x.Ref.Namespace+"/"+x.Ref.Name, y.Ref.Kind+"/"+y.Ref.Namespace+"/"+y.Ref.Name)
	})
	slices.SortFunc(c.Undeliverable, func(x, y UndeliverableAlert) int {
		return strings.Compare(x.Ref.Namespace+"/"+x.Ref.Name, y.Ref.Namespace+"/"+y.Ref.Name)
	})
	c.HasProblems = len(c.Uncovered) > 0 || len(c.Undeliverable) > 0 || c.Checked == 0
	return c
}
