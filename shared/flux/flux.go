// Package flux reads Flux's own objects as the typed structs from Flux's API modules.
//
// Flux's resource paths are fixed by its API, so this package addresses them directly
// rather than through discovery: a trace that already knows it needs a Kustomization
// should spend its request on the Kustomization, not on asking where Kustomizations live.
package flux

import (
	"context"
	"errors"
	"fmt"

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
)

// Labels and annotations Flux and Helm put on applied objects.
const (
	KustomizeNameLabel       = "kustomize.toolkit.fluxcd.io/name"
	KustomizeNamespaceLabel  = "kustomize.toolkit.fluxcd.io/namespace"
	HelmNameLabel            = "helm.toolkit.fluxcd.io/name"
	HelmNamespaceLabel       = "helm.toolkit.fluxcd.io/namespace"
	HelmReleaseNameAnno      = "meta.helm.sh/release-name"
	HelmReleaseNamespaceAnno = "meta.helm.sh/release-namespace"
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
	}
	return schema.GroupVersionResource{}, false
}

// ErrNotInstalled is returned when the cluster does not serve the Flux CRDs.
var ErrNotInstalled = exitcode.New(exitcode.FluxNotInstalled,
	"Flux is not installed in this cluster: the %s API is not served (install Flux with 'flux install', or pick another --context)",
	kustomizev1.GroupVersion.Group)

// Get reads one Flux object into out (a pointer to the typed struct).
func Get(ctx context.Context, dyn dynamic.Interface, kind, namespace, name string, out runtime.Object) error {
	gvr, ok := GVR(kind)
	if !ok {
		return fmt.Errorf("%s is not a Flux kind", kind)
	}
	u, err := dyn.Resource(gvr).Namespace(namespace).Get(ctx, name, metav1.GetOptions{})
	if err != nil {
		return classify(err)
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

// classify maps a 404 for the type itself to ErrNotInstalled and the rest to exit codes.
func classify(err error) error {
	if cluster.IsTypeMissing(err) {
		return ErrNotInstalled
	}
	return cluster.Classify(err)
}

// IsNotInstalled reports whether err means Flux's CRDs are absent.
func IsNotInstalled(err error) bool { return errors.Is(err, ErrNotInstalled) }
