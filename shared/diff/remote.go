package diff

import (
	"context"
	"fmt"

	kustomizev1 "github.com/fluxcd/kustomize-controller/api/v1"
	"k8s.io/client-go/dynamic"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/kubectl-gitops/kubectl-gitops/shared/cluster"
	"github.com/kubectl-gitops/kubectl-gitops/shared/exitcode"
	"github.com/kubectl-gitops/kubectl-gitops/shared/remote"
)

// remoteClient is the dry-run client of the cluster k's spec.kubeConfig applies to,
// opened with the user's credentials (a context of their kubeconfig pointing at the
// same server, --remote-context) or, asked for, the Secret's own kubeconfig; and the
// note saying where the objects were compared. A cluster that cannot be opened skips k
// with what to pass: comparing with the wrong cluster would report every object
// created.
func remoteClient(ctx context.Context, dyn dynamic.Interface, k *kustomizev1.Kustomization, opener *remote.Opener) (client.Client, string, error) {
	ref := remote.Read(ctx, dyn, k.Namespace, k.Spec.KubeConfig)
	where := ref.Server
	if where == "" {
		where = "another cluster (" + ref.ServerNote + ")"
	}
	if opener == nil {
		return nil, "", skip(exitcode.Usage, "Kustomization %s/%s applies to %s through %s: its objects are not compared here", k.Namespace, k.Name, where, ref.Via())
	}
	cl, name, err := opener.Open(ctx, ref)
	if err != nil {
		err = cluster.Classify(err)
		return nil, "", skip(exitcode.Of(err), "Kustomization %s/%s applies to %s through %s, which cannot be opened: %v", k.Namespace, k.Name, where, ref.Via(), err)
	}
	if cl == nil {
		return nil, "", skip(exitcode.Usage, "Kustomization %s/%s applies to %s through %s, and no context of your kubeconfig points at it: compare it with 'kubectl gitops diff' and --remote-context NAME, or --use-kubeconfig-secret to use the Secret's own kubeconfig", k.Namespace, k.Name, where, ref.Via())
	}
	c, err := NewClient(cl.Config, cl.Mapper)
	if err != nil {
		return nil, "", err
	}
	return c, fmt.Sprintf("compared in %s (%s), where spec.kubeConfig (%s) applies it", name, orUnknown(cl), ref.Via()), nil
}

func orUnknown(cl *cluster.Client) string {
	if cl.Config == nil || cl.Config.Host == "" {
		return "server unknown"
	}
	return cl.Config.Host
}
