package diff

import (
	"context"
	"fmt"
	"time"

	"k8s.io/apimachinery/pkg/api/meta"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/client-go/dynamic"
	"k8s.io/client-go/rest"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/kubectl-gitops/kubectl-gitops/shared/flux"
	"github.com/kubectl-gitops/kubectl-gitops/shared/output"
	"github.com/kubectl-gitops/kubectl-gitops/shared/redact"
	"github.com/kubectl-gitops/kubectl-gitops/shared/remote"
	"github.com/kubectl-gitops/kubectl-gitops/shared/source"
)

// ConsumerPreview is the preview of one Kustomization reading a source a writer moves
// (branch set, rollback pin and revert) or a dev session works on.
type ConsumerPreview struct {
	Kustomization output.ObjectRef `json:"kustomization"`
	Preview       `json:",inline"`
}

// String is the preview in one line, naming the Kustomization.
func (p ConsumerPreview) String() string {
	return p.Kustomization.String() + ": " + p.Preview.String()
}

// PreviewConsumers previews the apply of opts.Revision (a commit) by each Kustomization
// that reads the GitRepository namespace/name and is not suspended (a suspended one
// applies nothing). Without a clone (opts.GitDir), the commit is fetched once, with
// every consumer's last applied commit, and that one repository serves them all.
func PreviewConsumers(ctx context.Context, dyn dynamic.Interface, c client.Client, namespace, name string, opts Options) []ConsumerPreview {
	consumers, err := source.Consumers(ctx, dyn, namespace, name, "")
	if err != nil {
		return failed(namespace, name, "its Kustomizations could not be listed: "+redact.Text(err.Error()))
	}
	var targets []types.NamespacedName
	var applied []string
	for _, k := range consumers {
		if k.Kind == flux.KindKustomization && !k.Suspended {
			targets = append(targets, types.NamespacedName{Namespace: k.Namespace, Name: k.Name})
			applied = append(applied, k.Applied)
		}
	}
	if len(targets) == 0 || opts.GitDir != "" || opts.Dir != "" {
		return previewAll(ctx, dyn, c, targets, opts)
	}
	trees := NewTrees(opts.Fetch)
	defer trees.Close()
	opts.Fetch = trees.Fetch
	if opts.Revision != "" {
		// The one fetch, asked first with every commit any consumer needs; the
		// comparisons find it in the cache (a failure is theirs to report).
		if src, err := flux.Get(ctx, dyn, flux.KindGitRepository, namespace, name); err == nil {
			url, branch := remoteOf(src)
			_, _, _ = trees.Fetch(ctx, url, branch, withApplied(opts.Revision, applied...)...)
		}
	}
	return previewAll(ctx, dyn, c, targets, opts)
}

// PreviewKustomizations previews the next apply of each of targets with opts; without
// a clone or a folder, each commit of a source is fetched once for all of them.
func PreviewKustomizations(ctx context.Context, dyn dynamic.Interface, c client.Client, targets []types.NamespacedName, opts Options) []ConsumerPreview {
	if opts.GitDir == "" && opts.Dir == "" {
		trees := NewTrees(opts.Fetch)
		defer trees.Close()
		opts.Fetch = trees.Fetch
	}
	return previewAll(ctx, dyn, c, targets, opts)
}

func previewAll(ctx context.Context, dyn dynamic.Interface, c client.Client, targets []types.NamespacedName, opts Options) []ConsumerPreview {
	var out []ConsumerPreview
	for _, t := range targets {
		ref := output.ObjectRef{Kind: flux.KindKustomization, Namespace: t.Namespace, Name: t.Name}
		if gvr, ok := flux.GVR(ref.Kind); ok {
			ref.APIVersion = gvr.GroupVersion().String()
		}
		out = append(out, ConsumerPreview{Kustomization: ref, Preview: *PreviewOf(ctx, dyn, c, t.Namespace, t.Name, opts)})
	}
	return out
}

// failed is the one preview of a source whose Kustomizations could not be previewed.
func failed(namespace, name, why string) []ConsumerPreview {
	return []ConsumerPreview{{Kustomization: output.ObjectRef{Kind: flux.KindGitRepository, Namespace: namespace, Name: name}, Preview: Preview{Error: why}}}
}

// Previewer is PreviewConsumers bound to a cluster and to base (a clone in GitDir, a
// Fetch): the hook a source's writer takes, given the commit it moves the source to.
// Its dry-run client is made on first use, so a writer that previews nothing (a no-op,
// a remote git could not ask) makes none.
func Previewer(dyn dynamic.Interface, cfg *rest.Config, mapper meta.RESTMapper, base Options) func(ctx context.Context, namespace, name, commit string) []ConsumerPreview {
	return func(ctx context.Context, namespace, name, commit string) []ConsumerPreview {
		c, err := NewClient(cfg, mapper)
		if err != nil {
			return failed(namespace, name, redact.Text(err.Error()))
		}
		opts := base
		opts.Revision = commit
		return PreviewConsumers(ctx, dyn, c, namespace, name, opts)
	}
}

// KustomizationsPreviewer is PreviewKustomizations bound to a cluster and to the
// opener of the clusters spec.kubeConfig applies to (nil: not compared): the hook a
// dev session's diff takes. Its client is made on first use.
func KustomizationsPreviewer(dyn dynamic.Interface, cfg *rest.Config, mapper meta.RESTMapper, remotes *remote.Opener) func(ctx context.Context, targets []types.NamespacedName, opts Options) []ConsumerPreview {
	return func(ctx context.Context, targets []types.NamespacedName, opts Options) []ConsumerPreview {
		if opts.Remote == nil {
			opts.Remote = remotes
		}
		c, err := NewClient(cfg, mapper)
		if err != nil {
			out := make([]ConsumerPreview, 0, len(targets))
			for _, t := range targets {
				out = append(out, ConsumerPreview{Kustomization: output.ObjectRef{Kind: flux.KindKustomization, Namespace: t.Namespace, Name: t.Name},
					Preview: Preview{Error: redact.Text(err.Error())}})
			}
			return out
		}
		return PreviewKustomizations(ctx, dyn, c, targets, opts)
	}
}

// KustomizationPreviewer is PreviewOf bound to a cluster, of the revision the source
// holds now: the hook a resume takes, called once per Kustomization resumed. base.Fetch
// set to a Trees' Fetch (the caller closes it) fetches each source once for them all.
// Its client is made on first use.
func KustomizationPreviewer(dyn dynamic.Interface, cfg *rest.Config, mapper meta.RESTMapper, base Options) func(ctx context.Context, namespace, name string) *Preview {
	return func(ctx context.Context, namespace, name string) *Preview {
		c, err := NewClient(cfg, mapper)
		if err != nil {
			return &Preview{Error: redact.Text(err.Error())}
		}
		return PreviewOf(ctx, dyn, c, namespace, name, base)
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
