package follow

import (
	"context"
	"errors"
	"fmt"
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
// objects every second, and forty at once would be forty such loops. Reaching the
// clusters (Across's first phase) is not bounded by it: it is one list each, and a
// hundred contexts that never answer must cost one --context-timeout, not thirteen.
const maxContexts = 8

// Across follows rev in every cluster, each as Follow does alone. It first reaches
// every cluster at once (lists its GitRepositories and resolves rev), all by one
// deadline, reach after the call (0: no deadline of its own), so that contexts that
// answer slowly or never are reported unreachable within one reach, never holding
// the others; then follows in those that have sources, up to maxContexts at once,
// each for at most timeout. opts gives each cluster's options (its view). Results are
// in the clusters' order.
func Across(ctx context.Context, clusters []Cluster, rev string, reach, timeout time.Duration, heads Heads, opts func(c Cluster, sources []Source) Options) []Result {
	out := make([]Result, len(clusters))
	rctx, cancel := ctx, context.CancelFunc(func() {})
	if reach > 0 {
		rctx, cancel = context.WithTimeout(ctx, reach)
	}
	shared := sharedHeads(heads)
	var wg sync.WaitGroup
	for i, c := range clusters {
		wg.Add(1)
		go func() {
			defer wg.Done()
			out[i] = reachIn(ctx, rctx, c, rev, reach, shared)
		}()
	}
	wg.Wait()
	cancel()
	sem := make(chan struct{}, maxContexts)
	for i, c := range clusters {
		if out[i].Err != nil || out[i].Skipped != nil {
			continue
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			sem <- struct{}{}
			defer func() { <-sem }()
			fctx, cancel := context.WithTimeout(ctx, timeout)
			defer cancel()
			out[i].State, out[i].Err = Follow(fctx, c.Dynamic, out[i].Sources, opts(c, out[i].Sources))
		}()
	}
	wg.Wait()
	return out
}

// reachIn lists c's GitRepositories and resolves rev among them within rctx; a
// cluster that has not answered when rctx's deadline passes (while ctx, the
// command's, still runs) is unreachable.
func reachIn(ctx, rctx context.Context, c Cluster, rev string, reach time.Duration, heads Heads) Result {
	r := Result{Context: c.Context}
	where := "in namespace " + c.Namespace
	if c.Namespace == "" {
		where = "in any namespace"
	}
	repos, err := ListTracked(rctx, c.Dynamic, c.Namespace)
	switch {
	case flux.IsNotInstalled(err) || exitcode.Of(err) == exitcode.FluxNotInstalled:
		r.Skipped = err
		return r
	case err != nil && ctx.Err() == nil && errors.Is(rctx.Err(), context.DeadlineExceeded):
		r.Err = exitcode.Wrap(exitcode.Failure, unanswered{reach: reach})
		return r
	case err != nil:
		r.Err = err
		return r
	}
	r.Sources, err = Resolve(rctx, repos, rev, where, heads)
	switch {
	case exitcode.Of(err) == exitcode.NotFound:
		r.Skipped = err
	case err != nil && ctx.Err() == nil && errors.Is(rctx.Err(), context.DeadlineExceeded):
		r.Err = exitcode.New(exitcode.Failure, "its sources' git remotes did not answer within --context-timeout %s: %s", reach, OneLine(err.Error()))
	case err != nil:
		r.Err = err
	}
	return r
}

// unanswered is a context whose API server had not answered when the reach's
// deadline passed. It wraps context.DeadlineExceeded so that cluster.IsUnreachable
// calls it unreachable, as it does a refused connection: the plugin's summary and its
// -o json document say Unreachable, not Failed.
type unanswered struct{ reach time.Duration }

func (e unanswered) Error() string {
	return fmt.Sprintf("unreachable: its API server did not answer within --context-timeout %s", e.reach)
}

func (unanswered) Unwrap() error { return context.DeadlineExceeded }

// sharedHeads asks each remote once for every cluster: a fleet's clusters mostly
// track the same repository, and a hundred contexts must not cost a hundred
// 'git ls-remote'. The clusters waiting on an ask take its answer, an error too
// (they share the reach's deadline, and the remote's error would be theirs). Only
// an ask cut by its own caller's context is not kept: the next caller, whose
// context still runs, asks again, and the others wait on that one.
func sharedHeads(heads Heads) Heads {
	var mu sync.Mutex
	type answer struct {
		done  chan struct{}
		heads map[string]string
		err   error
		// cut: the ask ended because its caller's context did.
		cut bool
	}
	asked := map[string]*answer{}
	var ask Heads
	ask = func(ctx context.Context, url string) (map[string]string, error) {
		mu.Lock()
		a, ok := asked[url]
		if !ok {
			a = &answer{done: make(chan struct{})}
			asked[url] = a
			mu.Unlock()
			a.heads, a.err = heads(ctx, url)
			if a.err != nil && ctx.Err() != nil {
				mu.Lock()
				a.cut = true
				delete(asked, url)
				mu.Unlock()
			}
			close(a.done)
			return a.heads, a.err
		}
		mu.Unlock()
		select {
		case <-a.done:
			switch {
			case a.cut && ctx.Err() == nil:
				return ask(ctx, url)
			case a.cut:
				return nil, ctx.Err()
			}
			return a.heads, a.err
		case <-ctx.Done():
			return nil, ctx.Err()
		}
	}
	return ask
}
