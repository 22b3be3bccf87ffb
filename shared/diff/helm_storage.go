package diff

import (
	"crypto/sha256"
	"errors"
	"fmt"
	"strings"

	helmv2 "github.com/fluxcd/helm-controller/api/v2"
	"github.com/fluxcd/pkg/ssa/normalize"
	ssautil "github.com/fluxcd/pkg/ssa/utils"
	"helm.sh/helm/v4/pkg/release"
	rspb "helm.sh/helm/v4/pkg/release/v1"
	"helm.sh/helm/v4/pkg/storage"
	"helm.sh/helm/v4/pkg/storage/driver"
	"k8s.io/apimachinery/pkg/api/meta"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"
	corev1client "k8s.io/client-go/kubernetes/typed/core/v1"
)

// releaseRef is where helm-controller keeps a HelmRelease's Helm release: its name,
// the namespace its objects go to, and the namespace of the storage Secrets
// (sh.helm.release.v1.NAME.vN).
type releaseRef struct {
	Name, Namespace, StorageNamespace string
}

// releaseOf is hr's release as helm-controller names it: the latest release it
// recorded in status.history and status.storageNamespace when it has installed one
// (the spec may have changed since), else spec.releaseName or [targetNamespace-]name,
// shortened as the controller shortens names over 53 characters, in the
// targetNamespace (or the HelmRelease's), stored in spec.storageNamespace (or the
// HelmRelease's namespace).
func releaseOf(hr *helmv2.HelmRelease) releaseRef {
	ref := releaseRef{Name: shortenName(hr.GetReleaseName()), Namespace: hr.GetReleaseNamespace(), StorageNamespace: hr.GetStorageNamespace()}
	if latest := hr.Status.History.Latest(); latest != nil && latest.Name != "" {
		ref.Name, ref.Namespace = latest.Name, latest.Namespace
	}
	if hr.Status.StorageNamespace != "" {
		ref.StorageNamespace = hr.Status.StorageNamespace
	}
	return ref
}

// shortenName is helm-controller's name for a release longer than Helm's 53
// characters: the first 40, a dash, and the first 12 hex digits of the name's SHA-256.
func shortenName(name string) string {
	const maxLength, hashLength = 53, 12
	if len(name) <= maxLength {
		return name
	}
	sum := fmt.Sprintf("%x", sha256.Sum256([]byte(name)))
	return name[:maxLength-hashLength-1] + "-" + sum[:hashLength]
}

// deployedRelease reads the deployed release name from Helm's storage Secrets with
// Helm's own driver (which decodes the gzip'd, base64'd release). nil, nil when none
// is deployed.
func deployedRelease(secrets corev1client.SecretInterface, name string) (*rspb.Release, error) {
	r, err := storage.Init(driver.NewSecrets(secrets)).Deployed(name)
	if errors.Is(err, driver.ErrReleaseNotFound) || errors.Is(err, driver.ErrNoDeployedReleases) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	return asV1(r)
}

func asV1(r release.Releaser) (*rspb.Release, error) {
	switch rel := r.(type) {
	case *rspb.Release:
		return rel, nil
	case rspb.Release:
		return &rel, nil
	}
	return nil, fmt.Errorf("unsupported Helm release type %T", r)
}

// releaseObjects are the objects of a release manifest as helm-controller's drift
// detection compares them: normalized, marked as Helm's (the label and annotations
// Helm sets when it creates them), and a namespaced object without a namespace in
// the release's.
func releaseObjects(manifest string, ref releaseRef, mapper scopeMapper) ([]*unstructured.Unstructured, error) {
	objects, err := ssautil.ReadObjects(strings.NewReader(manifest))
	if err != nil {
		return nil, fmt.Errorf("reading the release manifest: %w", err)
	}
	if err := normalize.UnstructuredList(objects); err != nil {
		return nil, err
	}
	for _, o := range objects {
		setHelmMetadata(o, ref)
		if o.GetNamespace() != "" || mapper == nil {
			continue
		}
		m, err := mapper.RESTMapping(o.GroupVersionKind().GroupKind(), o.GroupVersionKind().Version)
		if err != nil {
			if meta.IsNoMatchError(err) {
				// The kind is not served (its CRD is gone): the dry run says so.
				o.SetNamespace(ref.Namespace)
				continue
			}
			return nil, err
		}
		if m.Scope.Name() == meta.RESTScopeNameNamespace {
			o.SetNamespace(ref.Namespace)
		}
	}
	return objects, nil
}

// scopeMapper tells a namespaced kind from a cluster-scoped one: the cluster's
// RESTMapper, or, offline, what the repository and Kubernetes' built-in kinds say.
type scopeMapper interface {
	RESTMapping(gk schema.GroupKind, versions ...string) (*meta.RESTMapping, error)
}

// setHelmMetadata sets what Helm adds to each object it creates, as helm-controller's
// drift detection does before comparing: without them the dry run would remove them.
func setHelmMetadata(o *unstructured.Unstructured, ref releaseRef) {
	labels := o.GetLabels()
	if labels == nil {
		labels = map[string]string{}
	}
	labels["app.kubernetes.io/managed-by"] = "Helm"
	o.SetLabels(labels)
	annotations := o.GetAnnotations()
	if annotations == nil {
		annotations = map[string]string{}
	}
	annotations["meta.helm.sh/release-name"] = ref.Name
	annotations["meta.helm.sh/release-namespace"] = ref.Namespace
	o.SetAnnotations(annotations)
}
