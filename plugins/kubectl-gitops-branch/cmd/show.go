package cmd

import (
	"context"

	"github.com/spf13/cobra"
	"k8s.io/cli-runtime/pkg/genericiooptions"

	"github.com/kubectl-gitops/kubectl-gitops/shared/branch"
	"github.com/kubectl-gitops/kubectl-gitops/shared/cluster"
	"github.com/kubectl-gitops/kubectl-gitops/shared/command"
	"github.com/kubectl-gitops/kubectl-gitops/shared/exitcode"
	"github.com/kubectl-gitops/kubectl-gitops/shared/flux"
	"github.com/kubectl-gitops/kubectl-gitops/shared/invocation"
	"github.com/kubectl-gitops/kubectl-gitops/shared/output"
	"github.com/kubectl-gitops/kubectl-gitops/shared/source"
)

// ShowOptions are the flags of `branch show`.
type ShowOptions struct {
	command.Selection
	streams genericiooptions.IOStreams
	printer output.Printer
	// name is the suite as the user typed it, for the examples in errors.
	name   invocation.Name
	Output output.Format
	Remote bool
	GitDir string
}

func newShowCommand(f cluster.Factory, streams genericiooptions.IOStreams) *cobra.Command {
	o := &ShowOptions{Selection: command.Selection{Kind: flux.KindGitRepository}, streams: streams}
	cmd := &cobra.Command{
		Use:   "show (GITREPOSITORY... | -l SELECTOR | -A)",
		Short: "Show the ref each GitRepository tracks, the revision it holds, who switched it, and what its consumers applied",
		Example: `  # What the root source tracks and what every Kustomization and HelmRelease reading it applied
  kubectl gitops branch show flux-system -n flux-system

  # Every GitRepository of the cluster
  kubectl gitops branch show -A

  # With the branches of its remote, asked with your own git
  kubectl gitops branch show flux-system -n flux-system --remote`,
		Args:              command.ArbitraryArgs(),
		ValidArgsFunction: command.CompleteNames(f, flux.KindGitRepository),
	}
	o.Selection.AddFlags(cmd)
	o.Output.AddFlag(cmd)
	cmd.Flags().BoolVar(&o.Remote, "remote", false, "Also list the remote's branches, asked with your own git and credentials.")
	cmd.Flags().StringVar(&o.GitDir, "git-dir", "", "A local clone of the source: list its branches and count how far the tracked branch is from the one Git declares.")
	command.Bind(cmd, f, o)
	return cmd
}

// Complete reads the names, the namespace and the cluster.
func (o *ShowOptions) Complete(f cluster.Factory, cmd *cobra.Command, args []string) error {
	o.name = command.Invocation(cmd)
	return o.Selection.Complete(f, args)
}

// Validate checks the selection and the output format.
func (o *ShowOptions) Validate() error {
	if err := o.Selection.Validate(o.name.Command("branch show flux-system -n flux-system")); err != nil {
		return err
	}
	if o.Remote && o.GitDir != "" {
		return exitcode.New(exitcode.Usage, "--remote and --git-dir cannot be used together: --git-dir reads the clone's branches, --remote asks the remote")
	}
	var err error
	o.printer, err = o.Output.ToPrinter(o.streams.ErrOut)
	return err
}

// Run reads each GitRepository and prints what it tracks.
func (o *ShowOptions) Run(ctx context.Context) error {
	client, err := o.Cluster.Client()
	if err != nil {
		return err
	}
	targets, err := o.Resolve(ctx, client.Dynamic)
	if err != nil {
		return err
	}
	var docs source.Documents
	var failed error
	for _, t := range targets {
		doc, err := branch.Show(ctx, client.Dynamic, branch.ShowRequest{Namespace: t.Namespace, Name: t.Name, Remote: o.Remote, GitDir: o.GitDir})
		if err != nil {
			if len(targets) == 1 || exitcode.Of(err) != exitcode.NotFound {
				return err
			}
			// One missing name among several is reported, the others are shown.
			(&output.Writer{W: o.streams.ErrOut}).Printf("error: %s\n", err.Error())
			failed = err
			continue
		}
		docs = append(docs, doc)
	}
	if err := o.printer.Print(o.streams.Out, docs); err != nil {
		return err
	}
	return command.Silent(exitcode.Of(failed))
}
