package follow

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"strings"
	"sync"
	"time"

	"github.com/fluxcd/pkg/apis/meta"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/client-go/dynamic"

	"github.com/kubectl-gitops/kubectl-gitops/shared/cluster"
	"github.com/kubectl-gitops/kubectl-gitops/shared/deps"
	"github.com/kubectl-gitops/kubectl-gitops/shared/deps/live"
	"github.com/kubectl-gitops/kubectl-gitops/shared/exitcode"
	"github.com/kubectl-gitops/kubectl-gitops/shared/flux"
	"github.com/kubectl-gitops/kubectl-gitops/shared/invocation"
	"github.com/kubectl-gitops/kubectl-gitops/shared/reconcile"
	"github.com/kubectl-gitops/kubectl-gitops/shared/source"
	"github.com/kubectl-gitops/kubectl-gitops/shared/write"
)

// Options tune a follow.
type Options struct {
	// Interval is how often the graph is read and the state evaluated.
	Interval time.Duration
	// Namespace is the one namespace the graph falls back to when listing every
	// namespace is forbidden (live.Load).
	Namespace string
	// Hooks are the clock (and, silent here, the waits' own progress).
	write.Hooks
	// Changed gets every state that differs from the one before, for the live view.
	Changed func(State)
	// Where names the cluster a consumer with spec.kubeConfig (of namespace) applies
	// to, as the user knows it: the context of their kubeconfig pointing at the same
	// server (remote.Read, remote.Opener), else the Secret holding its kubeconfig.
	// Asked once per reference per follow; nil names the Secret (or ConfigMap).
	Where func(ctx context.Context, namespace string, kc *meta.KubeConfigReference) string
}

// progress is what the sources' waits reported so far, shared with the polling loop.
type progress struct {
	mu      sync.Mutex
	sources []Source
	// retried, nudged and where are read and written by the polling loop alone.
	retried map[reconcile.Target]time.Time
	// nudged are the objects asked to reconcile once their dependencies applied.
	nudged map[reconcile.Target]bool
	// where are the names of the clusters consumers apply to through spec.kubeConfig,
	// by reference.
	where map[string]string
}

// Follow asks each source to fetch its commit and waits for it (reconcile.Request and
// Wait, so the sources' polling intervals do not matter), while the consumers and the
// graph are listed every Interval and evaluated: it returns the last state once the
// revision is applied everywhere, or can no longer be (exit 1 naming the root cause),
// or ctx ends (a timeout is exit 6, an interruption exit 1).
//
// The consumers are not asked one by one: Flux's controllers watch the source's
// artifact and move every Kustomization, HelmChart and HelmRelease built from it as
// soon as it changes, and a GET (or a request) per consumer is a thousand requests
// per poll for a fleet of a thousand. Their state is read from the snapshot's lists,
// one per kind and page per Interval; a consumer that fails is asked once more
// (State.Retry) before the failure counts, and one Flux still holds on a dependency
// that applied is asked once (State.Nudge).
func Follow(ctx context.Context, dyn dynamic.Interface, sources []Source, opts Options) (State, error) {
	if opts.Interval <= 0 {
		opts.Interval = time.Second
	}
	p := &progress{sources: sources, retried: map[reconcile.Target]time.Time{}, nudged: map[reconcile.Target]bool{}, where: map[string]string{}}
	wctx, stop := context.WithCancel(ctx)
	var wg sync.WaitGroup
	defer func() { stop(); wg.Wait() }()
	for i := range sources {
		wg.Add(1)
		go func() {
			defer wg.Done()
			p.follow(wctx, dyn, i, opts)
		}()
	}
	var last State
	var lastErr error
	for {
		// One look per Interval, however long the look takes: a poll that waited a
		// full Interval after each look would report a second and more late.
		next := time.Now().Add(opts.Interval)
		st, err := snapshot(ctx, dyn, p, opts)
		switch {
		case err == nil:
			if opts.Changed != nil && !reflect.DeepEqual(st, last) {
				opts.Changed(st)
			}
			last = st
		case ctx.Err() == nil && exitcode.Of(err) != exitcode.Failure:
			// Forbidden, not found, Flux gone: waiting longer changes nothing.
			return last, err
		default:
			lastErr = err
		}
		for _, t := range last.Retry {
			if _, asked := p.retried[t]; !asked {
				// A request that cannot be made (suspended meanwhile, no right to
				// patch) leaves the failure as it is: the zero time.
				at := opts.Clock()
				if _, err := reconcile.Request(ctx, dyn, t, at); err != nil {
					at = time.Time{}
				}
				p.retried[t] = at.UTC()
			}
		}
		for _, t := range last.Nudge {
			if !p.nudged[t] {
				// Once: a request that fails or is not handled leaves Flux to its
				// own requeue.
				_, _ = reconcile.Request(ctx, dyn, t, opts.Clock())
				p.nudged[t] = true
			}
		}
		if last.Verdict == VerdictApplied {
			return last, nil
		}
		if last.Verdict == VerdictFailed {
			return last, Failure(ctx, last)
		}
		select {
		case <-ctx.Done():
			return ended(ctx, last, lastErr)
		case <-time.After(time.Until(next)):
		}
	}
}

