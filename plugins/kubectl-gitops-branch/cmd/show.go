package cmd

import (
	"context"

	"github.com/spf13/cobra"
	"k8s.io/cli-runtime/pkg/genericiooptions"
	"k8s.io/kubectl/pkg/util/completion"

	"github.com/kubectl-gitops/kubectl-gitops/shared/cluster"
	"github.com/kubectl-gitops/kubectl-gitops/shared/command"
	"github.com/kubectl-gitops/kubectl-gitops/shared/exitcode"
	"github.com/kubectl-gitops/kubectl-gitops/shared/flux"
	"github.com/kubectl-gitops/kubectl-gitops/shared/output"
	"github.com/kubectl-gitops/kubectl-gitops/shared/source"
)

// ShowOptions are the flags of `branch show`.
type ShowOptions struct {
	streams   genericiooptions.IOStreams
	Output    output.Format
	client    func() (*cluster.Client, error)
	name      string
	namespace string
}

func newShowCommand(f cluster.Factory, streams genericiooptions.IOStreams) *cobra.Command {
	o := &ShowOptions{streams: streams}
	cmd := &cobra.Command{
		Use:     "show GITREPOSITORY",
		Short:   "Show the ref a GitRepository tracks and the revision it holds",
		Example: `  kubectl gitops branch show flux-system -n flux-system`,
		Args:    command.ExactArgs(1),
		ValidArgsFunction: func(cmd *cobra.Command, args []string, toComplete string) ([]string, cobra.ShellCompDirective) {
			return completion.CompGetResource(f.Kubectl(), "gitrepositories.source.toolkit.fluxcd.io", toComplete), cobra.ShellCompDirectiveNoFileComp
		},
	}
	o.Output.AddFlag(cmd, "text")
	command.Bind(cmd, f, o)
	return cmd
}

// Complete reads the name and namespace.
func (o *ShowOptions) Complete(f cluster.Factory, cmd *cobra.Command, args []string) error {
	o.name, o.client = args[0], f.Client
	var err error
	o.namespace, _, err = f.Namespace()
	return err
}

// Validate checks the name and the output format.
func (o *ShowOptions) Validate() error {
	if o.name == "" {
		return exitcode.New(exitcode.Usage, "the GitRepository name is empty: name one, e.g. 'kubectl gitops branch show flux-system -n flux-system'")
	}
	return o.Output.Validate()
}

// Run reads the GitRepository and prints what it tracks.
func (o *ShowOptions) Run(ctx context.Context) error {
	client, err := o.client()
	if err != nil {
		return err
	}
	u, err := flux.Get(ctx, client.Dynamic, flux.KindGitRepository, o.namespace, o.name)
	if err != nil {
		return err
	}
	doc := source.NewDocument(u)
	if o.Output.Document() {
		return output.Write(o.streams.Out, o.Output.Value, doc)
	}
	w := &output.Writer{W: o.streams.Out}
	w.Printf("GitRepository: %s/%s\nURL:           %s\nTracks:        %s\nRevision:      %s\nReady:         %s\n",
		o.namespace, o.name, doc.URL, doc.Tracks, doc.Revision, doc.Ready)
	if doc.Ready == "False" {
		w.Printf("Message:       %s\n", doc.Message)
	}
	return w.Err
}
