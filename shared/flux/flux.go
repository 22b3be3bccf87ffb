// Package flux is the suite's one access path to Flux's own objects: the resource path
// of each kind, get and list with Flux-aware errors ("Flux is not installed", a
// not-found message that says how to list what exists), and the typed structs of
// Flux's API modules.
//
// Flux's resource paths are fixed by its API, so this package addresses them directly
// rather than through discovery: a trace that already knows it needs a Kustomization
// should spend its request on the Kustomization, not on asking where Kustomizations live.
// Discovery is asked only after a NotFound for a named object, the one answer that
// cannot tell a missing object from a missing Flux.
package flux

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"

	helmv2 "github.com/fluxcd/helm-controller/api/v2"
	kustomizev1 "github.com/fluxcd/kustomize-controller/api/v1"
	sourcev1 "github.com/fluxcd/source-controller/api/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/client-go/dynamic"

	"github.com/kubectl-gitops/kubectl-gitops/shared/cluster"
	"github.com/kubectl-gitops/kubectl-gitops/shared/exitcode"
)

// Kind names of the Flux objects the suite walks through.
const (
	KindKustomization    = "Kustomization"
	KindHelmRelease      = "HelmRelease"
	KindGitRepository    = "GitRepository"
	KindOCIRepository    = "OCIRepository"
	KindBucket           = "Bucket"
	KindHelmRepository   = "HelmRepository"
	KindHelmChart        = "HelmChart"
	KindExternalArtifact = "ExternalArtifact"
	// KindResourceSet is flux-operator's ResourceSet (fluxcd.controlplane.io).
	KindResourceSet = "ResourceSet"
	// KindAlert and KindProvider are notification-controller's: which events of which
	// Flux objects are sent, and where.
	KindAlert    = "Alert"
	KindProvider = "Provider"
	// KindReceiver is notification-controller's webhook: a push to the Git server
	// triggers the sources it names at once, instead of at their next poll.
	KindReceiver = "Receiver"
)

// NotificationGVR is the resource path of an Alert or a Provider, at v1beta3: the one
// version notification-controller v1.x serves for them (there is no v1). They are not
// in GVR, which names the kinds a trace walks through: an Alert is not a hop, it
// watches hops.
func NotificationGVR(kind string) (schema.GroupVersionResource, bool) {
	gv := schema.GroupVersion{Group: "notification.toolkit.fluxcd.io", Version: "v1beta3"}
	switch kind {
	case KindAlert:
		return gv.WithResource("alerts"), true
	case KindProvider:
		return gv.WithResource("providers"), true
	case KindReceiver:
		// Receivers are served at v1 (Alerts and Providers are not yet).
		return schema.GroupVersion{Group: gv.Group, Version: "v1"}.WithResource("receivers"), true
	}
	return schema.GroupVersionResource{}, false
}

// Labels and annotations Flux and Helm put on applied objects.
const (
	KustomizeNameLabel       = "kustomize.toolkit.fluxcd.io/name"
	KustomizeNamespaceLabel  = "kustomize.toolkit.fluxcd.io/namespace"
	HelmNameLabel            = "helm.toolkit.fluxcd.io/name"
	HelmNamespaceLabel       = "helm.toolkit.fluxcd.io/namespace"
	HelmReleaseNameAnno      = "meta.helm.sh/release-name"
	HelmReleaseNamespaceAnno = "meta.helm.sh/release-namespace"
	// ResourceSetNameLabel and ResourceSetNamespaceLabel are what flux-operator puts on
	// the objects a ResourceSet creates.
	ResourceSetNameLabel      = "resourceset.fluxcd.controlplane.io/name"
	ResourceSetNamespaceLabel = "resourceset.fluxcd.controlplane.io/namespace"
	// ReconcileAnnotation is the manual-reconcile request every Flux controller honours.
	ReconcileAnnotation = "reconcile.fluxcd.io/requestedAt"
)

// GVR returns the resource path of a Flux kind, and false for kinds that are not Flux's.
func GVR(kind string) (schema.GroupVersionResource, bool) {
	switch kind {
	case KindKustomization:
		return kustomizev1.GroupVersion.WithResource("kustomizations"), true
	case KindHelmRelease:
		return helmv2.GroupVersion.WithResource("helmreleases"), true
	case KindGitRepository:
		return sourcev1.GroupVersion.WithResource("gitrepositories"), true
	case KindOCIRepository:
		return sourcev1.GroupVersion.WithResource("ocirepositories"), true
	case KindBucket:
		return sourcev1.GroupVersion.WithResource("buckets"), true
	case KindHelmRepository:
		return sourcev1.GroupVersion.WithResource("helmrepositories"), true
	case KindHelmChart:
		return sourcev1.GroupVersion.WithResource("helmcharts"), true
	case KindExternalArtifact:
		return sourcev1.GroupVersion.WithResource("externalartifacts"), true
	case KindResourceSet:
		return schema.GroupVersionResource{Group: "fluxcd.controlplane.io", Version: "v1", Resource: "resourcesets"}, true
	}
	return schema.GroupVersionResource{}, false
}

// ErrNotInstalled is returned when the cluster does not serve the Flux CRDs.
var ErrNotInstalled = exitcode.New(exitcode.FluxNotInstalled,
	"Flux is not installed in this cluster: the %s API is not served (install Flux with 'flux install', or pick another --context)",
	kustomizev1.GroupVersion.Group)

