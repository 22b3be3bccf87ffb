package follow

import (
	"context"
	"sync"
	"time"

	"k8s.io/client-go/dynamic"

	"github.com/kubectl-gitops/kubectl-gitops/shared/exitcode"
	"github.com/kubectl-gitops/kubectl-gitops/shared/flux"
)

// Cluster is one kubeconfig context to follow the revision in: a fleet is often
// several clusters, each running its own Flux on the same repository.
type Cluster struct {
	Context string
	Dynamic dynamic.Interface
	// Namespace is where its GitRepositories are looked for; "" for every namespace.
	Namespace string
}

// Result is how the follow went in one cluster.
type Result struct {
	Context string
	Sources []Source
	State   State
	Err     error
	// Skipped says why nothing was followed there: Flux is not installed, or no
	// GitRepository tracks the revision. Only Across's caller decides whether that is
	// an error (a context named on purpose) or a note (every context).
	Skipped error
}

// maxContexts bounds the clusters followed at once: each costs a poll of its Flux
// objects every second, and forty at once would be forty such loops.
const maxContexts = 8

// Across follows rev in every cluster, up to maxContexts at once, each as Follow does
// alone, for at most timeout once its sources are known (asking the remotes is bounded
// on its own); opts gives each cluster's options (its view). Results are in the
// clusters' order.
func Across(ctx context.Context, clusters []Cluster, rev string, timeout time.Duration, heads Heads, opts func(c Cluster, sources []Source) Options) []Result {
	out := make([]Result, len(clusters))
	var wg sync.WaitGroup
	sem := make(chan struct{}, maxContexts)
	for i, c := range clusters {
		wg.Add(1)
		go func() {
			defer wg.Done()
			sem <- struct{}{}
			defer func() { <-sem }()
			out[i] = followIn(ctx, c, rev, timeout, heads, opts)
		}()
	}
	wg.Wait()
	return out
}

func followIn(ctx context.Context, c Cluster, rev string, timeout time.Duration, heads Heads, opts func(Cluster, []Source) Options) Result {
	r := Result{Context: c.Context}
	where := "in namespace " + c.Namespace
	if c.Namespace == "" {
		where = "in any namespace"
	}
	repos, err := ListTracked(ctx, c.Dynamic, c.Namespace)
	switch {
	case flux.IsNotInstalled(err) || exitcode.Of(err) == exitcode.FluxNotInstalled:
		r.Skipped = err
		return r
	case err != nil:
		r.Err = err
		return r
	}
	r.Sources, err = Resolve(ctx, repos, rev, where, heads)
	if exitcode.Of(err) == exitcode.NotFound {
		r.Skipped = err
		return r
	}
	if err != nil {
		r.Err = err
		return r
	}
	fctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	r.State, r.Err = Follow(fctx, c.Dynamic, r.Sources, opts(c, r.Sources))
	return r
}
