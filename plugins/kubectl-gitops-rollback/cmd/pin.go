package cmd

import (
	"context"

	"github.com/spf13/cobra"
	"k8s.io/cli-runtime/pkg/genericiooptions"

	"github.com/kubectl-gitops/kubectl-gitops/shared/branch"
	"github.com/kubectl-gitops/kubectl-gitops/shared/cluster"
	"github.com/kubectl-gitops/kubectl-gitops/shared/command"
	"github.com/kubectl-gitops/kubectl-gitops/shared/diff"
	"github.com/kubectl-gitops/kubectl-gitops/shared/flux"
	"github.com/kubectl-gitops/kubectl-gitops/shared/git"
	"github.com/kubectl-gitops/kubectl-gitops/shared/history"
	"github.com/kubectl-gitops/kubectl-gitops/shared/invocation"
	"github.com/kubectl-gitops/kubectl-gitops/shared/output"
	"github.com/kubectl-gitops/kubectl-gitops/shared/rollback"
)

// PinOptions are the flags of `rollback pin` and `rollback unpin`.
type PinOptions struct {
	command.Named
	streams genericiooptions.IOStreams
	unpin   bool
	arg     string
	// name is the suite as the user typed it, for the examples in errors.
	name invocation.Name

	command.Write
	Choice history.Choice
	GitDir string
	// Preview (pin) says what each Kustomization reading the source will change.
	Preview bool
	Output  output.Format
	printer output.Printer
}

func newPinCommand(f cluster.Factory, streams genericiooptions.IOStreams, unpin bool) *cobra.Command {
	o := &PinOptions{Named: command.Named{Kind: flux.KindKustomization}, streams: streams, unpin: unpin}
	cmd := &cobra.Command{
		Use:   "pin KUSTOMIZATION (--to SHA | --steps N | --to-last-good)",
		Short: "Pin a Kustomization's source to a commit it applied before, in the cluster, and wait until Flux applied it",
		Long: `Pin a Kustomization's source to a commit it applied before: the emergency brake when
Git cannot be written right now. The GitRepository's spec.ref.commit is set (its branch
kept), what was there is recorded on it, its parent Kustomization is kept from putting
Git's ref back, and the command waits until every consumer of the source applied the
commit. A pin moves every consumer of a shared source; they are named before anything
is written. 'rollback unpin' puts back exactly what was there.`,
		Example: `  # What it would change, checked by the API server, without changing it; with a clone,
  # the target and every commit the pin takes out of the cluster by subject and author
  kubectl gitops rollback pin apps -n flux-system --steps 1 --git-dir . --dry-run

  # The last commit that applied cleanly, now, while the fix goes through review
  kubectl gitops rollback pin apps -n flux-system --to-last-good --yes`,
		Args:              command.ExactArgs(1),
		ValidArgsFunction: command.CompleteNames(f, flux.KindKustomization),
	}
	if unpin {
		cmd.Use = "unpin KUSTOMIZATION"
		cmd.Short = "Put a pinned source back to the ref it tracked, hand it back to its parent, and wait"
		cmd.Long = ""
		cmd.Example = `  # Back to the branch head, as Git declares it
  kubectl gitops rollback unpin apps -n flux-system --yes`
	} else {
		addChoiceFlags(cmd, &o.Choice)
		cmd.Flags().StringVar(&o.GitDir, "git-dir", "", "A clone of the source: name the target and the commits the pin undoes by subject and author, and order the history by Git's ancestry.")
	}
	o.Output.AddFlag(cmd)
	o.Write.AddFlags(cmd, command.ServerDryRun, "the source fetched the commit and every consumer applied it")
	if !unpin {
		command.AddPreviewFlag(cmd, &o.Preview)
	}
	command.Bind(cmd, f, o)
	return cmd
}

// Complete reads the name and namespace.
func (o *PinOptions) Complete(f cluster.Factory, cmd *cobra.Command, args []string) error {
	o.arg, o.name = args[0], command.Invocation(cmd)
	return o.Named.Complete(f, args)
}

// Validate checks the name, the target and the flags.
func (o *PinOptions) Validate() error {
	example := o.name.Command("rollback pin apps -n flux-system --to-last-good")
	if o.unpin {
		example = o.name.Command("rollback unpin apps -n flux-system")
	}
	name, err := kustomizationArg(o.arg, "a HelmRelease cannot be pinned: its chart version and values are declared in Git, and the Kustomization that applies it would put them back on its next reconcile; pin that Kustomization (its source moves to the commit), or revert it in Git with '"+o.name.Command("rollback revert")+"'")
	if err != nil {
		return err
	}
	o.Name = name
	if err := o.Named.Validate(example); err != nil {
		return err
	}
	if !o.unpin {
		if err := validateChoice(o.Choice, example); err != nil {
			return err
		}
	}
	if err := o.Write.Validate(); err != nil {
		return err
	}
	o.printer, err = o.Output.ToPrinter(o.streams.ErrOut)
	return err
}

// Run pins or unpins, then prints the result.
func (o *PinOptions) Run(ctx context.Context) error {
	client, err := o.Cluster.Client()
	if err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(ctx, o.Timeout)
	defer cancel()
	req := rollback.PinRequest{Namespace: o.Namespace, Name: o.Name, Choice: o.Choice, GitDir: o.GitDir, Switch: branch.Request{
		Hooks: o.Write.Hooks(o.streams, cluster.WhoAmI(ctx, client.Dynamic)), Wait: o.Wait, Remote: git.Heads,
	}}
	if o.Preview && !o.unpin {
		req.Switch.Preview = diff.Previewer(client.Dynamic, client.Config, client.Mapper, diff.Options{Remote: o.Cluster.Remote()})
	}
	var res *branch.Result
	if o.unpin {
		res, err = rollback.Unpin(ctx, client.Dynamic, req)
	} else {
		res, err = rollback.Pin(ctx, client.Dynamic, req)
	}
	if res != nil {
		if perr := o.printer.Print(o.streams.Out, res); perr != nil && err == nil {
			err = perr
		}
	}
	return err
}
