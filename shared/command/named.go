package command

import (
	"strings"

	"github.com/spf13/cobra"

	"github.com/kubectl-gitops/kubectl-gitops/shared/cluster"
	"github.com/kubectl-gitops/kubectl-gitops/shared/exitcode"
	"github.com/kubectl-gitops/kubectl-gitops/shared/flux"
)

// Named is the part of Options every command acting on one named Flux object shares
// (rollback history, branch show, and the writers after them): the name from the
// arguments, the namespace from -n or the kubeconfig, and the cluster.
type Named struct {
	// Kind is the Flux kind the name is of.
	Kind      string
	Name      string
	Namespace string
	Cluster   Cluster
}

// Complete reads the name, the namespace and the cluster from args and f.
func (n *Named) Complete(f cluster.Factory, args []string) error {
	if len(args) > 0 {
		n.Name = args[0]
	}
	n.Cluster.Complete(f)
	var err error
	n.Namespace, _, err = f.Namespace()
	return err
}

// Validate rejects an empty name, with an example of a good call.
func (n *Named) Validate(example string) error {
	if n.Name == "" {
		return exitcode.New(exitcode.Usage, "the %s name is empty: name one, e.g. '%s'", n.Kind, example)
	}
	return nil
}

// CompleteNames completes names of a Flux kind from the cluster, as kubectl completes
// `kubectl get KIND <TAB>`.
func CompleteNames(f cluster.Factory, kind string) cobra.CompletionFunc {
	gvr, _ := flux.GVR(kind)
	resource := gvr.Resource + "." + gvr.Group
	return func(cmd *cobra.Command, args []string, toComplete string) ([]string, cobra.ShellCompDirective) {
		if len(args) > 0 && !strings.Contains(cmd.Use, "...") {
			return nil, cobra.ShellCompDirectiveNoFileComp
		}
		return completeNames(f, resource, toComplete), cobra.ShellCompDirectiveNoFileComp
	}
}
