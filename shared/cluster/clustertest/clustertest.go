// Package clustertest is a cluster.Factory over in-memory clients, so that a command's
// Options (Complete, Validate, Run) are unit-tested without a control plane.
package clustertest

import (
	"sort"
	"time"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/meta"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/cli-runtime/pkg/resource"
	dynamicfake "k8s.io/client-go/dynamic/fake"
	clienttesting "k8s.io/client-go/testing"
	cmdutil "k8s.io/kubectl/pkg/cmd/util"

	"github.com/kubectl-gitops/kubectl-gitops/shared/cluster"
	"github.com/kubectl-gitops/kubectl-gitops/shared/exitcode"
	"github.com/kubectl-gitops/kubectl-gitops/shared/flux"
)

// Factory answers with a fixed namespace and a dynamic fake client.
type Factory struct {
	Ns       string
	Explicit bool
	Dynamic  *dynamicfake.FakeDynamicClient
	// Name is the context's name; Others are the kubeconfig's other contexts.
	Name   string
	Others map[string]*Factory
}

// New returns a factory whose client holds objs; every Flux kind can be listed.
func New(namespace string, objs ...runtime.Object) *Factory {
	lists := map[schema.GroupVersionResource]string{}
	for _, kind := range []string{flux.KindKustomization, flux.KindHelmRelease, flux.KindGitRepository, flux.KindOCIRepository,
		flux.KindBucket, flux.KindHelmRepository, flux.KindHelmChart, flux.KindExternalArtifact, flux.KindResourceSet} {
		gvr, _ := flux.GVR(kind)
		lists[gvr] = kind + "List"
	}
	for _, kind := range []string{flux.KindAlert, flux.KindProvider, flux.KindReceiver} {
		gvr, _ := flux.NotificationGVR(kind)
		lists[gvr] = kind + "List"
	}
	// Events, which a trace in -o json reads beside its hops.
	lists[schema.GroupVersionResource{Version: "v1", Resource: "events"}] = "EventList"
	dyn := dynamicfake.NewSimpleDynamicClientWithCustomListKinds(runtime.NewScheme(), lists, objs...)
	// No notification-controller: its API answers as an API server that does not serve
	// it (a 404 for the type), so traces attach no Alerts, as in most test clusters.
	for _, kind := range []string{flux.KindAlert, flux.KindProvider, flux.KindReceiver} {
		gvr, _ := flux.NotificationGVR(kind)
		dyn.PrependReactor("list", gvr.Resource, func(clienttesting.Action) (bool, runtime.Object, error) {
			return true, nil, apierrors.NewNotFound(gvr.GroupResource(), "")
		})
	}
	return &Factory{Ns: namespace, Dynamic: dyn}
}

// Namespace implements cluster.Factory.
func (f *Factory) Namespace() (string, bool, error) { return f.Ns, f.Explicit, nil }

// Client implements cluster.Factory.
func (f *Factory) Client() (*cluster.Client, error) {
	return &cluster.Client{Dynamic: f.Dynamic, Mapper: meta.NewDefaultRESTMapper(nil)}, nil
}

// Builder implements cluster.Factory; commands that resolve TYPE/NAME arguments through
// cli-runtime's builder are tested on the real bed instead.
func (f *Factory) Builder() *resource.Builder { return nil }

// Kubectl implements cluster.Factory; completion is tested through the real kubectl.
func (f *Factory) Kubectl() cmdutil.Factory { return nil }

// Lost implements cluster.Factory: an in-memory cluster is never lost.
func (f *Factory) Lost() <-chan error { return nil }

// Context implements cluster.Factory.
func (f *Factory) Context() string { return f.Name }

// Contexts implements cluster.Factory: this context and the others, in name order.
func (f *Factory) Contexts() ([]string, error) {
	names := []string{f.Name}
	for name := range f.Others {
		names = append(names, name)
	}
	sort.Strings(names)
	return names, nil
}

// ForContext implements cluster.Factory over Others (the kubeconfig file is ignored).
func (f *Factory) ForContext(_, context string, _ time.Duration) (cluster.Factory, error) {
	if context == f.Name || context == "" {
		return f, nil
	}
	if o, ok := f.Others[context]; ok {
		return o, nil
	}
	return nil, exitcode.New(exitcode.Usage, "context %q is not in the kubeconfig", context)
}
