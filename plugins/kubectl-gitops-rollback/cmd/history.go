package cmd

import (
	"context"
	"fmt"
	"time"

	kustomizev1 "github.com/fluxcd/kustomize-controller/api/v1"
	"github.com/spf13/cobra"
	"k8s.io/cli-runtime/pkg/genericiooptions"

	"github.com/kubectl-gitops/kubectl-gitops/shared/cluster"
	"github.com/kubectl-gitops/kubectl-gitops/shared/command"
	"github.com/kubectl-gitops/kubectl-gitops/shared/exitcode"
	"github.com/kubectl-gitops/kubectl-gitops/shared/flux"
	"github.com/kubectl-gitops/kubectl-gitops/shared/history"
	"github.com/kubectl-gitops/kubectl-gitops/shared/output"
)

// HistoryOptions are the flags of `rollback history`.
type HistoryOptions struct {
	factory   *cluster.Factory
	streams   genericiooptions.IOStreams
	Output    string
	name      string
	namespace string
}

func newHistoryCommand(f *cluster.Factory, streams genericiooptions.IOStreams) *cobra.Command {
	o := &HistoryOptions{factory: f, streams: streams}
	cmd := &cobra.Command{
		Use:   "history KUSTOMIZATION",
		Short: "List the revisions a Kustomization applied, newest first",
		Example: `  kubectl gitops rollback history apps -n flux-system
  kubectl gitops rollback history apps -n flux-system -o yaml`,
		Args: command.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := o.Complete(args); err != nil {
				return err
			}
			if err := o.Validate(); err != nil {
				return err
			}
			return o.Run(cmd.Context())
		},
	}
	output.AddFlag(cmd, &o.Output, "Output format: json or yaml. Default: a table.", "json", "yaml")
	return cmd
}

// Complete reads the name and namespace.
func (o *HistoryOptions) Complete(args []string) error {
	o.name = args[0]
	var err error
	o.namespace, _, err = o.factory.Namespace()
	return err
}

// Validate checks the output format.
func (o *HistoryOptions) Validate() error { return output.Check(o.Output, "json", "yaml") }

// Run reads the Kustomization and prints its history.
func (o *HistoryOptions) Run(ctx context.Context) error {
	client, err := o.factory.Client()
	if err != nil {
		return err
	}
	var ks kustomizev1.Kustomization
	if err := flux.Get(ctx, client.Dynamic, flux.KindKustomization, o.namespace, o.name, &ks); err != nil {
		if exitcode.Of(err) == exitcode.NotFound {
			return exitcode.New(exitcode.NotFound, "Kustomization %s/%s not found: list them with 'kubectl get kustomizations -A'", o.namespace, o.name)
		}
		return err
	}
	entries := history.FromKustomization(&ks)
	doc := map[string]any{
		"apiVersion": "gitops.kubectl.io/v1alpha1", "kind": "History",
		"kustomization": map[string]string{"namespace": o.namespace, "name": o.name},
		"entries":       entries,
	}
	switch o.Output {
	case "json":
		return output.JSON(o.streams.Out, doc)
	case "yaml":
		return output.YAML(o.streams.Out, doc)
	}
	if len(entries) == 0 {
		fmt.Fprintf(o.streams.Out, "Kustomization %s/%s has no history yet\n", o.namespace, o.name)
		return nil
	}
	table := output.NewTable(o.streams.Out, "REVISION", "STATUS", "FIRST APPLIED", "LAST APPLIED", "RECONCILES", "CURRENT")
	for _, e := range entries {
		cur := ""
		if e.Current {
			cur = "*"
		}
		if err := table.Append([]string{e.Revision, e.Status, e.FirstReconciled.Format(time.RFC3339), e.LastReconciled.Format(time.RFC3339), fmt.Sprint(e.Reconciliations), cur}); err != nil {
			return err
		}
	}
	return table.Render()
}
