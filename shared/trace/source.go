package trace

import (
	"context"
	"fmt"
	"time"

	sourcev1 "github.com/fluxcd/source-controller/api/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"

	"github.com/kubectl-gitops/kubectl-gitops/shared/flux"
	"github.com/kubectl-gitops/kubectl-gitops/shared/source"
	"github.com/kubectl-gitops/kubectl-gitops/shared/status"
)

// addSource reads a source once and appends its hop.
func (t *Tracer) addSource(ctx context.Context, r *Report, role, kind, namespace, name, via string) {
	ref := *fluxRef(kind, namespace, name)
	if ref.APIVersion == "" {
		ref.APIVersion = sourcev1.GroupVersion.String() // a kind the suite does not know
	}
	if _, ok := flux.GVR(kind); !ok {
		r.Hops = append(r.Hops, Hop{Role: role, Ref: ref, Via: via, Error: fmt.Sprintf("unsupported source kind %q", kind)})
		return
	}
	u, err := t.getFlux(ctx, kind, namespace, name)
	if err != nil {
		r.addErrorHop(role, ref, via, err)
		return
	}
	r.Hops = append(r.Hops, t.hop(u, role, via, func() Hop { return sourceHop(ctx, role, via, u) }))
}

// sourceHop is the hop of a GitRepository, OCIRepository, Bucket, HelmRepository or
// ExternalArtifact, as the source package describes it.
func sourceHop(ctx context.Context, role, via string, u *unstructured.Unstructured) Hop {
	info := source.Describe(u)
	hop := Hop{
		Role: role, Ref: refOf(u), Via: via, Health: health(u),
		URL: info.URL, Tracks: info.Tracks, Revision: info.Revision,
		OriginURL: info.OriginURL, OriginRevision: info.OriginRevision,
	}
	if info.SpecErr != nil {
		// An empty URL must not read as what the source says: its spec did not parse.
		h := hop.Health
		c := status.Condition{Status: h.Ready, Reason: h.Reason, Message: h.Message}.Join(status.SpecUnreadable(info.SpecErr))
		h.Ready, h.Reason, h.Message = c.Status, c.Reason, c.Message
	}
	if rec, err := status.SwitchOf(u.GetAnnotations()); err == nil && rec != nil {
		by := ""
		if rec.By != "" {
			by = " by " + rec.By
		}
		what := "switched away from"
		if rec.Pinned() {
			what = "pinned to one commit (the cluster differs from the branch head) instead of"
		}
		hop.Notes = append(hop.Notes, fmt.Sprintf("%s %s%s at %s: '%s' puts it back",
			what, source.FromGit(rec.RefBefore), by, rec.At.Format(time.RFC3339), rec.UndoCommand(ctx, u.GetNamespace(), u.GetName())))
	}
	return hop
}
