package diff

import (
	"context"
	"fmt"
	"strings"

	"k8s.io/client-go/dynamic"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/kubectl-gitops/kubectl-gitops/shared/output"
	"github.com/kubectl-gitops/kubectl-gitops/shared/redact"
)

// Preview is, in brief, what a Kustomization's next apply will change: what a writer
// that lets Flux apply (resume, branch set, rollback pin and revert) shows before it
// asks, and keeps in its result. It is the diff engine's answer, counted, with the
// objects it changes named; Error says why there is none, and the writer goes on
// regardless: a preview that cannot be computed (no access to the repository, a
// source git cannot fetch) must not stand between on-call and the write.
type Preview struct {
	// Revision is the revision the apply will use (main@sha1:…).
	Revision string `json:"revision,omitempty"`
	// Summary counts the objects by what the apply does to them.
	Summary *Summary `json:"summary,omitempty"`
	// DriftOverwritten counts the fields the cluster changed (kubectl edit, a hotfix by
	// hand) that the apply puts back as Git declares them.
	DriftOverwritten int `json:"driftOverwritten,omitempty"`
	// Objects are the objects the apply creates, changes, recreates, prunes or fails
	// on, and the fields it changes: a count alone does not tell the reader whether
	// the change is the one they expect.
	Objects []PreviewObject `json:"objects,omitempty"`
	// Error is why no preview could be computed.
	Error string `json:"error,omitempty"`
}

// PreviewObject is one object a previewed apply makes a difference to.
type PreviewObject struct {
	output.ObjectRef `json:",inline"`
	Action           Action `json:"action"`
	// Fields are the paths of the fields the apply changes: never a value (a Secret's
	// are masked anyway, and a preview is shown in a confirmation).
	Fields []string `json:"fields,omitempty"`
}

// String is the object and what the apply does to it: "changed ConfigMap
// shop/config (.data.region)".
func (o PreviewObject) String() string {
	s := string(o.Action) + " " + o.ObjectRef.String()
	if len(o.Fields) > 0 {
		s += " (" + strings.Join(o.Fields, ", ") + ")"
	}
	return s
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
	return previewOf(k)
}

// previewOf counts a comparison's answer and names the objects it makes a difference to.
func previewOf(k *Kustomization) *Preview {
	p := &Preview{Revision: k.Revision, Summary: &k.Summary}
	for _, o := range k.Objects {
		var fields []string
		for _, f := range o.Fields {
			fields = append(fields, f.Path)
			if f.Origin == Drift {
				p.DriftOverwritten++
			}
		}
		if o.Action.IsDifference() {
			p.Objects = append(p.Objects, PreviewObject{ObjectRef: o.ObjectRef, Action: o.Action, Fields: fields})
		}
	}
	return p
}

// previewNamed bounds the objects a one-line preview names: a confirmation stays
// readable; the document holds them all.
const previewNamed = 3

// String is the preview in one line, for a confirmation and the text view.
func (p *Preview) String() string {
	if p.Error != "" || p.Summary == nil {
		return "what the apply will change is unknown: " + p.Error
	}
	s := fmt.Sprintf("the apply of %s makes %s", p.Revision, p.Summary)
	if len(p.Objects) > 0 {
		named := make([]string, 0, previewNamed+1)
		for i, o := range p.Objects {
			if i == previewNamed {
				named = append(named, fmt.Sprintf("and %d more", len(p.Objects)-previewNamed))
				break
			}
			named = append(named, o.String())
		}
		s += " (" + strings.Join(named, "; ") + ")"
	}
	if p.DriftOverwritten > 0 {
		s += fmt.Sprintf("; it puts back %s the cluster changed", output.Count(p.DriftOverwritten, "drifted field", "drifted fields"))
	}
	return s
}
