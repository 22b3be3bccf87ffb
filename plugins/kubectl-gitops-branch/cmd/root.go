// Package cmd wires the branch plugin's flags to the shared library.
package cmd

import (
	"github.com/spf13/cobra"
	"k8s.io/cli-runtime/pkg/genericiooptions"

	"github.com/kubectl-gitops/kubectl-gitops/shared/command"
	"github.com/kubectl-gitops/kubectl-gitops/shared/exitcode"
)

// New returns the `kubectl gitops branch` command.
func New(streams genericiooptions.IOStreams, version string) *cobra.Command {
	root, f := command.NewRoot(command.Root{
		Name:  "kubectl gitops branch",
		Short: "Show, switch and restore the Git ref a Flux GitRepository tracks",
		Long: `Show and switch the Git ref a Flux GitRepository tracks.

'show' prints the repository URL (credentials removed), the ref it actually tracks
(commit > name > semver > tag > branch, as source-controller decides) and the revision
it holds now.

'set' switches it to another branch: only spec.ref changes, the previous ref is recorded
on the object, a parent Kustomization that would re-apply Git's ref is told to skip it
(kustomize.toolkit.fluxcd.io/reconcile: disabled), and the command waits until the
source fetched the branch and every Kustomization reading it applied it. 'restore' puts
back exactly what was recorded and hands the source back to its parent.`,
		Example: `  # Which branch does flux-system follow, and at which commit is it?
  kubectl gitops branch show flux-system -n flux-system

  # The same for a script
  kubectl gitops branch show flux-system -n flux-system -o json`,
		Version:   version,
		ExitCodes: []exitcode.Code{exitcode.Failure, exitcode.Usage, exitcode.NotFound, exitcode.Forbidden, exitcode.FluxNotInstalled},
	}, streams)
	root.Args = command.NoArgs()
	root.RunE = func(cmd *cobra.Command, args []string) error { return cmd.Help() }
	root.AddCommand(newShowCommand(f, streams), newSwitchCommand(f, streams, false), newSwitchCommand(f, streams, true))
	return root
}
