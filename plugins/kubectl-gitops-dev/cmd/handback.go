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

// HandBackOptions are the flags of `dev finish` and `dev abort`.
type HandBackOptions struct {
	common
	action  string
	Preview bool
	message string
}

func newHandBackCommand(f cluster.Factory, streams genericiooptions.IOStreams, action string) *cobra.Command {
	o := &HandBackOptions{common: common{streams: streams}, action: action}
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
		help = "The clone (to find the session by its checked-out branch)."
	} else {
		cmd.Flags().BoolVar(&o.Preview, "preview", false, "Before handing back, switch the source to the pushed branch, wait until Flux applied it, and switch back.")
	}
	o.addFlags(cmd, f, help)
	o.Write.AddFlags(cmd, command.ServerDryRun, "every paused Kustomization applied the tracked branch again")
	command.Bind(cmd, f, o)
	return cmd
}

// Complete reads the message.
func (o *HandBackOptions) Complete(f cluster.Factory, cmd *cobra.Command, args []string) error {
	if len(args) > 0 {
		o.message = args[0]
	}
	return o.complete(cmd)
}

// Validate refuses an empty message.
func (o *HandBackOptions) Validate() error {
	if o.action == "finish" && strings.TrimSpace(o.message) == "" {
		return exitcode.New(exitcode.Usage, "the message is empty: it is the squashed commit's message and the pull request's title")
	}
	if err := o.Write.Validate(); err != nil {
		return err
	}
	return o.Output.Validate()
}

// Run finishes or aborts.
func (o *HandBackOptions) Run(ctx context.Context) error {
	ctx, cancel := context.WithTimeout(ctx, o.Timeout)
	defer cancel()
	client, step, err := o.step(ctx)
	if err != nil {
		return err
	}
	s, err := o.find(ctx, client, step.User)
	if err != nil {
		return err
	}
	hb := dev.HandBack{Step: step, Session: s, Mapper: client.Mapper, Wait: o.Wait}
	var res *dev.Result
	if o.action == "abort" {
		res, err = dev.Abort(ctx, client.Dynamic, hb)
	} else {
		url, uerr := dev.SourceURL(ctx, client.Dynamic, s)
		if uerr != nil {
			return uerr
		}
		clone, cerr := o.clone(ctx, s, url, true)
		if cerr != nil {
			return cerr
		}
		res, err = dev.Finish(ctx, client.Dynamic, dev.FinishRequest{HandBack: hb, Clone: clone, Message: o.message, Preview: o.Preview})
	}
	if perr := o.print(res); perr != nil && err == nil {
		err = perr
	}
	return err
}
