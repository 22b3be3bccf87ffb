package cmd

import (
	"context"
	"time"

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
	f         cluster.Factory
	Output    output.Format
	namespace string
}

func newStatusCommand(f cluster.Factory, streams genericiooptions.IOStreams) *cobra.Command {
	o := &StatusOptions{streams: streams, f: f}
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

// Complete reads the namespace to fall back on.
func (o *StatusOptions) Complete(f cluster.Factory, cmd *cobra.Command, args []string) error {
	var err error
	o.namespace, _, err = f.Namespace()
	return err
}

// Validate checks -o.
func (o *StatusOptions) Validate() error { return o.Output.Validate() }

// Run lists the sessions.
func (o *StatusOptions) Run(ctx context.Context) error {
	client, err := o.f.Client()
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
	if o.Output.Document() {
		docs := make([]any, len(sessions))
		for i, s := range sessions {
			docs[i] = s
		}
		return output.Write(o.streams.Out, o.Output.Value, docs...)
	}
	return dev.PrintSessions(&output.Writer{W: o.streams.Out}, sessions, time.Now())
}
