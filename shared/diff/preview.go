package diff

import (
	"context"
	"fmt"
	"time"

	"k8s.io/apimachinery/pkg/api/meta"
	"k8s.io/client-go/dynamic"
	"k8s.io/client-go/rest"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/kubectl-gitops/kubectl-gitops/shared/flux"
	"github.com/kubectl-gitops/kubectl-gitops/shared/output"
	"github.com/kubectl-gitops/kubectl-gitops/shared/redact"
	"github.com/kubectl-gitops/kubectl-gitops/shared/source"
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

// ConsumerPreview is the preview of one Kustomization reading a source a writer moves
// (branch set, rollback pin).
type ConsumerPreview struct {
	Kustomization output.ObjectRef `json:"kustomization"`
	Preview       `json:",inline"`
}

// String is the preview in one line, naming the Kustomization.
func (p ConsumerPreview) String() string {
	return p.Kustomization.String() + ": " + p.Preview.String()
}

// PreviewConsumers previews the apply of commit by each Kustomization that reads the
// GitRepository namespace/name and is not suspended (a suspended one applies nothing).
func PreviewConsumers(ctx context.Context, dyn dynamic.Interface, c client.Client, namespace, name, commit string) []ConsumerPreview {
	consumers, err := source.Consumers(ctx, dyn, namespace, name, "")
	if err != nil {
		return []ConsumerPreview{{Kustomization: output.ObjectRef{Kind: flux.KindGitRepository, Namespace: namespace, Name: name},
			Preview: Preview{Error: "its Kustomizations could not be listed: " + redact.Text(err.Error())}}}
	}
	var out []ConsumerPreview
	for _, k := range consumers {
		if k.Kind != flux.KindKustomization || k.Suspended {
			continue
		}
		ref := output.ObjectRef{Kind: k.Kind, Namespace: k.Namespace, Name: k.Name}
		if gvr, ok := flux.GVR(k.Kind); ok {
			ref.APIVersion = gvr.GroupVersion().String()
		}
		out = append(out, ConsumerPreview{Kustomization: ref, Preview: *PreviewOf(ctx, dyn, c, k.Namespace, k.Name, Options{Revision: commit})})
	}
	return out
}

// Previewer is PreviewConsumers bound to a cluster: the hook a source's writer takes.
// Its dry-run client is made on first use, so a writer that previews nothing (a no-op,
// a remote git could not ask) makes none.
func Previewer(dyn dynamic.Interface, cfg *rest.Config, mapper meta.RESTMapper) func(ctx context.Context, namespace, name, commit string) []ConsumerPreview {
	return func(ctx context.Context, namespace, name, commit string) []ConsumerPreview {
		c, err := NewClient(cfg, mapper)
		if err != nil {
			return []ConsumerPreview{{Kustomization: output.ObjectRef{Kind: flux.KindGitRepository, Namespace: namespace, Name: name},
				Preview: Preview{Error: redact.Text(err.Error())}}}
		}
		return PreviewConsumers(ctx, dyn, c, namespace, name, commit)
	}
}

// KustomizationPreviewer is PreviewOf bound to a cluster, of the revision the source
// holds now: the hook a resume takes. Its client is made on first use.
func KustomizationPreviewer(dyn dynamic.Interface, cfg *rest.Config, mapper meta.RESTMapper) func(ctx context.Context, namespace, name string) *Preview {
	return func(ctx context.Context, namespace, name string) *Preview {
		c, err := NewClient(cfg, mapper)
		if err != nil {
			return &Preview{Error: redact.Text(err.Error())}
		}
		return PreviewOf(ctx, dyn, c, namespace, name, Options{})
	}
}

// previewBudget bounds a writer's preview: it says what will happen, and must never
// take the time the write itself needs.
const previewBudget = 90 * time.Second

// PreviewContext is ctx bounded for a writer's preview: by previewBudget and by half
// of what is left of ctx's own deadline (--timeout), the write and its wait keep the
// other half.
func PreviewContext(ctx context.Context) (context.Context, context.CancelFunc) {
	budget := previewBudget
	if deadline, ok := ctx.Deadline(); ok {
		budget = min(budget, time.Until(deadline)/2)
	}
	return context.WithTimeoutCause(ctx, budget, fmt.Errorf("the preview took longer than %s: skipped", budget.Round(time.Second)))
}