// follow is one source's part: ask it to fetch its commit and wait until it did.
func (p *progress) follow(ctx context.Context, dyn dynamic.Interface, i int, opts Options) {
	p.mu.Lock()
	src := p.sources[i]
	p.mu.Unlock()
	t := src.Target()
	token, err := reconcile.Request(ctx, dyn, t, opts.Clock())
	var s reconcile.Status
	if err == nil {
		s, err = reconcile.Wait(ctx, dyn, t, reconcile.PollInterval, fetchedOrFailed(token, src.Commit), nil)
	}
	if ctx.Err() != nil {
		return
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if err != nil {
		p.sources[i].Phase, p.sources[i].Message = PhaseFailed, err.Error()
	} else {
		p.sources[i].Phase, p.sources[i].Revision = PhaseFetched, s.ArtifactRevision
	}
}

// fetchedOrFailed is done when the source holds commit, and ends with source-
// controller's message when the fetch this follow asked for failed.
func fetchedOrFailed(token, commit string) reconcile.Done {
	fetched := reconcile.Fetched(commit)
	return func(s reconcile.Status) (bool, error) {
		if ok, _ := fetched(s); ok {
			return true, nil
		}
		if s.HandledToken == token && s.Failed() {
			return false, fmt.Errorf("fetching %s failed: %s", short(commit), s.Ready.Message)
		}
		return false, nil
	}
}

// snapshot reads the consumers of every source and the dependency graph, and
// evaluates them.
func snapshot(ctx context.Context, dyn dynamic.Interface, p *progress, opts Options) (State, error) {
	p.mu.Lock()
	snap := Snapshot{Sources: append([]Source(nil), p.sources...), Retried: p.retried}
	p.mu.Unlock()
	// The dependency graph's lists hold every Kustomization and HelmRelease with its
	// status: the consumers are read from them, and only HelmCharts are listed more.
	l, err := live.Load(ctx, dyn, opts.Namespace)
	if err != nil {
		return State{}, err
	}
	// One list per kind for every source: a fleet's tenants may each have their own.
	repos := make([]source.Repo, len(snap.Sources))
	for i, s := range snap.Sources {
		repos[i] = source.Repo{Namespace: s.Namespace, Name: s.Name, Revision: s.Revision}
	}
	all, err := source.ConsumersListed(ctx, listed(dyn, l), repos)
	if err != nil {
		return State{}, err
	}
	for i, s := range snap.Sources {
		for _, c := range all[i] {
			snap.Consumers = append(snap.Consumers, Consumer{Kind: c.Kind, Namespace: c.Namespace, Name: c.Name,
				Source: s.ref(), Chart: c.Chart, Status: c.Status, Cluster: p.cluster(ctx, c.Namespace, c.KubeConfig, opts.Where)})
		}
	}
	snap.Report = deps.Analyze(ctx, l.Nodes)
	return Evaluate(snap), nil
}

// listed answers the lists of Kustomizations and HelmReleases from the graph's own
// (l), and lists the other kinds.
func listed(dyn dynamic.Interface, l *live.Live) source.Lister {
	return func(ctx context.Context, kind, namespace string, fn func(*unstructured.Unstructured) error) error {
		if kind != flux.KindKustomization && kind != flux.KindHelmRelease {
			return flux.List(ctx, dyn, kind, namespace, fn)
		}
		for _, n := range l.Nodes {
			if string(n.Kind) != kind || n.Object == nil || namespace != "" && n.Namespace != namespace {
				continue
			}
			if err := fn(&unstructured.Unstructured{Object: n.Object}); err != nil {
				return err
			}
		}
		return nil
	}
}

// cluster names the cluster a consumer of namespace applies to through kc: "" for its
// own, else where's answer, asked once per reference.
func (p *progress) cluster(ctx context.Context, namespace string, kc *meta.KubeConfigReference, where func(context.Context, string, *meta.KubeConfigReference) string) string {
	var key string
	switch {
	case kc == nil:
		return ""
	case kc.SecretRef != nil:
		key = "Secret " + namespace + "/" + kc.SecretRef.Name
		if kc.SecretRef.Key != "" {
			key += " (" + kc.SecretRef.Key + ")"
		}
	case kc.ConfigMapRef != nil:
		key = "ConfigMap " + namespace + "/" + kc.ConfigMapRef.Name
	default:
		return ""
	}
	if name, ok := p.where[key]; ok {
		return name
	}
	name := key
	if where != nil {
		if n := where(ctx, namespace, kc); n != "" {
			name = n
		}
	}
	p.where[key] = name
	return name
}

// Failure is the error of a follow that failed: the root cause as deps names it, and
// what it blocks.
func Failure(ctx context.Context, st State) error {
	rc := st.RootCause
	if rc == nil {
		return exitcode.New(exitcode.Failure, "the revision was not applied everywhere")
	}
	// deps' message names the object itself ("Kustomization a/b is failing: …"):
	// said once, not twice.
	msg := fmt.Sprintf("root cause: %s (%s)", rc.Object, rc.Kind)
	switch m := OneLine(rc.Message); {
	case strings.HasPrefix(m, rc.Object+" "):
		msg = "root cause: " + m
	case m != "":
		msg += ": " + m
	}
	if len(rc.Blocked) > 0 {
		msg += "; blocked by it: " + strings.Join(rc.Blocked, ", ")
	}
	return exitcode.New(exitcode.Failure, "%s (see '%s')", msg, invocation.Command(ctx, "deps -A"))
}

// ended is the error of a follow whose context ended: a timeout (exit 6) naming what
// had not applied the revision yet, or an interruption (exit 1).
func ended(ctx context.Context, st State, lastErr error) (State, error) {
	var pending []string
	for _, s := range st.Sources {
		if s.Phase == PhaseFetching {
			pending = append(pending, flux.KindGitRepository+" "+s.Namespace+"/"+s.Name+" (fetching)")
		}
	}
	for _, o := range st.Objects {
		if o.Phase != PhaseApplied {
			what := o.ID().String() + " (" + strings.ToLower(string(o.Phase))
			if len(o.WaitsOn) > 0 {
				what += " on " + strings.Join(o.WaitsOn, ", ")
			}
			pending = append(pending, what+")")
		}
	}
	if errors.Is(ctx.Err(), context.DeadlineExceeded) {
		st.Verdict = VerdictTimedOut
		if len(pending) == 0 && lastErr != nil {
			return st, exitcode.New(exitcode.Timeout, "timed out: %s", OneLine(lastErr.Error()))
		}
		return st, exitcode.New(exitcode.Timeout, "timed out; not applied yet: %s", strings.Join(pending, ", "))
	}
	st.Verdict = VerdictInterrupted
	return st, exitcode.Wrap(exitcode.Failure, &cluster.InterruptedError{While: "following the revision; not applied yet: " + strings.Join(pending, ", ")})
}

// OneLine is s with every run of white space, line breaks too, made one space: a
// message from Flux or a remote, shown in a one-line summary or reason.
func OneLine(s string) string { return strings.Join(strings.Fields(s), " ") }
