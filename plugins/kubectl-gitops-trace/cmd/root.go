// Package cmd wires the trace plugin's flags to the shared tracer; the logic lives in
// shared/trace.
package cmd

import (
	"github.com/spf13/cobra"
	"k8s.io/cli-runtime/pkg/genericiooptions"

	"github.com/kubectl-gitops/kubectl-gitops/shared/command"
	"github.com/kubectl-gitops/kubectl-gitops/shared/exitcode"
)

const traceExample = `  # Where did this Deployment come from? Every hop, up to the Git commit
  kubectl gitops trace deploy/api -n shop

  # Several objects at once, as JSON for a script (one document per object)
  kubectl gitops trace deploy/api svc/web -n shop -o json

  # Everything one Kustomization applied, in every namespace
  kubectl gitops trace cm,ns -A -l kustomize.toolkit.fluxcd.io/name=infrastructure

  # Also show the file and line that define it: run inside a clone of the source repo
  kubectl gitops trace deploy/api -n shop --git-dir .

  # Where did the minutes go? When the applied commit reached each step, and why each wait
  kubectl gitops trace deploy/api -n shop --timeline --git-dir .

  # An object of a workload cluster, applied by the Flux of a management cluster
  kubectl gitops trace deploy/gateway -n edge --context workload-1 --flux-context management

  # What a Kustomization applied to a remote cluster: each object present or missing
  kubectl gitops trace kustomization/workload-apps -n fleet --remote-context workload-1`

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
Beside each Flux hop it names the notification-controller Alerts that cover it (or says
that none does: its failures notify nobody), from one list of Alerts per cluster.

When the object's cluster does not hold the Kustomization its labels name (a management
cluster applies to it through spec.kubeConfig), the trace goes on in the cluster that
does: --flux-context, or else every other context of the kubeconfig, asked at once.`,
		Example:   traceExample,
		Version:   version,
		ExitCodes: []exitcode.Code{exitcode.Failure, exitcode.Usage, exitcode.NotFound, exitcode.NotManaged, exitcode.Forbidden, exitcode.FluxNotInstalled},
	}, streams)
	o := NewTraceOptions(streams)
	o.AddFlags(root)
	for _, flag := range []string{"flux-context", "remote-context"} {
		_ = root.RegisterFlagCompletionFunc(flag, command.CompleteContexts(f))
	}
	root.Args = cobra.ArbitraryArgs
	root.ValidArgsFunction = completeArgs(f)
	command.Bind(root, f, o)
	return root
}
