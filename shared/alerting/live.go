package alerting

import (
	"context"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/client-go/dynamic"

	"github.com/kubectl-gitops/kubectl-gitops/shared/exitcode"
	"github.com/kubectl-gitops/kubectl-gitops/shared/flux"
)

// AlertedKinds are the Flux kinds whose controllers send events to
// notification-controller: the objects an Alert can cover.
func AlertedKinds() []string {
	return []string{flux.KindKustomization, flux.KindHelmRelease, flux.KindGitRepository, flux.KindOCIRepository,
		flux.KindBucket, flux.KindHelmRepository, flux.KindHelmChart}
}

// Objects lists the Flux objects an Alert can cover in namespace ("" for all): one
// paged list per kind. A kind the cluster does not serve (helm-controller not
// installed) is skipped; one that may not be read makes the result partial.
func Objects(ctx context.Context, dyn dynamic.Interface, namespace string) (objs []Object, partial bool, err error) {
	for _, kind := range AlertedKinds() {
		err := flux.List(ctx, dyn, kind, namespace, func(u *unstructured.Unstructured) error {
			objs = append(objs, Object{APIVersion: u.GetAPIVersion(),
				Target: Target{Kind: kind, Namespace: u.GetNamespace(), Name: u.GetName(), Labels: u.GetLabels()}})
			return nil
		})
		switch {
		case err == nil, flux.IsNotInstalled(err):
		case exitcode.Of(err) == exitcode.Forbidden:
			partial = true
		default:
			return nil, false, err
		}
	}
	return objs, partial, nil
}

// SecretExists returns a check of whether a Secret exists, asked once per Secret.
// Only the answer is kept: the Secret's data is never looked at. A Secret that cannot
// be read (RBAC) counts as existing: nothing shows it missing.
func SecretExists(ctx context.Context, dyn dynamic.Interface) func(namespace, name string) bool {
	seen := map[providerKey]bool{}
	secrets := schema.GroupVersionResource{Version: "v1", Resource: "secrets"}
	return func(namespace, name string) bool {
		k := providerKey{namespace, name}
		if ok, done := seen[k]; done {
			return ok
		}
		_, err := dyn.Resource(secrets).Namespace(namespace).Get(ctx, name, metav1.GetOptions{})
		seen[k] = !apierrors.IsNotFound(err)
		return seen[k]
	}
}
