package cmd

import (
	"context"
	"time"

	"github.com/fluxcd/pkg/apis/meta"

	"github.com/kubectl-gitops/kubectl-gitops/shared/follow"
	"github.com/kubectl-gitops/kubectl-gitops/shared/remote"
)

// multi says the follow spans several contexts.
func (o *Options) multi() bool { return o.AllContexts || len(o.Contexts) > 0 }

// clusters are the clusters to follow in: the current context's, or each of
// --contexts (every context with --all-contexts). -n applies in each; without it, each
// context's own namespace. -A looks in every namespace.
func (o *Options) clusters() ([]follow.Cluster, error) {
	if !o.multi() {
		cl, err := o.Cluster.Client()
		if err != nil {
			return nil, err
		}
		return []follow.Cluster{{Context: o.factory.Context(), Dynamic: cl.Dynamic, Namespace: o.namespace(o.Namespace)}}, nil
	}
	names := o.Contexts
	if o.AllContexts {
		var err error
		if names, err = o.factory.Contexts(); err != nil {
			return nil, err
		}
	}
	var out []follow.Cluster
	for _, name := range names {
		f, err := o.factory.ForContext("", name, o.ContextTimeout)
		if err != nil {
			return nil, err
		}
		cl, err := f.Client()
		if err != nil {
			return nil, err
		}
		ns := o.Namespace
		if !o.explicit {
			if ns, _, err = f.Namespace(); err != nil {
				return nil, err
			}
		}
		out = append(out, follow.Cluster{Context: name, Dynamic: cl.Dynamic, Namespace: o.namespace(ns)})
	}
	return out, nil
}

// namespace is where GitRepositories are looked for: "" (every namespace) with -A.
func (o *Options) namespace(ns string) string {
	if o.AllNamespaces {
		return ""
	}
	return ns
}

// prefix starts each line of a cluster's view when several are followed.
func (o *Options) prefix(context string) string {
	if !o.multi() {
		return ""
	}
	return "[" + context + "] "
}

// reach bounds reaching every cluster (listing its GitRepositories, resolving the
// revision) across several contexts: one --context-timeout from the start for them
// all, so that a hundred contexts that never answer cost one timeout. One context
// alone has --request-timeout and --timeout.
func (o *Options) reach() time.Duration {
	if !o.multi() {
		return 0
	}
	return o.ContextTimeout
}

// where names the cluster an object of c applies to through spec.kubeConfig as the
// user knows it: the context of their kubeconfig whose server is the one the
// kubeConfig's Secret points at (as trace finds it: remote.Read, remote.Opener), else
// the Secret itself.
func (o *Options) where(c follow.Cluster) func(context.Context, string, *meta.KubeConfigReference) string {
	return func(ctx context.Context, namespace string, kc *meta.KubeConfigReference) string {
		ref := remote.Read(ctx, c.Dynamic, namespace, kc)
		if ref == nil {
			return ""
		}
		if _, name, err := (remote.Opener{Kubeconfig: o.factory}).Open(ctx, ref); err == nil && name != "" {
			return name
		}
		return ref.Via()
	}
}
