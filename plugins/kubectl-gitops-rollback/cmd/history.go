package cmd

import (
	"context"
	"fmt"
	"strings"
	"time"

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
	return o.Output.Validate()
}

// Run reads the Kustomization and prints its history.
func (o *HistoryOptions) Run(ctx context.Context) error {
	client, err := o.Client()
	if err != nil {
		return err
	}
	var doc history.History
	if o.Kind == flux.KindHelmRelease {
		var hr helmv2.HelmRelease
		if err := flux.GetInto(ctx, client.Dynamic, flux.KindHelmRelease, o.Namespace, o.Name, &hr); err != nil {
			return err
		}
		doc = history.NewHelmRelease(&hr)
	} else {
		var ks kustomizev1.Kustomization
		if err := flux.GetInto(ctx, client.Dynamic, flux.KindKustomization, o.Namespace, o.Name, &ks); err != nil {
			return err
		}
		doc = history.New(&ks)
		if o.GitDir != "" {
			history.Reorder(doc.Entries, history.GitAncestry(ctx, o.GitDir))
			doc.Notes = history.Describe(ctx, o.GitDir, ks.Spec.Path, doc.Entries)
		}
	}
	if o.Output.Document() {
		return output.Write(o.streams.Out, o.Output.Value, doc)
	}
	if len(doc.Entries) == 0 {
		w := &output.Writer{W: o.streams.Out}
		w.Printf("%s has no history yet\n", output.Name(o.Kind, o.Namespace, o.Name))
		return w.Err
	}
	if o.Kind == flux.KindHelmRelease {
		return o.printReleases(doc)
	}
	headers := []any{"REVISION", "STATUS", "FIRST APPLIED", "LAST APPLIED", "RECONCILES", "MARK"}
	if o.GitDir != "" {
		headers = append(headers, "SUBJECT", "AUTHOR", "FILES")
	}
	table := output.NewTable(o.streams.Out, headers...)
	for _, e := range doc.Entries {
		row := []any{e.Revision, e.Status, e.FirstReconciled.Format(time.RFC3339), e.LastReconciled.Format(time.RFC3339), fmt.Sprint(e.Reconciliations), e.Marks()}
		if o.GitDir != "" {
			if c := e.Commit; c != nil {
				row = append(row, c.Subject, c.Author, strings.Join(c.Files, " "))
			} else {
				row = append(row, "", "", "")
			}
		}
		if err := table.Append(row...); err != nil {
			return err
		}
	}
	if err := table.Render(); err != nil {
		return err
	}
	w := &output.Writer{W: o.streams.ErrOut}
	for _, n := range doc.Notes {
		w.Printf("note: %s\n", n)
	}
	return w.Err
}

// printReleases is the table of a HelmRelease's Helm releases.
func (o *HistoryOptions) printReleases(doc history.History) error {
	table := output.NewTable(o.streams.Out, "RELEASE", "CHART", "VERSION", "APP VERSION", "STATUS", "FIRST DEPLOYED", "LAST DEPLOYED", "MARK")
	for _, e := range doc.Entries {
		c := e.Chart
		if err := table.Append(fmt.Sprint(c.Release), c.Name, c.Version, c.AppVersion, e.Status,
			e.FirstReconciled.Format(time.RFC3339), e.LastReconciled.Format(time.RFC3339), e.Marks()); err != nil {
			return err
		}
	}
	return table.Render()
}
