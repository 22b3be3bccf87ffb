package command

import (
	"github.com/spf13/cobra"

	"github.com/kubectl-gitops/kubectl-gitops/shared/cluster"
	"github.com/kubectl-gitops/kubectl-gitops/shared/exitcode"
	"github.com/kubectl-gitops/kubectl-gitops/shared/remote"
)

// RemoteFlags are --remote-context and --use-kubeconfig-secret: whose credentials
// open the cluster a Kustomization's spec.kubeConfig applies to. By default, the
// context of the user's kubeconfig whose server the kubeConfig points at.
type RemoteFlags struct {
	Context   string
	UseSecret bool
}

// AddFlags adds both flags; what says what the command does in that cluster ("to list
// what it applied there").
func (r *RemoteFlags) AddFlags(cmd *cobra.Command, what string) {
	cmd.Flags().StringVar(&r.Context, "remote-context", "", "For a Kustomization applying to a remote cluster (spec.kubeConfig): the context of that cluster, "+what+"; by default the context of your kubeconfig whose server the kubeConfig points at.")
	cmd.Flags().BoolVar(&r.UseSecret, "use-kubeconfig-secret", false, "Open the remote cluster with the Kustomization's kubeConfig Secret (needs RBAC to read it) instead of your own context.")
}

// Validate refuses both ways at once.
func (r RemoteFlags) Validate() error {
	if r.Context != "" && r.UseSecret {
		return exitcode.New(exitcode.Usage, "--remote-context and --use-kubeconfig-secret cannot be used together: choose whose credentials read the remote cluster")
	}
	return nil
}

// Opener opens remote clusters as the flags say, searching kubeconfig's contexts.
func (r RemoteFlags) Opener(kubeconfig cluster.Factory) *remote.Opener {
	return &remote.Opener{Kubeconfig: kubeconfig, Context: r.Context, UseSecret: r.UseSecret}
}
