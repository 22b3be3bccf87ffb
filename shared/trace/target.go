package trace

import (
	"context"

	"github.com/fluxcd/pkg/apis/meta"

	"github.com/kubectl-gitops/kubectl-gitops/shared/remote"
)

// Target is the cluster a Kustomization applies to when its spec.kubeConfig names
// another one: the reference (Secret or ConfigMap, and the server it points at), and
// what trace read there.
type Target struct {
	remote.Ref
	// Cluster is the kubeconfig context the objects below were read through.
	Cluster string `json:"cluster,omitempty"`
	// Objects are the inventory's objects as that cluster holds them.
	Objects []RemoteObject `json:"objects,omitempty"`
	// Missing counts the Objects that cluster does not hold.
	Missing int `json:"missing,omitempty"`
	// ObjectsNote says why Objects is empty or partial.
	ObjectsNote string `json:"objectsNote,omitempty"`
}

// target describes where a Kustomization or HelmRelease of namespace applies; nil when
// it applies to its own cluster.
func (t *Tracer) target(ctx context.Context, namespace string, kc *meta.KubeConfigReference) *Target {
	ref := remote.Read(ctx, t.dyn, namespace, kc)
	if ref == nil {
		return nil
	}
	return &Target{Ref: *ref}
}
