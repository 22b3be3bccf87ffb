package cmd

import (
	"context"

	"github.com/spf13/cobra"
	"k8s.io/cli-runtime/pkg/genericiooptions"

	"github.com/kubectl-gitops/kubectl-gitops/shared/cluster"
	"github.com/kubectl-gitops/kubectl-gitops/shared/command"
	"github.com/kubectl-gitops/kubectl-gitops/shared/dev"
	"github.com/kubectl-gitops/kubectl-gitops/shared/output"
)

// StatusOptions are the flags of `dev status`.
type StatusOptions struct {
	streams   genericiooptions.IOStreams
	cluster   command.Cluster
	printer   output.Printer
	Output    output.Format
	namespace string
}

func newStatusCommand(f cluster.Factory, streams genericiooptions.IOStreams) *cobra.Command {
	o := &StatusOptions{streams: streams}
	cmd := &cobra.Command{
		Use:   "status",
		Short: "List every open dev session in the cluster: who, since when, what is paused and applied",
		Example: `  # Who is working on the cluster right now?
  kubectl gitops dev status

  # The same for a script: one DevSession document per session
  kubectl gitops dev status -o json`,
		Args: command.NoArgs(),
	}
	o.Output.AddFlag(cmd)
	command.Bind(cmd, f, o)
	return cmd
}

// Complete reads the namespace to fall back on and the cluster.
func (o *StatusOptions) Complete(f cluster.Factory, cmd *cobra.Command, args []string) error {
	o.cluster.Complete(f)
	var err error
	o.namespace, _, err = f.Namespace()
	return err
}

// Validate checks -o.
func (o *StatusOptions) Validate() error {
	var err error
	o.printer, err = o.Output.ToPrinter(o.streams.ErrOut)
	return err
}

// Run lists the sessions.
func (o *StatusOptions) Run(ctx context.Context) error {
	client, err := o.cluster.Client()
	if err != nil {
		return err
	}
	sessions, note, err := dev.Store{Dyn: client.Dynamic}.List(ctx, "", o.namespace)
	if err != nil {
		return err
	}
	if note != "" {
		(&output.Writer{W: o.streams.ErrOut}).Printf("note: %s\n", note)
	}
	return o.printer.Print(o.streams.Out, dev.Sessions(sessions))
}
