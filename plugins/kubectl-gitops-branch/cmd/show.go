package cmd

import (
	"context"
	"fmt"

	"github.com/spf13/cobra"
	"k8s.io/cli-runtime/pkg/genericiooptions"

	"github.com/kubectl-gitops/kubectl-gitops/shared/cluster"
	"github.com/kubectl-gitops/kubectl-gitops/shared/command"
	"github.com/kubectl-gitops/kubectl-gitops/shared/exitcode"
	"github.com/kubectl-gitops/kubectl-gitops/shared/flux"
	"github.com/kubectl-gitops/kubectl-gitops/shared/output"
	"github.com/kubectl-gitops/kubectl-gitops/shared/trace"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
)

// ShowOptions are the flags of `branch show`.
type ShowOptions struct {
	factory   *cluster.Factory
	streams   genericiooptions.IOStreams
	Output    string
	name      string
	namespace string
}

func newShowCommand(f *cluster.Factory, streams genericiooptions.IOStreams) *cobra.Command {
	o := &ShowOptions{factory: f, streams: streams}
	cmd := &cobra.Command{
		Use:     "show GITREPOSITORY",
		Short:   "Show the ref a GitRepository tracks and the revision it holds",
		Example: `  kubectl gitops branch show flux-system -n flux-system`,
		Args:    command.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			o.name = args[0]
			var err error
			if o.namespace, _, err = o.factory.Namespace(); err != nil {
				return err
			}
			if err := output.Check(o.Output, "json", "yaml"); err != nil {
				return err
			}
			return o.Run(cmd.Context())
		},
	}
	output.AddFlag(cmd, &o.Output, "Output format: json or yaml. Default: text.", "json", "yaml")
	return cmd
}

// Run reads the GitRepository and prints what it tracks.
func (o *ShowOptions) Run(ctx context.Context) error {
	client, err := o.factory.Client()
	if err != nil {
		return err
	}
	var u unstructured.Unstructured
	if err := flux.Get(ctx, client.Dynamic, flux.KindGitRepository, o.namespace, o.name, &u); err != nil {
		if exitcode.Of(err) == exitcode.NotFound {
			return exitcode.New(exitcode.NotFound, "GitRepository %s/%s not found: list them with 'kubectl get gitrepositories -A'", o.namespace, o.name)
		}
		return err
	}
	hop := trace.SourceHop(trace.RoleSource, "", &u)
	switch o.Output {
	case "json":
		return output.JSON(o.streams.Out, hop)
	case "yaml":
		return output.YAML(o.streams.Out, hop)
	}
	ready := "Unknown"
	if hop.Health != nil && hop.Health.Ready != "" {
		ready = hop.Health.Ready
	}
	fmt.Fprintf(o.streams.Out, "GitRepository: %s/%s\nURL:           %s\nTracks:        %s\nRevision:      %s\nReady:         %s\n",
		o.namespace, o.name, hop.URL, hop.Tracks, hop.Revision, ready)
	if hop.Health != nil && hop.Health.Ready == "False" {
		fmt.Fprintf(o.streams.Out, "Message:       %s\n", hop.Health.Message)
	}
	return nil
}
