package cmd

import (
	"context"

	"github.com/spf13/cobra"
	"k8s.io/cli-runtime/pkg/genericiooptions"

	"github.com/kubectl-gitops/kubectl-gitops/shared/cluster"
	"github.com/kubectl-gitops/kubectl-gitops/shared/command"
	"github.com/kubectl-gitops/kubectl-gitops/shared/dev"
	"github.com/kubectl-gitops/kubectl-gitops/shared/diff"
	"github.com/kubectl-gitops/kubectl-gitops/shared/write"
)

// TestOptions are the flags of `dev test` and `dev diff`.
type TestOptions struct {
	common
	diff bool
	// Preview (diff) says what Flux will change when it applies the session branch.
	Preview bool
}

func newTestCommand(f cluster.Factory, streams genericiooptions.IOStreams, diff bool) *cobra.Command {
	o := &TestOptions{common: common{streams: streams, empty: "the path is empty: give a manifest file or folder"}, diff: diff}
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
	} else {
		command.AddPreviewFlag(cmd, &o.Preview)
	}
	command.Bind(cmd, f, o)
	return cmd
}

// Run applies or compares the manifests.
func (o *TestOptions) Run(ctx context.Context) error {
	return o.runStep(ctx, func(client *cluster.Client, step write.Hooks, s *dev.Session) (*dev.Result, error) {
		manifests, err := dev.ReadManifests(o.cluster.Builder(), o.arg, o.namespace)
		if err != nil {
			return nil, err
		}
		if !o.diff {
			return dev.Test(ctx, client.Dynamic, dev.TestRequest{Hooks: step, Session: s, Manifests: manifests})
		}
		clone, err := o.clone(ctx, client, s, false)
		if err != nil {
			return nil, err
		}
		req := dev.DiffRequest{Hooks: step, Session: s, Manifests: manifests, Clone: clone}
		if o.Preview {
			req.Preview = diff.KustomizationsPreviewer(client.Dynamic, client.Config, client.Mapper, o.cluster.Remote())
		}
		return dev.Diff(ctx, client.Dynamic, req)
	})
}
