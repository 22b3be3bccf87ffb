package cmd

import (
	"context"
	"strings"

	"github.com/spf13/cobra"
	"k8s.io/cli-runtime/pkg/genericiooptions"

	"github.com/kubectl-gitops/kubectl-gitops/shared/cluster"
	"github.com/kubectl-gitops/kubectl-gitops/shared/command"
	"github.com/kubectl-gitops/kubectl-gitops/shared/dev"
	"github.com/kubectl-gitops/kubectl-gitops/shared/exitcode"
)

// CheckpointOptions are the flags of `dev checkpoint`.
type CheckpointOptions struct {
	common
	message string
}

func newCheckpointCommand(f cluster.Factory, streams genericiooptions.IOStreams) *cobra.Command {
	o := &CheckpointOptions{common: common{streams: streams}}
	cmd := &cobra.Command{
		Use:   "checkpoint MESSAGE",
		Short: "Commit every change of the clone on the session branch",
		Example: `  # Save progress
  kubectl gitops dev checkpoint "api answers on /healthz" --yes`,
		Args: command.ExactArgs(1),
	}
	o.addFlags(cmd, f, "The clone, on the session branch.")
	o.Write.AddFlags(cmd, "Print what would be committed; change nothing.", "")
	command.Bind(cmd, f, o)
	return cmd
}

// Complete reads the message.
func (o *CheckpointOptions) Complete(f cluster.Factory, cmd *cobra.Command, args []string) error {
	o.message = args[0]
	return o.complete(cmd)
}

// Validate refuses an empty message.
func (o *CheckpointOptions) Validate() error {
	if strings.TrimSpace(o.message) == "" {
		return exitcode.New(exitcode.Usage, "the message is empty: say what this checkpoint holds")
	}
	return o.Output.Validate()
}

// Run commits.
func (o *CheckpointOptions) Run(ctx context.Context) error {
	client, step, err := o.step(ctx)
	if err != nil {
		return err
	}
	s, err := o.find(ctx, client, step.User)
	if err != nil {
		return err
	}
	url, err := dev.SourceURL(ctx, client.Dynamic, s)
	if err != nil {
		return err
	}
	clone, err := o.clone(ctx, s, url, true)
	if err != nil {
		return err
	}
	res, err := dev.Save(ctx, client.Dynamic, dev.CheckpointRequest{Step: step, Session: s, Clone: clone, Message: o.message})
	if perr := o.print(res); perr != nil && err == nil {
		err = perr
	}
	return err
}
