package diff

import (
	"context"
	"fmt"

	"k8s.io/client-go/dynamic"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/kubectl-gitops/kubectl-gitops/shared/output"
	"github.com/kubectl-gitops/kubectl-gitops/shared/redact"
)

// Preview is, in brief, what a Kustomization's next apply will change: what a writer
// that lets Flux apply (resume) shows before it asks, and keeps in its result. It is
// the diff engine's answer, counted; Error says why there is none, and the writer goes
// on regardless: a preview that cannot be computed (no access to the repository, a
// source git cannot fetch) must not stand between on-call and a resume.
type Preview struct {
	// Revision is the revision the apply will use (main@sha1:…).
	Revision string `json:"revision,omitempty"`
	// Summary counts the objects by what the apply does to them.
	Summary *Summary `json:"summary,omitempty"`
	// DriftOverwritten counts the fields the cluster changed (kubectl edit, a hotfix by
	// hand) that the apply puts back as Git declares them.
	DriftOverwritten int `json:"driftOverwritten,omitempty"`
	// Error is why no preview could be computed.
	Error string `json:"error,omitempty"`
}

// PreviewOf previews Kustomization namespace/name's next apply with opts (the source's
// revision now, fetched with the user's git, when opts is empty).
func PreviewOf(ctx context.Context, dyn dynamic.Interface, c client.Client, namespace, name string, opts Options) *Preview {
	k, err := ForKustomization(ctx, dyn, c, namespace, name, opts)
	if cause := context.Cause(ctx); cause != nil {
		err = cause // the caller's bound, said as such
	}
	switch {
	case err != nil:
		return &Preview{Error: redact.Text(err.Error())}
	case k.Error != "":
		return &Preview{Revision: k.Revision, Error: redact.Text(k.Error)}
	}
	p := &Preview{Revision: k.Revision, Summary: &k.Summary}
	for _, o := range k.Objects {
		for _, f := range o.Fields {
			if f.Origin == Drift {
				p.DriftOverwritten++
			}
		}
	}
	return p
}

// String is the preview in one line, for a confirmation and the text view.
func (p *Preview) String() string {
	if p.Error != "" || p.Summary == nil {
		return "what the apply will change is unknown: " + p.Error
	}
	s := fmt.Sprintf("the apply of %s makes %s", p.Revision, p.Summary)
	if p.DriftOverwritten > 0 {
		s += fmt.Sprintf("; it puts back %s the cluster changed", output.Count(p.DriftOverwritten, "drifted field", "drifted fields"))
	}
	return s
}
