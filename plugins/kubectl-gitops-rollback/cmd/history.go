package cmd

import (
	"context"
	"strings"

	helmv2 "github.com/fluxcd/helm-controller/api/v2"
	kustomizev1 "github.com/fluxcd/kustomize-controller/api/v1"
	"github.com/spf13/cobra"
	"k8s.io/cli-runtime/pkg/genericiooptions"

	"github.com/kubectl-gitops/kubectl-gitops/shared/cluster"
	"github.com/kubectl-gitops/kubectl-gitops/shared/command"
	"github.com/kubectl-gitops/kubectl-gitops/shared/exitcode"
	"github.com/kubectl-gitops/kubectl-gitops/shared/flux"
	"github.com/kubectl-gitops/kubectl-gitops/shared/history"
	"github.com/kubectl-gitops/kubectl-gitops/shared/invocation"
	"github.com/kubectl-gitops/kubectl-gitops/shared/output"
)

// HistoryOptions are the flags of `rollback history`.
type HistoryOptions struct {
	command.Named
	streams genericiooptions.IOStreams
	Output  output.Format
	GitDir  string
	printer output.Printer
	// name is the suite as the user typed it, for the examples in errors.
	name invocation.Name
}

func newHistoryCommand(f cluster.Factory, streams genericiooptions.IOStreams) *cobra.Command {
	o := &HistoryOptions{Named: command.Named{Kind: flux.KindKustomization}, streams: streams}
	cmd := &cobra.Command{
		Use:   "history (KUSTOMIZATION | helmrelease/NAME)",
		Short: "List the revisions a Kustomization applied, or the releases of a HelmRelease, newest first",
		Example: `  kubectl gitops rollback history apps -n flux-system
  kubectl gitops rollback history apps -n flux-system -o yaml

  # The Helm releases of a HelmRelease: chart, version, app version, status
  kubectl gitops rollback history helmrelease/web -n shop

  # With each commit's subject, author and the files under the Kustomization's path
  kubectl gitops rollback history apps -n flux-system --git-dir .`,
		Args:              command.ExactArgs(1),
		ValidArgsFunction: command.CompleteNames(f, flux.KindKustomization),
	}
	o.Output.AddFlag(cmd)
	cmd.Flags().StringVar(&o.GitDir, "git-dir", "", "A clone of the source: show each commit's subject, author and the files it changed under the Kustomization's path.")
	command.Bind(cmd, f, o)
	return cmd
}

// Complete reads the name and namespace.
func (o *HistoryOptions) Complete(f cluster.Factory, cmd *cobra.Command, args []string) error {
	o.name = command.Invocation(cmd)
	return o.Named.Complete(f, args)
}

// Validate checks the name (NAME, kustomization/NAME or helmrelease/NAME) and the
// output format.
func (o *HistoryOptions) Validate() error {
	if kind, name, ok := strings.Cut(o.Name, "/"); ok {
		switch strings.ToLower(kind) {
		case "kustomization", "kustomizations", "ks":
			o.Kind = flux.KindKustomization
		case "helmrelease", "helmreleases", "hr":
			o.Kind = flux.KindHelmRelease
		default:
			return exitcode.New(exitcode.Usage, "%q: history is kept by Kustomizations and HelmReleases (NAME, kustomization/NAME or helmrelease/NAME)", o.Name)
		}
		o.Name = name
	}
	if err := o.Named.Validate(o.name.Command("rollback history apps -n flux-system")); err != nil {
		return err
	}
	if o.Kind == flux.KindHelmRelease && o.GitDir != "" {
		return exitcode.New(exitcode.Usage, "--git-dir describes the commits of a Kustomization's source: for a HelmRelease, ask the Kustomization that applies it")
	}
	var err error
	o.printer, err = o.Output.ToPrinter(o.streams.ErrOut)
	return err
}

// Run reads the Kustomization and prints its history.
func (o *HistoryOptions) Run(ctx context.Context) error {
	client, err := o.Cluster.Client()
	if err != nil {
		return err
	}
	var doc history.History
	if o.Kind == flux.KindHelmRelease {
		var hr helmv2.HelmRelease
		if err := flux.GetInto(ctx, client.Dynamic, o.Namespace, o.Name, &hr); err != nil {
			return err
		}
		doc = history.NewHelmRelease(&hr)
	} else {
		var ks kustomizev1.Kustomization
		if err := flux.GetInto(ctx, client.Dynamic, o.Namespace, o.Name, &ks); err != nil {
			return err
		}
		doc = history.New(&ks)
		if o.GitDir != "" {
			history.Reorder(doc.Entries, history.GitAncestry(ctx, o.GitDir))
			doc.Notes = history.Describe(ctx, o.GitDir, ks.Spec.Path, doc.Entries)
			doc.Described = true
		}
	}
	return o.printer.Print(o.streams.Out, doc)
}
