package cmd

import (
	"context"
	"strings"
	"time"

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
	client  func() (*cluster.Client, error)
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

// Complete reads the names, the namespace and the client.
func (o *ShowOptions) Complete(f cluster.Factory, cmd *cobra.Command, args []string) error {
	o.client, o.name = f.Client, command.Invocation(cmd)
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
	return o.Output.Validate()
}

// Run reads each GitRepository and prints what it tracks.
func (o *ShowOptions) Run(ctx context.Context) error {
	client, err := o.client()
	if err != nil {
		return err
	}
	targets, err := o.Resolve(ctx, client.Dynamic)
	if err != nil {
		return err
	}
	var docs []*source.Document
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
	if o.Output.Document() {
		out := make([]any, len(docs))
		for i, d := range docs {
			out[i] = d
		}
		if err := output.Write(o.streams.Out, o.Output.Value, out...); err != nil {
			return err
		}
		return command.Silent(exitcode.Of(failed))
	}
	w := &output.Writer{W: o.streams.Out}
	for i, doc := range docs {
		if i > 0 {
			w.Printf("\n")
		}
		printShow(w, doc)
	}
	if w.Err != nil {
		return w.Err
	}
	return command.Silent(exitcode.Of(failed))
}

func printShow(w *output.Writer, doc *source.Document) {
	ns, name := doc.Object.Namespace, doc.Object.Name
	w.Printf("GitRepository: %s/%s\nURL:           %s\nTracks:        %s\nRevision:      %s\nReady:         %s\n",
		ns, name, doc.URL, doc.Tracks, doc.Revision, doc.Ready)
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
		what := "applied"
		if c.Kind == flux.KindHelmChart {
			what = "built from"
		} else if c.Kind == flux.KindHelmRelease {
			what = "installed chart"
		}
		w.Printf("Consumer:      %s %s/%s %s %s (%s)\n", c.Kind, c.Namespace, c.Name, what, orNone(c.Applied), state)
	}
	if sw := doc.Switched; sw != nil {
		by := ""
		if sw.By != "" {
			by = " by " + sw.By
		}
		label, undo := "Switched:      from", "'"+output.Safe(sw.Undo)+"'"
		if sw.Action == branch.ActionPin {
			label = "Pinned:        the cluster differs from the branch head; was"
		}
		w.Printf("%s %s%s at %s; undo with %s\n", label, sw.From, by, sw.At.Format(time.RFC3339), output.Styled(undo))
		if sw.Parent != "" {
			w.Printf("Parent:        Kustomization %s skips it until then (Git declares %s)\n", sw.Parent, sw.From)
		}
	} else if doc.Ref != nil && doc.Ref.Kind == "commit" {
		w.Printf("Pinned:        to commit %s in its spec (Git declares it)\n", doc.Ref.Value)
	}
	if r := doc.Remote; r != nil {
		for _, b := range r.Branches {
			var marks []string
			if b.Tracked {
				marks = append(marks, "tracked")
			}
			if b.Declared {
				marks = append(marks, "declared in Git")
			}
			mark := ""
			if len(marks) > 0 {
				mark = " (" + strings.Join(marks, ", ") + ")"
			}
			w.Printf("Branch:        %s %s%s\n", b.Name, b.Commit, mark)
		}
		if c := r.TrackedVsDeclared; c != nil {
			w.Printf("Compared:      %s is %d ahead and %d behind %s\n", r.Tracked, c.Ahead, c.Behind, r.Declared)
		}
		if c := r.HeldVsTracked; c != nil {
			w.Printf("Fetched:       the source's commit is %d behind the head of %s\n", c.Behind, r.Tracked)
		}
		for _, n := range r.Notes {
			w.Printf("Note:          %s\n", n)
		}
	}
}

func orNone(s string) string {
	if s == "" {
		return "nothing yet"
	}
	return s
}
