package cmd

import (
	"context"

	"github.com/spf13/cobra"
	"k8s.io/cli-runtime/pkg/genericiooptions"

	"github.com/kubectl-gitops/kubectl-gitops/shared/cluster"
	"github.com/kubectl-gitops/kubectl-gitops/shared/command"
	"github.com/kubectl-gitops/kubectl-gitops/shared/dev"
	"github.com/kubectl-gitops/kubectl-gitops/shared/exitcode"
)

// TestOptions are the flags of `dev test` and `dev diff`.
type TestOptions struct {
	common
	diff bool
	path string
}

func newTestCommand(f cluster.Factory, streams genericiooptions.IOStreams, diff bool) *cobra.Command {
	o := &TestOptions{common: common{streams: streams}, diff: diff}
	cmd := &cobra.Command{
		Use:   "test FILE|DIR",
		Short: "Apply manifests live in the session, after a server-side dry run; each object is recorded",
		Example: `  # Try the changed Deployment live
  kubectl gitops dev test apps/deployment.yaml --yes`,
		Args: command.ExactArgs(1),
	}
	help := "The clone of the repository Flux applies (to find the session by its checked-out branch)."
	if diff {
		cmd.Use = "diff FILE|DIR"
		cmd.Short = "Show what manifests change in the cluster, and how they differ from the tracked branch"
		cmd.Example = `  # What would apps/deployment.yaml change, live and against Git?
  kubectl gitops dev diff apps/deployment.yaml`
		help = "The clone of the repository Flux applies: the tracked branch's head is read there."
	}
	o.addFlags(cmd, f, help)
	if !diff {
		o.Write.AddFlags(cmd, command.ServerDryRun, "")
	}
	command.Bind(cmd, f, o)
	return cmd
}

// Complete reads the path.
func (o *TestOptions) Complete(f cluster.Factory, cmd *cobra.Command, args []string) error {
	o.path = args[0]
	return o.complete(cmd)
}

// Validate refuses an empty path.
func (o *TestOptions) Validate() error {
	if o.path == "" {
		return exitcode.New(exitcode.Usage, "the path is empty: give a manifest file or folder")
	}
	return o.Output.Validate()
}

// Run applies or compares the manifests.
func (o *TestOptions) Run(ctx context.Context) error {
	client, step, err := o.step(ctx)
	if err != nil {
		return err
	}
	s, err := o.find(ctx, client, step.User)
	if err != nil {
		return err
	}
	manifests, err := dev.ReadManifests(o.f.Builder(), o.path, o.namespace)
	if err != nil {
		return err
	}
	var res *dev.Result
	if o.diff {
		var clone *dev.Clone
		if url, uerr := dev.SourceURL(ctx, client.Dynamic, s); uerr == nil {
			if clone, err = o.clone(ctx, s, url, false); err != nil {
				return err
			}
		}
		res, err = dev.Diff(ctx, client.Dynamic, dev.DiffRequest{Step: step, Session: s, Manifests: manifests, Clone: clone})
	} else {
		res, err = dev.Test(ctx, client.Dynamic, dev.TestRequest{Step: step, Session: s, Manifests: manifests})
	}
	if perr := o.print(res); perr != nil && err == nil {
		err = perr
	}
	return err
}
