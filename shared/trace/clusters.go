package trace

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"k8s.io/apimachinery/pkg/api/meta"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/client-go/dynamic"

	"github.com/kubectl-gitops/kubectl-gitops/shared/cluster"
	"github.com/kubectl-gitops/kubectl-gitops/shared/exitcode"
	"github.com/kubectl-gitops/kubectl-gitops/shared/flux"
	"github.com/kubectl-gitops/kubectl-gitops/shared/redact"
)

// Cluster is one cluster a trace reads, named as the user's kubeconfig names it.
type Cluster struct {
	// Name is the kubeconfig context.
	Name string
	// Server is the API server's URL, compared with the server a Kustomization's
	// spec.kubeConfig points at.
	Server  string
	Dynamic dynamic.Interface
	Mapper  meta.RESTMapper
}

// InCluster returns a tracer over c.
func InCluster(c *Cluster) *Tracer {
	t := NewTracer(c.Dynamic, c.Mapper)
	t.cluster, t.server = c.Name, c.Server
	return t
}

// Candidate is a cluster a ContextFinder may ask.
type Candidate struct {
	Name string
	// Open builds the cluster's clients without making a request.
	Open func() (*Cluster, error)
}

// Probe is what one cluster answered when asked for a Kustomization or HelmRelease.
type Probe struct {
	Context string `json:"context"`
	Server  string `json:"server,omitempty"`
	// Result is Found, NotFound, FluxNotInstalled, Forbidden, Unreachable or Error.
	Result string `json:"result"`
	Error  string `json:"error,omitempty"`
}

// Probe results.
const (
	ProbeFound       = "Found"
	ProbeNotFound    = "NotFound"
	ProbeNoFlux      = "FluxNotInstalled"
	ProbeForbidden   = "Forbidden"
	ProbeUnreachable = "Unreachable"
	ProbeError       = "Error"
)

// Finder looks in other clusters for a Kustomization or HelmRelease that the traced
// object's labels name and its own cluster does not hold (a management cluster
// applying to this one through spec.kubeConfig).
type Finder interface {
	// Find returns a tracer over the cluster holding the Flux object kind
	// namespace/name and the object it read there (nil when no cluster holds it), and
	// what every cluster answered.
	Find(ctx context.Context, kind, namespace, name string) (*Tracer, *unstructured.Unstructured, []Probe)
}

// ContextFinder asks every candidate at once, each bounded by Timeout, so that ten
// contexts cost one timeout, not ten; an unreachable cluster is reported, not fatal.
type ContextFinder struct {
	Candidates []Candidate
	Timeout    time.Duration
}

// ReleaseFinder is a Finder that also finds, in other clusters, the HelmRelease keeping
// a Helm release whose storage is in the traced object's cluster: helm-controller
// applying through spec.kubeConfig keeps the release's storage Secret in the cluster it
// installs into, and nothing on that Secret names the HelmRelease.
type ReleaseFinder interface {
	FindRelease(ctx context.Context, storageNamespace, release string) (*Tracer, *unstructured.Unstructured, []Probe)
}

// Find implements Finder. Among several clusters holding the Kustomization, the first
// candidate wins (the order the caller gave); the probes show the others.
func (f ContextFinder) Find(ctx context.Context, kind, namespace, name string) (*Tracer, *unstructured.Unstructured, []Probe) {
	t, u, probes := f.ask(ctx, func(ctx context.Context, cl *Cluster) (*unstructured.Unstructured, error) {
		return flux.Get(ctx, cl.Dynamic, kind, namespace, name)
	})
	if t != nil {
		t.cache[objKey{kind, namespace, name}] = fetched{obj: u}
	}
	return t, u, probes
}

// FindRelease implements ReleaseFinder: every candidate lists its HelmReleases once.
func (f ContextFinder) FindRelease(ctx context.Context, storageNamespace, release string) (*Tracer, *unstructured.Unstructured, []Probe) {
	return f.ask(ctx, func(ctx context.Context, cl *Cluster) (*unstructured.Unstructured, error) {
		return InCluster(cl).findStorageOwner(ctx, storageNamespace, release, true)
	})
}

// ask runs get against every candidate at once, each within the timeout, and returns a
// tracer over the first that found the object.
func (f ContextFinder) ask(ctx context.Context, get func(context.Context, *Cluster) (*unstructured.Unstructured, error)) (*Tracer, *unstructured.Unstructured, []Probe) {
	type answer struct {
		cluster *Cluster
		obj     *unstructured.Unstructured
		probe   Probe
	}
	answers := make([]answer, len(f.Candidates))
	var wg sync.WaitGroup
	for i, c := range f.Candidates {
		wg.Add(1)
		go func() {
			defer wg.Done()
			a := answer{probe: Probe{Context: c.Name}}
			cl, err := c.Open()
			if err == nil {
				a.cluster, a.probe.Server = cl, redact.URL(cl.Server)
				pctx, cancel := ctx, context.CancelFunc(func() {})
				if f.Timeout > 0 {
					pctx, cancel = context.WithTimeout(ctx, f.Timeout)
				}
				a.obj, err = get(pctx, cl)
				cancel()
			}
			a.probe.Result, a.probe.Error = probeResult(err)
			answers[i] = a
		}()
	}
	wg.Wait()
	var probes []Probe
	var found *answer
	for i := range answers {
		probes = append(probes, answers[i].probe)
		if found == nil && answers[i].obj != nil {
			found = &answers[i]
		}
	}
	if found == nil {
		return nil, nil, probes
	}
	return InCluster(found.cluster), found.obj, probes
}

// probeResult classifies a probe's error with the suite's classifier.
func probeResult(err error) (string, string) {
	switch {
	case err == nil:
		return ProbeFound, ""
	case flux.IsNotInstalled(err):
		return ProbeNoFlux, ""
	}
	switch exitcode.Of(err) {
	case exitcode.NotFound:
		return ProbeNotFound, ""
	case exitcode.Forbidden:
		return ProbeForbidden, redact.Text(err.Error())
	}
	if cluster.IsUnreachable(err) || errors.Is(err, context.DeadlineExceeded) {
		return ProbeUnreachable, redact.Text(err.Error())
	}
	return ProbeError, redact.Text(err.Error())
}

// describeProbes sums up where a Kustomization was looked for, for a note.
func describeProbes(probes []Probe) string {
	s := ""
	for i, p := range probes {
		if i > 0 {
			s += ", "
		}
		s += fmt.Sprintf("%s: %s", p.Context, p.Result)
	}
	return s
}
