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

// HandBackOptions are the flags of `dev finish` and `dev abort`.
type HandBackOptions struct {
	common
	action  string
	Preview bool
}

func newHandBackCommand(f cluster.Factory, streams genericiooptions.IOStreams, action string) *cobra.Command {
	o := &HandBackOptions{common: common{streams: streams, empty: "the message is empty: it is the squashed commit's message and the pull request's title"}, action: action}
	cmd := &cobra.Command{
		Use:   "finish MESSAGE",
		Short: "Squash the checkpoints into one commit, push the session branch, and hand the cluster back to Flux",
		Example: `  # What finishing would do: the squash, the push, what is resumed, given back and deleted
  kubectl gitops dev finish "Add feature X" --preview --dry-run

  # One clean commit on dev/implementing-feature-x, pushed; Flux applies it (--preview),
  # then main again; the cluster handed back
  kubectl gitops dev finish "Add feature X" --preview --yes`,
		Args: command.ExactArgs(1),
	}
	help := "The clone the session started in."
	if action == "abort" {
		cmd.Use = "abort"
		cmd.Short = "Hand the cluster back to Flux without pushing anything: it ends exactly as Git says"
		cmd.Example = `  # What handing back without pushing would do, from any shell (then --yes to do it)
  kubectl gitops dev abort --session implementing-feature-x --dry-run`
		cmd.Args = command.NoArgs()
		o.empty = ""
		help = "The clone (to find the session by its checked-out branch)."
	} else {
		cmd.Flags().BoolVar(&o.Preview, "preview", false, "Before handing back, switch the source to the pushed branch, wait until Flux applied it, and switch back.")
	}
	o.addFlags(cmd, f, help)
	o.Write.AddFlags(cmd, command.ServerDryRun, "every paused Kustomization applied the tracked branch again")
	command.Bind(cmd, f, o)
	return cmd
}

// Run finishes or aborts.
func (o *HandBackOptions) Run(ctx context.Context) error {
	ctx, cancel := context.WithTimeout(ctx, o.Timeout)
	defer cancel()
	return o.runStep(ctx, func(client *cluster.Client, step write.Hooks, s *dev.Session) (*dev.Result, error) {
		hb := dev.HandBack{Hooks: step, Session: s, Mapper: client.Mapper, Wait: o.Wait}
		if o.action == "abort" {
			return dev.Abort(ctx, client.Dynamic, hb)
		}
		clone, err := o.clone(ctx, client, s, true)
		if err != nil {
			return nil, err
		}
		return dev.Finish(ctx, client.Dynamic, dev.FinishRequest{HandBack: hb, Clone: clone, Message: o.arg, Preview: o.Preview})
	})
}