// Resource returns the dynamic client of a Flux kind in namespace ("" for every
// namespace, when listing).
func Resource(dyn dynamic.Interface, kind, namespace string) (dynamic.ResourceInterface, error) {
	gvr, ok := GVR(kind)
	if !ok {
		return nil, exitcode.New(exitcode.Usage, "%s is not a Flux kind", kind)
	}
	return dyn.Resource(gvr).Namespace(namespace), nil
}

// Get reads one Flux object. A missing object is NotFound with a message that says how
// to list the ones that exist.
func Get(ctx context.Context, dyn dynamic.Interface, kind, namespace, name string) (*unstructured.Unstructured, error) {
	ri, err := Resource(dyn, kind, namespace)
	if err != nil {
		return nil, err
	}
	u, err := ri.Get(ctx, name, metav1.GetOptions{})
	if err != nil {
		return nil, classifyNamed(dyn, err, kind, namespace, name)
	}
	return u, nil
}

// scheme holds the typed structs of the Flux API modules, so that a typed object names
// its own kind: built once, on first use, and never changed after.
var scheme = sync.OnceValue(func() *runtime.Scheme {
	s := runtime.NewScheme()
	for _, add := range []func(*runtime.Scheme) error{kustomizev1.AddToScheme, helmv2.AddToScheme, sourcev1.AddToScheme} {
		if err := add(s); err != nil {
			panic(fmt.Sprintf("registering the Flux API types: %v", err))
		}
	}
	return s
})

// KindOf is the Flux kind of a typed object, from its Go type as Flux's API modules
// register it, whatever its TypeMeta says (a zero struct has none). A type that is not
// one of the Flux kinds GVR addresses, at the version it addresses, is an error: the
// caller would decode one kind as another.
func KindOf(obj runtime.Object) (string, error) {
	gvks, _, err := scheme().ObjectKinds(obj)
	if err != nil {
		return "", fmt.Errorf("%T is not a Flux object: %w", obj, err)
	}
	for _, gvk := range gvks {
		if gvr, ok := GVR(gvk.Kind); ok && gvr.GroupVersion() == gvk.GroupVersion() {
			return gvk.Kind, nil
		}
	}
	return "", fmt.Errorf("%T is %s, not a Flux kind this suite reads", obj, gvks[0])
}

// GetInto reads one Flux object into out, a pointer to the typed struct of its kind;
// the kind to request follows from out's type (KindOf), so a caller cannot ask for one
// kind and decode it as another.
func GetInto(ctx context.Context, dyn dynamic.Interface, namespace, name string, out runtime.Object) error {
	kind, err := KindOf(out)
	if err != nil {
		return err
	}
	u, err := Get(ctx, dyn, kind, namespace, name)
	if err != nil {
		return err
	}
	return FromUnstructured(u, out)
}

// FromUnstructured converts a dynamic object into a typed Flux struct.
func FromUnstructured(u *unstructured.Unstructured, out runtime.Object) error {
	if err := runtime.DefaultUnstructuredConverter.FromUnstructured(u.Object, out); err != nil {
		return fmt.Errorf("cannot read %s %s/%s: %w", u.GetKind(), u.GetNamespace(), u.GetName(), err)
	}
	return nil
}

// Classify is cluster.Classify for a request about a Flux object: a 404 for the type
// itself means Flux is not installed, a 404 for the object names it and how to list
// what exists.
func Classify(err error, kind, namespace, name string) error {
	if err == nil {
		return nil
	}
	if cluster.IsTypeMissing(err) {
		return ErrNotInstalled
	}
	if c := cluster.Classify(err); exitcode.Of(c) != exitcode.NotFound || name == "" {
		return c
	}
	return NotFound(kind, namespace, name)
}

// classifyNamed is Classify for a request that names one object, made through dyn.
// kube-apiserver answers a request for a named object of a type it does not serve with
// the same NotFound Status, name included, as for a missing object of a served type, so
// Classify alone would tell a user without Flux that their Kustomization is missing. On
// a NotFound, and only then (a success costs no extra request), it asks discovery
// whether the kind is served: when it is not, Flux is not installed. When discovery
// cannot tell (an in-memory client, an error), the NotFound stands.
func classifyNamed(dyn dynamic.Interface, err error, kind, namespace, name string) error {
	c := Classify(err, kind, namespace, name)
	if exitcode.Of(c) != exitcode.NotFound {
		return c
	}
	if gvr, ok := GVR(kind); ok {
		if served, known := cluster.Served(dyn, gvr); known && !served {
			return ErrNotInstalled
		}
	}
	return c
}

// NotFound is the error for a Flux object that does not exist.
func NotFound(kind, namespace, name string) error {
	plural := strings.ToLower(kind) + "s"
	if gvr, ok := GVR(kind); ok {
		plural = gvr.Resource
	}
	return exitcode.New(exitcode.NotFound, "%s %s/%s not found: list them with 'kubectl get %s -A'",
		kind, namespace, name, plural)
}

// IsNotInstalled reports whether err means Flux's CRDs are absent.
func IsNotInstalled(err error) bool { return errors.Is(err, ErrNotInstalled) }

// RefNamespace is the namespace a sourceRef, chartRef or dependsOn entry points into:
// its own when set, else the referring object's, as every Flux controller defaults it.
func RefNamespace(refNamespace, ownerNamespace string) string {
	if refNamespace != "" {
		return refNamespace
	}
	return ownerNamespace
}
