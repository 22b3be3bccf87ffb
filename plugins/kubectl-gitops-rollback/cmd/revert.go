package cmd

import (
	"context"
	"fmt"
	"strings"

	"github.com/spf13/cobra"
	"k8s.io/cli-runtime/pkg/genericiooptions"

	"github.com/kubectl-gitops/kubectl-gitops/shared/cluster"
	"github.com/kubectl-gitops/kubectl-gitops/shared/command"
	"github.com/kubectl-gitops/kubectl-gitops/shared/diff"
	"github.com/kubectl-gitops/kubectl-gitops/shared/exitcode"
	"github.com/kubectl-gitops/kubectl-gitops/shared/flux"
	"github.com/kubectl-gitops/kubectl-gitops/shared/history"
	"github.com/kubectl-gitops/kubectl-gitops/shared/invocation"
	"github.com/kubectl-gitops/kubectl-gitops/shared/output"
	"github.com/kubectl-gitops/kubectl-gitops/shared/rollback"
)

// RevertOptions are the flags of `rollback revert`.
type RevertOptions struct {
	command.Named
	streams genericiooptions.IOStreams
	arg     string
	// name is the suite as the user typed it, for the examples in errors.
	name invocation.Name
	// helmRelease is set when the argument was helmrelease/NAME.
	helmRelease string

	Choice history.Choice
	Commit string
	GitDir string
	Reason string
	NoPush bool
	// Preview says what each Kustomization reading the source will change when it
	// applies the revert commit.
	Preview bool
	Output  output.Format
	printer output.Printer
	command.Write
}

func newRevertCommand(f cluster.Factory, streams genericiooptions.IOStreams) *cobra.Command {
	o := &RevertOptions{Named: command.Named{Kind: flux.KindKustomization}, streams: streams}
	cmd := &cobra.Command{
		Use:   "revert KUSTOMIZATION (--to SHA | --steps N | --to-last-good | --commit SHA) --git-dir PATH",
		Short: "Commit, push and wait for a revert in Git of what a Kustomization applies",
		Long: `Revert in Git what a Kustomization applies, the GitOps way: one new commit on the
branch Flux tracks restores every file the Kustomization builds from (its path and what
its kustomization.yaml pulls in, such as ../base) to the chosen revision, checked with
kustomize to build to the same objects. The commit is made in your clone with your own
git and credentials (the working tree and the checked-out branch are not touched),
pushed without force, and the command waits until Flux applied it. If the remote moved,
nothing is forced and the commit is kept on a local branch.`,
		Example: `  # From inside your clone: undo the last change to apps, in Git, and wait until Flux applied it
  kubectl gitops rollback revert apps -n flux-system --steps 1 --git-dir . --reason "INC-42" --yes

  # A HelmRelease is reverted through the Kustomization that applies it
  kubectl gitops rollback revert helmrelease/web -n shop --steps 1 --git-dir . --dry-run

  # Leave the commit on a local branch for a pull request
  kubectl gitops rollback revert apps -n flux-system --to-last-good --git-dir . --no-push --yes`,
		Args:              command.ExactArgs(1),
		ValidArgsFunction: command.CompleteNames(f, flux.KindKustomization),
	}
	addChoiceFlags(cmd, &o.Choice)
	cmd.Flags().StringVar(&o.Commit, "commit", "", "Instead of going back to a revision, undo this one commit's changes to what the Kustomization builds from.")
	cmd.Flags().StringVar(&o.GitDir, "git-dir", "", "Your clone of the Kustomization's source (required).")
	cmd.Flags().StringVar(&o.Reason, "reason", "", "Why, for the commit message.")
	cmd.Flags().BoolVar(&o.NoPush, "no-push", false, "Leave the commit on a local branch and print how to open a pull request.")
	o.Output.AddFlag(cmd)
	o.Write.AddFlags(cmd, "Make and check the commit, push and change nothing.", "Flux applied the pushed commit")
	command.AddPreviewFlag(cmd, &o.Preview)
	command.Bind(cmd, f, o)
	return cmd
}

// Complete reads the name and namespace.
func (o *RevertOptions) Complete(f cluster.Factory, cmd *cobra.Command, args []string) error {
	o.arg, o.name = args[0], command.Invocation(cmd)
	return o.Named.Complete(f, args)
}

// Validate checks the name, the target, the clone and the flags.
func (o *RevertOptions) Validate() error {
	example := o.name.Command("rollback revert apps -n flux-system --steps 1 --git-dir ./fleet")
	if kind, name, ok := strings.Cut(o.arg, "/"); ok && isHelmRelease(kind) {
		// Reverted through the Kustomization that applies it, found in Run.
		o.helmRelease, o.Name = name, name
	} else {
		name, err := kustomizationArg(o.arg, "")
		if err != nil {
			return err
		}
		o.Name = name
	}
	if err := o.Named.Validate(example); err != nil {
		return err
	}
	if o.Commit != "" {
		if o.Choice != (history.Choice{}) {
			return exitcode.New(exitcode.Usage, "--commit undoes one commit; --to, --steps and --to-last-good go back to a revision: give one of them")
		}
	} else if err := validateChoice(o.Choice, example); err != nil {
		return err
	}
	if strings.TrimSpace(o.GitDir) == "" {
		return exitcode.New(exitcode.Usage, "--git-dir is required: the folder of your clone of the source, e.g. '%s'", example)
	}
	if err := o.Write.Validate(); err != nil {
		return err
	}
	var err error
	o.printer, err = o.Output.ToPrinter(o.streams.ErrOut)
	return err
}

// Run reverts and prints the result.
func (o *RevertOptions) Run(ctx context.Context) error {
	client, err := o.Cluster.Client()
	if err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(ctx, o.Timeout)
	defer cancel()
	var note string
	if o.helmRelease != "" {
		if o.Namespace, o.Name, err = rollback.AppliedBy(ctx, client.Dynamic, o.Namespace, o.helmRelease); err != nil {
			return err
		}
		note = fmt.Sprintf("HelmRelease %s is applied by Kustomization %s/%s: the revert restores what that Kustomization builds from", o.helmRelease, o.Namespace, o.Name)
	}
	req := rollback.RevertRequest{
		Namespace: o.Namespace, Name: o.Name, Choice: o.Choice, OneCommit: o.Commit, GitDir: o.GitDir, Reason: o.Reason,
		NoPush: o.NoPush, Wait: o.Wait, Hooks: o.Write.Hooks(o.streams, ""),
	}
	if o.Preview {
		// The revert commit is in the clone only until the push: read from there.
		req.Preview = diff.Previewer(client.Dynamic, client.Config, client.Mapper, diff.Options{GitDir: o.GitDir, Remote: o.Cluster.Remote()})
	}
	res, err := rollback.Revert(ctx, client.Dynamic, req)
	if res != nil {
		if note != "" {
			res.Notes = append([]string{note}, res.Notes...)
		}
		if perr := o.printer.Print(o.streams.Out, res); perr != nil && err == nil {
			err = perr
		}
	}
	return err
}

func isHelmRelease(kind string) bool {
	switch strings.ToLower(kind) {
	case "helmrelease", "helmreleases", "hr":
		return true
	}
	return false
}
