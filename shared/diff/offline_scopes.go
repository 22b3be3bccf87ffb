package diff

import (
	"k8s.io/apimachinery/pkg/api/meta"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"

	"github.com/kubectl-gitops/kubectl-gitops/shared/deps/dir"
)

// clusterScoped are Kubernetes' built-in cluster-scoped kinds, by group/kind: offline
// no API server says which kinds are namespaced, and a chart's object without a
// namespace goes to the release's namespace only when its kind is namespaced.
var clusterScoped = map[schema.GroupKind]bool{
	{Kind: "Namespace"}: true, {Kind: "Node"}: true, {Kind: "PersistentVolume"}: true, {Kind: "ComponentStatus"}: true,
	{Group: "rbac.authorization.k8s.io", Kind: "ClusterRole"}:                         true,
	{Group: "rbac.authorization.k8s.io", Kind: "ClusterRoleBinding"}:                  true,
	{Group: "apiextensions.k8s.io", Kind: "CustomResourceDefinition"}:                 true,
	{Group: "apiregistration.k8s.io", Kind: "APIService"}:                             true,
	{Group: "admissionregistration.k8s.io", Kind: "MutatingWebhookConfiguration"}:     true,
	{Group: "admissionregistration.k8s.io", Kind: "ValidatingWebhookConfiguration"}:   true,
	{Group: "admissionregistration.k8s.io", Kind: "ValidatingAdmissionPolicy"}:        true,
	{Group: "admissionregistration.k8s.io", Kind: "ValidatingAdmissionPolicyBinding"}: true,
	{Group: "storage.k8s.io", Kind: "StorageClass"}:                                   true,
	{Group: "storage.k8s.io", Kind: "CSIDriver"}:                                      true,
	{Group: "storage.k8s.io", Kind: "CSINode"}:                                        true,
	{Group: "storage.k8s.io", Kind: "VolumeAttachment"}:                               true,
	{Group: "scheduling.k8s.io", Kind: "PriorityClass"}:                               true,
	{Group: "node.k8s.io", Kind: "RuntimeClass"}:                                      true,
	{Group: "networking.k8s.io", Kind: "IngressClass"}:                                true,
	{Group: "certificates.k8s.io", Kind: "CertificateSigningRequest"}:                 true,
	{Group: "flowcontrol.apiserver.k8s.io", Kind: "FlowSchema"}:                       true,
	{Group: "flowcontrol.apiserver.k8s.io", Kind: "PriorityLevelConfiguration"}:       true,
}

// offlineMapper answers releaseObjects' one question offline: the built-in
// cluster-scoped kinds and the CustomResourceDefinitions of scope Cluster the side
// renders are cluster-scoped; any other kind is namespaced.
type offlineMapper map[schema.GroupKind]bool

// offlineScopes reads the CustomResourceDefinitions a side renders.
func offlineScopes(rendered []dir.Rendered) offlineMapper {
	m := offlineMapper{}
	for gk := range clusterScoped {
		m[gk] = true
	}
	for _, r := range rendered {
		for _, o := range r.Objects {
			if o.GetKind() != "CustomResourceDefinition" {
				continue
			}
			scope, _, _ := unstructured.NestedString(o.Object, "spec", "scope")
			group, _, _ := unstructured.NestedString(o.Object, "spec", "group")
			kind, _, _ := unstructured.NestedString(o.Object, "spec", "names", "kind")
			if scope == "Cluster" {
				m[schema.GroupKind{Group: group, Kind: kind}] = true
			}
		}
	}
	return m
}

func (m offlineMapper) RESTMapping(gk schema.GroupKind, versions ...string) (*meta.RESTMapping, error) {
	scope := meta.RESTScopeNamespace
	if m[gk] {
		scope = meta.RESTScopeRoot
	}
	version := ""
	if len(versions) > 0 {
		version = versions[0]
	}
	return &meta.RESTMapping{GroupVersionKind: gk.WithVersion(version), Scope: scope}, nil
}
