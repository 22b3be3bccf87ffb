package cmd

import (
	"context"

	"github.com/kubectl-gitops/kubectl-gitops/shared/cluster"
	"github.com/kubectl-gitops/kubectl-gitops/shared/trace"
)

// tracer returns the tracer over the object's cluster, able to follow labels into the
// cluster running Flux and to read the cluster a Kustomization applies to.
func (o *TraceOptions) tracer(client *cluster.Client) (*trace.Tracer, error) {
	own := clusterOf(o.cluster.Context(), client)
	finder, err := o.finder(own.Name)
	if err != nil {
		return nil, err
	}
	return trace.InCluster(own).AcrossClusters(finder, o.openRemote), nil
}

func clusterOf(name string, c *cluster.Client) *trace.Cluster {
	cl := &trace.Cluster{Name: name, Dynamic: c.Dynamic, Mapper: c.Mapper}
	if c.Config != nil {
		cl.Server = c.Config.Host
	}
	return cl
}

// finder is --flux-context/--flux-kubeconfig when given (a wrong name is a usage
// error before anything is traced), else every other context of the kubeconfig.
func (o *TraceOptions) finder(current string) (trace.Finder, error) {
	if o.FluxContext != "" || o.FluxKubeconfig != "" {
		f, err := o.kubeconfig.ForContext(o.FluxKubeconfig, o.FluxContext, 0)
		if err != nil {
			return nil, err
		}
		name := f.Context()
		return trace.ContextFinder{Candidates: []trace.Candidate{{Name: name, Open: func() (*trace.Cluster, error) { return open(f, name) }}}}, nil
	}
	names, err := o.kubeconfig.Contexts()
	if err != nil {
		return nil, nil // no kubeconfig to search: the trace stays in its cluster
	}
	var candidates []trace.Candidate
	for _, name := range names {
		if name == current {
			continue
		}
		candidates = append(candidates, trace.Candidate{Name: name, Open: func() (*trace.Cluster, error) {
			f, err := o.kubeconfig.ForContext("", name, o.ContextTimeout)
			if err != nil {
				return nil, err
			}
			return open(f, name)
		}})
	}
	if len(candidates) == 0 {
		return nil, nil
	}
	return trace.ContextFinder{Candidates: candidates, Timeout: o.ContextTimeout}, nil
}

func open(f cluster.Factory, name string) (*trace.Cluster, error) {
	c, err := f.Client()
	if err != nil {
		return nil, err
	}
	return clusterOf(name, c), nil
}

// openRemote gives the clients of the cluster a traced Kustomization applies to, with
// the credentials --remote-context and --use-kubeconfig-secret choose.
func (o *TraceOptions) openRemote(ctx context.Context, tg *trace.Target) (*trace.Cluster, error) {
	c, name, err := o.Remote.Opener(o.kubeconfig).Open(ctx, &tg.Ref)
	if c == nil || err != nil {
		return nil, err
	}
	return clusterOf(name, c), nil
}
