package command

import (
	"k8s.io/cli-runtime/pkg/resource"

	"github.com/kubectl-gitops/kubectl-gitops/shared/cluster"
	"github.com/kubectl-gitops/kubectl-gitops/shared/remote"
)

// Cluster is how every command's Options holds its cluster: set from the factory in
// Complete, used by Run. The clients are built on first use and kept: building them
// reads the kubeconfig, and a missing or broken one must not be reported before the
// usage errors Validate finds (a script that gets exit code 2 for a bad argument gets
// it with or without a cluster), nor break --dry-run checks that need no cluster.
type Cluster struct {
	factory cluster.Factory
	client  *cluster.Client
	err     error
	built   bool
}

// Complete takes the clients from f.
func (c *Cluster) Complete(f cluster.Factory) { *c = Cluster{factory: f} }

// Client returns the clients of the command's cluster, built once.
func (c *Cluster) Client() (*cluster.Client, error) {
	if !c.built {
		c.client, c.err = c.factory.Client()
		c.built = true
	}
	return c.client, c.err
}

// Builder returns cli-runtime's resource builder over the command's cluster, for
// commands that read objects like kubectl get does (TYPE/NAME, -l, -f).
func (c *Cluster) Builder() *resource.Builder { return c.factory.Builder() }

// Lost receives the first error of a request the server never answered.
func (c *Cluster) Lost() <-chan error { return c.factory.Lost() }

// Context names the kubeconfig context the command's cluster is.
func (c *Cluster) Context() string { return c.factory.Context() }

// Remote opens the clusters a Kustomization's spec.kubeConfig applies to with the
// user's own contexts (the one whose server matches), never the Secret's credentials:
// how a writer's preview compares what Flux will apply in a workload cluster.
func (c *Cluster) Remote() *remote.Opener { return &remote.Opener{Kubeconfig: c.factory} }
