package cluster

import (
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/client-go/discovery"
	"k8s.io/client-go/dynamic"
)

// discoveringDynamic is a Client's dynamic client with the discovery client of the same
// cluster beside it. The Flux access path is handed only the dynamic client, yet a
// NotFound for a named object cannot say on its own whether the object or its whole
// type is missing (kube-apiserver answers both with the same Status): this lets it ask.
type discoveringDynamic struct {
	dynamic.Interface
	discovery discovery.DiscoveryInterface
}

// Discovery returns the discovery client of the cluster the dynamic client talks to.
func (d discoveringDynamic) Discovery() discovery.DiscoveryInterface { return d.discovery }

// WithDiscovery returns dyn carrying disc, for Served. Clients built by this package
// carry a live (uncached) discovery client: the question is only asked after a
// NotFound, and a cached answer could be older than a Flux install or uninstall.
func WithDiscovery(dyn dynamic.Interface, disc discovery.DiscoveryInterface) dynamic.Interface {
	if disc == nil {
		return dyn
	}
	return discoveringDynamic{Interface: dyn, discovery: disc}
}

// Served reports whether the cluster behind dyn serves the resource gvr, asking
// discovery for its group/version (one request). known is false when it cannot tell:
// dyn carries no discovery client (an in-memory fake), or discovery failed otherwise
// than with a NotFound for the group/version; callers then keep the error they had.
func Served(dyn dynamic.Interface, gvr schema.GroupVersionResource) (served, known bool) {
	d, ok := dyn.(interface {
		Discovery() discovery.DiscoveryInterface
	})
	if !ok || d.Discovery() == nil {
		return false, false
	}
	list, err := d.Discovery().ServerResourcesForGroupVersion(gvr.GroupVersion().String())
	switch {
	case err != nil && apierrors.IsNotFound(err):
		return false, true
	case err != nil, list == nil:
		return false, false
	}
	for _, r := range list.APIResources {
		if r.Name == gvr.Resource {
			return true, true
		}
	}
	return false, true
}
