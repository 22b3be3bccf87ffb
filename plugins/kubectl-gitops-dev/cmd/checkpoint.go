package cmd

import (
	"context"

	"github.com/spf13/cobra"
	"k8s.io/cli-runtime/pkg/genericiooptions"

	"github.com/kubectl-gitops/kubectl-gitops/shared/cluster"
	"github.com/kubectl-gitops/kubectl-gitops/shared/command"
	"github.com/kubectl-gitops/kubectl-gitops/shared/dev"
	"github.com/kubectl-gitops/kubectl-gitops/shared/write"
)

// CheckpointOptions are the flags of `dev checkpoint`.
type CheckpointOptions struct{ common }

func newCheckpointCommand(f cluster.Factory, streams genericiooptions.IOStreams) *cobra.Command {
	o := &CheckpointOptions{common: common{streams: streams, empty: "the message is empty: say what this checkpoint holds"}}
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

// Run commits.
func (o *CheckpointOptions) Run(ctx context.Context) error {
	return o.runStep(ctx, func(client *cluster.Client, step write.Hooks, s *dev.Session) (*dev.Result, error) {
		clone, err := o.clone(ctx, client, s, true)
		if err != nil {
			return nil, err
		}
		return dev.Save(ctx, client.Dynamic, dev.CheckpointRequest{Hooks: step, Session: s, Clone: clone, Message: o.arg})
	})
}
