// Package cmd wires the trace plugin's flags to the shared resolver; the logic lives
// in shared/resolve and shared/graph.
package cmd

import (
	"github.com/spf13/cobra"
	"k8s.io/cli-runtime/pkg/genericiooptions"

	"github.com/kubectl-gitops/kubectl-gitops/shared/command"
)

const traceExample = `  # Where did this Deployment come from? Every hop, up to the Git commit
  kubectl gitops trace deploy/api -n shop

  # Several objects at once, as JSON for a script (one document per object)
  kubectl gitops trace deploy/api svc/web -n shop -o json

  # Everything one Kustomization applied, in every namespace
  kubectl gitops trace cm,ns -A -l kustomize.toolkit.fluxcd.io/name=infrastructure

  # Also show the file and line that define it: run inside a clone of the source repo
  kubectl gitops trace deploy/api -n shop --git-dir .`

// New returns the `kubectl gitops trace` command.
func New(streams genericiooptions.IOStreams, version string) *cobra.Command {
	root, f := command.NewRoot(command.Root{
		Name:  "kubectl gitops trace",
		Use:   "(TYPE[.VERSION][.GROUP] [NAME] | TYPE[.VERSION][.GROUP]/NAME ...) [flags]",
		Short: "Trace a Kubernetes object to the Flux objects and the Git commit that put it there",
		Long: `Trace a Kubernetes object to the Flux objects and the Git commit that put it there.

Walks from the object (following ownerReferences, so a Pod leads to its Deployment) to
the HelmRelease and chart that rendered it, the Kustomization that applied it (checked
against the Kustomization's inventory), every parent Kustomization up to the root, and
their sources, and says whether the applied commit is the one the source holds now.

Exit codes: 0 traced, 1 error, 2 usage, 3 not found, 4 not managed by Flux,
5 forbidden (partial trace printed), 8 Flux is not installed.`,
		Example: traceExample,
		Version: version,
	}, streams)
	o := NewTraceOptions(f, streams)
	o.AddFlags(root)
	root.RunE = func(cmd *cobra.Command, args []string) error {
		if err := o.Complete(cmd, args); err != nil {
			return err
		}
		if err := o.Validate(); err != nil {
			return err
		}
		return o.Run(cmd.Context())
	}
	root.Args = cobra.ArbitraryArgs
	root.ValidArgsFunction = o.completeArgs
	root.AddCommand(newDepsCommand(f, streams))
	return root
}
