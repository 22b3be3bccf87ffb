package alerting

import (
	"cmp"
	"slices"

	helmv2 "github.com/fluxcd/helm-controller/api/v2"
	kustomizev1 "github.com/fluxcd/kustomize-controller/api/v1"
	sourcev1 "github.com/fluxcd/source-controller/api/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"

	"github.com/kubectl-gitops/kubectl-gitops/shared/flux"
)

// Fleet is what a repository says about notifications, read from the objects a
// cluster's Flux would apply (deps --dir renders them): no cluster is asked.
type Fleet struct {
	// Set holds the rendered Alerts and Providers; never Partial.
	Set *Set
	// Objects are the rendered Flux objects an Alert can cover, with the HelmChart
	// helm-controller makes for each HelmRelease that names a chart by spec.chart.
	Objects []Object
	// secrets are the Secrets the repository makes, by namespace and name: plain or
	// SOPS-encrypted Secrets, SealedSecrets, ExternalSecrets' targets.
	secrets map[providerKey]bool
}

// FromRendered reads a rendered fleet. objs are every object its Kustomizations
// render, in any order; an object listed twice (two Kustomizations apply it) counts once.
func FromRendered(objs []*unstructured.Unstructured) *Fleet {
	f := &Fleet{Set: &Set{providers: map[providerKey]Provider{}}, secrets: map[providerKey]bool{}}
	seen := map[string]bool{}
	notification, _ := flux.NotificationGVR(flux.KindAlert)
	for _, u := range objs {
		kind, ns, name := u.GetKind(), u.GetNamespace(), u.GetName()
		id := u.GetAPIVersion() + "/" + kind + "/" + ns + "/" + name
		if seen[id] {
			continue
		}
		seen[id] = true
		group := u.GroupVersionKind().Group
		switch {
		case group == notification.Group && kind == flux.KindAlert:
			_ = f.Set.addAlert(u)
		case group == notification.Group && kind == flux.KindProvider:
			_ = f.Set.addProvider(u)
		case group == "" && kind == "Secret":
			f.secrets[providerKey{ns, name}] = true
		case group == "bitnami.com" && kind == "SealedSecret":
			// The controller names the Secret it unseals after the SealedSecret,
			// whatever spec.template.metadata says.
			f.secrets[providerKey{ns, name}] = true
		case group == "external-secrets.io" && kind == "ExternalSecret":
			// Its target, unless the controller is told not to create it (None, or
			// Merge into a Secret that must exist already).
			policy, _, _ := unstructured.NestedString(u.Object, "spec", "target", "creationPolicy")
			if policy == "None" || policy == "Merge" {
				continue
			}
			n, _, _ := unstructured.NestedString(u.Object, "spec", "target", "name")
			f.secrets[providerKey{ns, cmp.Or(n, name)}] = true
		case isFluxGroup(group) && slices.Contains(AlertedKinds(), kind):
			f.Objects = append(f.Objects, Object{APIVersion: u.GetAPIVersion(), Target: Target{Kind: kind, Namespace: ns, Name: name, Labels: u.GetLabels()}})
			if kind == flux.KindHelmRelease {
				f.addHelmChart(u, seen)
			}
		}
	}
	return f
}

// addHelmChart adds the HelmChart helm-controller creates for a HelmRelease with
// spec.chart: named <namespace>-<name> of the release, in its source's namespace. A
// release with spec.chartRef uses an existing chart, which is rendered on its own.
func (f *Fleet) addHelmChart(hr *unstructured.Unstructured, seen map[string]bool) {
	if _, ok, _ := unstructured.NestedMap(hr.Object, "spec", "chart", "spec"); !ok {
		return
	}
	ns, _, _ := unstructured.NestedString(hr.Object, "spec", "chart", "spec", "sourceRef", "namespace")
	// helm-controller copies spec.chart.metadata.labels onto the HelmChart: what an
	// Alert's matchLabels select it by.
	labels, _, _ := unstructured.NestedStringMap(hr.Object, "spec", "chart", "metadata", "labels")
	t := Target{Kind: flux.KindHelmChart, Namespace: cmp.Or(ns, hr.GetNamespace()), Name: hr.GetNamespace() + "-" + hr.GetName(), Labels: labels}
	apiVersion := sourcev1.GroupVersion.String()
	id := apiVersion + "/" + t.Kind + "/" + t.Namespace + "/" + t.Name
	if !seen[id] {
		seen[id] = true
		f.Objects = append(f.Objects, Object{APIVersion: apiVersion, Target: t})
	}
}

// Add adds a Flux object the walk knows of without rendering it (a FluxInstance's
// sync Kustomization and source, which flux-operator creates), unless rendered.
func (f *Fleet) Add(o Object) {
	for _, have := range f.Objects {
		if have.Target.Kind == o.Kind && have.Namespace == o.Namespace && have.Name == o.Name {
			return
		}
	}
	f.Objects = append(f.Objects, o)
}

// SecretInRepository tells whether the repository makes the Secret: what it does not
// make may still be created by hand in the cluster, which offline cannot see.
func (f *Fleet) SecretInRepository(namespace, name string) bool {
	return f.secrets[providerKey{namespace, name}]
}

// MissingSecrets are the Providers' Secrets ("namespace/name") the repository does
// not make, for the Alerts given.
func (f *Fleet) MissingSecrets(alerts []Alert) []string {
	var out []string
	for _, a := range alerts {
		p := f.Set.Provider(a)
		if p == nil || p.Secret == "" || f.SecretInRepository(p.Namespace, p.Secret) {
			continue
		}
		if s := p.Namespace + "/" + p.Secret; !slices.Contains(out, s) {
			out = append(out, s)
		}
	}
	slices.Sort(out)
	return out
}

func isFluxGroup(group string) bool {
	switch group {
	case sourcev1.GroupVersion.Group, kustomizev1.GroupVersion.Group, helmv2.GroupVersion.Group:
		return true
	}
	return false
}

// Cover is the coverage of the rendered fleet of the cluster at path. A Provider's
// Secret the repository does not make is listed in Unknown (it may be created by
// hand); with strict it makes the Alert undeliverable, as deps --dir --strict counts
// what offline cannot know as a problem.
func (f *Fleet) Cover(path string, strict bool) *Coverage {
	secrets := SecretCheck{Exists: func(namespace, name string) bool {
		return !strict || f.SecretInRepository(namespace, name)
	}, Missing: "is not in the repository"}
	c := Cover(f.Objects, f.Set, f.Set.Alerts, secrets)
	c.Path = path
	if !strict {
		c.Unknown = f.MissingSecrets(f.Set.Alerts)
	}
	return c
}
