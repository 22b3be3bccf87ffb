package cmd

import (
	"context"
	"fmt"
	"time"

	"github.com/spf13/cobra"
	"k8s.io/cli-runtime/pkg/genericiooptions"

	"github.com/kubectl-gitops/kubectl-gitops/shared/branch"
	"github.com/kubectl-gitops/kubectl-gitops/shared/cluster"
	"github.com/kubectl-gitops/kubectl-gitops/shared/command"
	"github.com/kubectl-gitops/kubectl-gitops/shared/exitcode"
	"github.com/kubectl-gitops/kubectl-gitops/shared/flux"
	"github.com/kubectl-gitops/kubectl-gitops/shared/output"
	"github.com/kubectl-gitops/kubectl-gitops/shared/source"
)

// ShowOptions are the flags of `branch show`.
type ShowOptions struct {
	command.Named
	streams genericiooptions.IOStreams
	Output  output.Format
}

func newShowCommand(f cluster.Factory, streams genericiooptions.IOStreams) *cobra.Command {
	o := &ShowOptions{Named: command.Named{Kind: flux.KindGitRepository}, streams: streams}
	cmd := &cobra.Command{
		Use:               "show GITREPOSITORY",
		Short:             "Show the ref a GitRepository tracks and the revision it holds",
		Example:           `  kubectl gitops branch show flux-system -n flux-system`,
		Args:              command.ExactArgs(1),
		ValidArgsFunction: command.CompleteNames(f, flux.KindGitRepository),
	}
	o.Output.AddFlag(cmd, "text")
	command.Bind(cmd, f, o)
	return cmd
}

// Complete reads the name and namespace.
func (o *ShowOptions) Complete(f cluster.Factory, cmd *cobra.Command, args []string) error {
	return o.Named.Complete(f, args)
}

// Validate checks the name and the output format.
func (o *ShowOptions) Validate() error {
	if err := o.Named.Validate("kubectl gitops branch show flux-system -n flux-system"); err != nil {
		return err
	}
	return o.Output.Validate()
}

// Run reads the GitRepository and prints what it tracks.
func (o *ShowOptions) Run(ctx context.Context) error {
	client, err := o.Client()
	if err != nil {
		return err
	}
	u, err := flux.Get(ctx, client.Dynamic, flux.KindGitRepository, o.Namespace, o.Name)
	if err != nil {
		return err
	}
	doc := source.NewDocument(u)
	rec, err := branch.ReadRecord(u.GetAnnotations())
	if err != nil {
		return err
	}
	if rec != nil {
		doc.Switched = &source.Switched{From: source.FromGit(rec.RefBefore), By: rec.By, At: rec.At, Parent: rec.Parent}
	}
	consumers, err := branch.Consumers(ctx, client.Dynamic, o.Namespace, o.Name)
	if err != nil && exitcode.Of(err) != exitcode.Forbidden {
		return err
	}
	for _, ks := range consumers {
		doc.Consumers = append(doc.Consumers, source.Consumer{
			Kind: flux.KindKustomization, Namespace: ks.Namespace, Name: ks.Name, Applied: ks.Status.LastAppliedRevision,
			Current: ks.Status.LastAppliedRevision != "" && ks.Status.LastAppliedRevision == doc.Revision, Suspended: ks.Spec.Suspend,
		})
	}
	if o.Output.Document() {
		return output.Write(o.streams.Out, o.Output.Value, doc)
	}
	w := &output.Writer{W: o.streams.Out}
	w.Printf("GitRepository: %s/%s\nURL:           %s\nTracks:        %s\nRevision:      %s\nReady:         %s\n",
		o.Namespace, o.Name, doc.URL, doc.Tracks, doc.Revision, doc.Ready)
	if doc.Ready == "False" {
		w.Printf("Message:       %s\n", doc.Message)
	}
	for _, c := range doc.Consumers {
		state := "behind"
		switch {
		case c.Suspended:
			state = "suspended"
		case c.Current:
			state = "current"
		}
		w.Printf("Consumer:      Kustomization %s/%s applied %s (%s)\n", c.Namespace, c.Name, orNone(c.Applied), state)
	}
	if sw := doc.Switched; sw != nil {
		by := ""
		if sw.By != "" {
			by = " by " + sw.By
		}
		w.Printf("Switched:      from %s%s at %s; undo with %s\n", sw.From, by, sw.At.Format(time.RFC3339),
			output.Styled(fmt.Sprintf("'kubectl gitops branch restore %s -n %s'", output.Safe(o.Name), output.Safe(o.Namespace))))
		if sw.Parent != "" {
			w.Printf("Parent:        Kustomization %s skips it until then (Git declares %s)\n", sw.Parent, sw.From)
		}
	}
	return w.Err
}

func orNone(s string) string {
	if s == "" {
		return "nothing yet"
	}
	return s
}
