package alerting

import (
	"context"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/client-go/dynamic"

	"github.com/kubectl-gitops/kubectl-gitops/shared/cluster"
	"github.com/kubectl-gitops/kubectl-gitops/shared/flux"
)

// Set is the Alerts and Providers one cluster holds, as far as they could be read.
type Set struct {
	Alerts    []Alert
	providers map[providerKey]Provider
	// Partial is set when the cluster-wide list was forbidden and only the namespaces
	// asked about were read: an Alert elsewhere whose eventSources name them is unseen.
	Partial bool
}

type providerKey struct{ namespace, name string }

// Provider returns the Provider an Alert refers to, nil when none of that name exists
// in the Alert's namespace.
func (s *Set) Provider(a Alert) *Provider {
	if p, ok := s.providers[providerKey{a.Namespace, a.Provider}]; ok {
		return &p
	}
	return nil
}

// Read lists the cluster's Alerts, and its Providers when there is an Alert: one list
// of each for the whole cluster (Alerts are few, and an Alert in any namespace may
// name objects in another), else, when that is forbidden, one per namespace in
// namespaces. A cluster that does not serve the notification API (no
// notification-controller) gives nil and no error: nothing to say, nothing wrong. A
// namespace that cannot be read is left out and the Set marked Partial.
func Read(ctx context.Context, dyn dynamic.Interface, namespaces []string) (*Set, error) {
	s := &Set{providers: map[providerKey]Provider{}}
	err := s.list(ctx, dyn, flux.KindAlert, "", s.addAlert)
	switch {
	case err != nil && cluster.IsTypeMissing(err):
		return nil, nil
	case err != nil && apierrors.IsForbidden(err):
		s.Partial = true
		read := false
		for _, ns := range namespaces {
			if err := s.list(ctx, dyn, flux.KindAlert, ns, s.addAlert); err == nil {
				read = true
			} else if cluster.IsTypeMissing(err) {
				return nil, nil
			}
		}
		if !read {
			return nil, err
		}
	case err != nil:
		return nil, cluster.Classify(err)
	}
	if len(s.Alerts) == 0 {
		return s, nil
	}
	if !s.Partial {
		if err := s.list(ctx, dyn, flux.KindProvider, "", s.addProvider); err == nil || !apierrors.IsForbidden(err) {
			return s, cluster.Classify(err)
		}
	}
	seen := map[string]bool{}
	for _, a := range s.Alerts {
		if !seen[a.Namespace] {
			seen[a.Namespace] = true
			// A namespace whose Providers cannot be read leaves its Alerts' Providers
			// unknown, which reads as missing: marked Partial so that no one acts on it.
			if err := s.list(ctx, dyn, flux.KindProvider, a.Namespace, s.addProvider); err != nil {
				s.Partial = true
			}
		}
	}
	return s, nil
}

func (s *Set) addAlert(u *unstructured.Unstructured) error {
	a, err := AlertOf(u)
	if err == nil {
		s.Alerts = append(s.Alerts, a)
	}
	return nil // one unreadable Alert does not hide the others
}

func (s *Set) addProvider(u *unstructured.Unstructured) error {
	if p, err := ProviderOf(u); err == nil {
		s.providers[providerKey{p.Namespace, p.Name}] = p
	}
	return nil
}

// list pages through one kind in namespace ("" for all).
func (s *Set) list(ctx context.Context, dyn dynamic.Interface, kind, namespace string, fn func(*unstructured.Unstructured) error) error {
	gvr, _ := flux.NotificationGVR(kind)
	opts := metav1.ListOptions{Limit: flux.PageSize}
	for {
		list, err := dyn.Resource(gvr).Namespace(namespace).List(ctx, opts)
		if err != nil {
			return err
		}
		for i := range list.Items {
			if err := fn(&list.Items[i]); err != nil {
				return err
			}
		}
		if opts.Continue = list.GetContinue(); opts.Continue == "" {
			return nil
		}
	}
}
