// Package cmd wires the rollback plugin's flags to the shared library.
package cmd

import (
	"github.com/spf13/cobra"
	"k8s.io/cli-runtime/pkg/genericiooptions"

	"github.com/kubectl-gitops/kubectl-gitops/shared/command"
	"github.com/kubectl-gitops/kubectl-gitops/shared/exitcode"
)

// New returns the `kubectl gitops rollback` command.
func New(streams genericiooptions.IOStreams, version string) *cobra.Command {
	root, f := command.NewRoot(command.Root{
		Name:  "kubectl gitops rollback",
		Short: "Inspect and roll back what a Flux Kustomization applied",
		Long: `Inspect and roll back what a Flux Kustomization applied.

'history' lists the revisions a Kustomization applied (status.history), newest first,
marking the one applied last: the candidates for a rollback.

'suspend' pauses Kustomizations or HelmReleases with a reason, the user and an intended
end recorded on the object (trace and deps show them, and call an overdue one overdue);
'resume' hands them back to Flux and waits until Flux reconciled them, naming the
dependency that blocks one instead of waiting for it.

'pin' sets a Kustomization's source to a commit it applied before (recorded, kept from
its parent, waited for); 'unpin' puts back exactly what was there. 'revert' does it the
GitOps way: a new commit in your clone, pushed without force, waited for.`,
		Example: `  # Which commits did the apps Kustomization apply, and which one is live?
  kubectl gitops rollback history apps -n flux-system

  # The same for a script
  kubectl gitops rollback history apps -n flux-system -o json`,
		Version:   version,
		ExitCodes: []exitcode.Code{exitcode.Failure, exitcode.Usage, exitcode.NotFound, exitcode.Forbidden, exitcode.Timeout, exitcode.FluxNotInstalled},
	}, streams)
	root.Args = command.NoArgs()
	root.RunE = func(cmd *cobra.Command, args []string) error { return cmd.Help() }
	root.AddCommand(newHistoryCommand(f, streams), newSuspendCommand(f, streams, false), newSuspendCommand(f, streams, true),
		newPinCommand(f, streams, false), newPinCommand(f, streams, true), newRevertCommand(f, streams))
	return root
}
