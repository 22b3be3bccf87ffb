package remote

import (
	"context"
	"time"

	"github.com/kubectl-gitops/kubectl-gitops/shared/cluster"
	"github.com/kubectl-gitops/kubectl-gitops/shared/exitcode"
)

// Opener opens the cluster a reference points at with the user's chosen credentials:
// the user's Context when set, the Secret's own kubeconfig with UseSecret (what
// kustomize-controller connects with; RBAC to read the Secret needed), or else the
// context of the user's kubeconfig whose server is the one the reference points at.
type Opener struct {
	// Kubeconfig is the user's kubeconfig, whose contexts are searched.
	Kubeconfig cluster.Factory
	// Context is --remote-context.
	Context string
	// UseSecret is --use-kubeconfig-secret.
	UseSecret bool
}

// Open returns the clients of the cluster ref points at and a name for it (the
// context, or "Secret NS/NAME"); nil and no error when no context of the kubeconfig
// points at it. It sends no request: the server is matched on the kubeconfig alone.
func (o Opener) Open(_ context.Context, ref *Ref) (*cluster.Client, string, error) {
	switch {
	case o.Context != "":
		f, err := o.Kubeconfig.ForContext("", o.Context, 0)
		if err != nil {
			return nil, "", err
		}
		c, err := f.Client()
		return c, o.Context, err
	case o.UseSecret:
		data := ref.Kubeconfig()
		if data == nil {
			return nil, "", exitcode.New(exitcode.Forbidden, "--use-kubeconfig-secret: %s", ref.ServerNote)
		}
		c, err := cluster.ClientFromKubeconfig(data, 30*time.Second)
		return c, ref.Via(), err
	case ref.Server != "" && o.Kubeconfig != nil:
		names, err := o.Kubeconfig.Contexts()
		if err != nil {
			return nil, "", nil
		}
		for _, name := range names {
			f, err := o.Kubeconfig.ForContext("", name, 0)
			if err != nil {
				continue
			}
			c, err := f.Client()
			if err == nil && c.Config != nil && SameServer(c.Config.Host, ref.Server) {
				return c, name, nil
			}
		}
	}
	return nil, "", nil
}
