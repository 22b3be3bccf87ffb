package cmd

import (
	"context"
	"time"

	"github.com/spf13/cobra"
	"k8s.io/cli-runtime/pkg/genericiooptions"

	"github.com/kubectl-gitops/kubectl-gitops/shared/cluster"
	"github.com/kubectl-gitops/kubectl-gitops/shared/command"
	"github.com/kubectl-gitops/kubectl-gitops/shared/dev"
	"github.com/kubectl-gitops/kubectl-gitops/shared/exitcode"
	"github.com/kubectl-gitops/kubectl-gitops/shared/flux"
)

// StartOptions are the flags of `dev start`.
type StartOptions struct {
	common
	Kustomizations []string
	Path           string
	For            time.Duration
}

func newStartCommand(f cluster.Factory, streams genericiooptions.IOStreams) *cobra.Command {
	o := &StartOptions{common: common{streams: streams, empty: "the description is empty: say what you work on, e.g. \"implementing feature X\""}}
	cmd := &cobra.Command{
		Use:   "start DESCRIPTION (-k KUSTOMIZATION... | --path PATH) [--git-dir CLONE]",
		Short: "Branch from what Flux applies and pause the Kustomizations you work on",
		Example: `  # Pause apps and branch dev/implementing-feature-x in the clone in this folder
  kubectl gitops dev start "implementing feature X" -k apps -n flux-system --yes

  # What pausing whatever applies ./infrastructure would do, changing nothing
  kubectl gitops dev start "tune infrastructure" --path infrastructure --dry-run`,
		Args: command.ExactArgs(1),
	}
	o.addFlags(cmd, f, "The clone of the repository Flux applies, where the session branch is made.")
	cmd.Flags().StringArrayVarP(&o.Kustomizations, "kustomization", "k", nil, "A Kustomization to pause, in --namespace (repeat for several).")
	_ = cmd.RegisterFlagCompletionFunc("kustomization", command.CompleteNames(f, flux.KindKustomization))
	cmd.Flags().StringVar(&o.Path, "path", "", "A folder of the repository: pause the Kustomizations that apply it.")
	cmd.Flags().DurationVar(&o.For, "for", 8*time.Hour, "How long the session is meant to last; past it, status calls it overdue.")
	o.Write.AddFlags(cmd, command.ServerDryRun, "")
	command.Bind(cmd, f, o)
	return cmd
}

// Validate refuses a session with nothing to pause.
func (o *StartOptions) Validate() error {
	if err := o.common.Validate(); err != nil {
		return err
	}
	if len(o.Kustomizations) == 0 && o.Path == "" {
		return exitcode.New(exitcode.Usage, "name the Kustomizations to pause with -k, or the folder you work on with --path")
	}
	for _, k := range o.Kustomizations {
		if k == "" {
			return exitcode.New(exitcode.Usage, "-k: an empty Kustomization name")
		}
	}
	if o.For <= 0 {
		return exitcode.New(exitcode.Usage, "--for must be positive, e.g. --for 4h")
	}
	if o.GitDir == "" {
		return exitcode.New(exitcode.Usage, "--git-dir is empty: give your clone of the repository Flux applies")
	}
	return nil
}

// Run starts the session.
func (o *StartOptions) Run(ctx context.Context) error {
	client, step, err := o.step(ctx)
	if err != nil {
		return err
	}
	res, err := dev.Start(ctx, client.Dynamic, dev.StartRequest{
		Hooks: step, Description: o.arg, GitDir: o.GitDir,
		Namespace: o.namespace, Kustomizations: o.Kustomizations, Path: o.Path, For: o.For,
	})
	if perr := o.print(res); perr != nil && err == nil {
		err = perr
	}
	return err
}
