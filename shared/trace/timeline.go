package trace

import (
	"context"
	"time"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"

	"github.com/kubectl-gitops/kubectl-gitops/shared/timeline"
)

// AttachTimeline assembles the report's timeline: the revision its nearest
// Kustomization applied, through the source, the Kustomizations and HelmRelease of
// the chain, to obj's readiness. A report without a Kustomization applying a revision
// gets none.
func (t *Tracer) AttachTimeline(ctx context.Context, r *Report, obj *unstructured.Unstructured, gitDir string, requeue time.Duration) {
	req := timeline.Request{Clients: t.clients(), Object: obj, GitDir: gitDir, RequeueDependency: requeue}
	for _, h := range r.Hops {
		switch h.Role {
		case RoleObject:
			req.ObjectCluster = h.Cluster
		case RoleKustomization, RoleHelmRelease, RoleSource:
			req.Chain = append(req.Chain, timeline.Link{Kind: h.Ref.Kind, Namespace: h.Ref.Namespace, Name: h.Ref.Name, Cluster: h.Cluster})
			if h.Role == RoleKustomization && req.Revision == "" {
				req.Revision = h.LastAppliedRevision
			}
		}
	}
	if req.Revision == "" || len(req.Chain) == 0 || req.Chain[len(req.Chain)-1].Kind == "" {
		return
	}
	r.Timeline = timeline.Build(ctx, req)
}
