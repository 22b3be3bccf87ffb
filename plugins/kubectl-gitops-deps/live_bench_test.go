package main_test

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/fluxcd/pkg/apis/meta"

	"github.com/kubectl-gitops/kubectl-gitops/shared/deps/render"
	"github.com/kubectl-gitops/kubectl-gitops/shared/output"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/client-go/dynamic"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/rest"

	"github.com/kubectl-gitops/kubectl-gitops/shared/deps"
	"github.com/kubectl-gitops/kubectl-gitops/shared/deps/live"
	"github.com/kubectl-gitops/kubectl-gitops/shared/flux"
	"github.com/kubectl-gitops/kubectl-gitops/shared/testbed"
)

// requestCounter counts the requests a client sends, by method and resource.
type requestCounter struct {
	next  http.RoundTripper
	mu    sync.Mutex
	lists map[string]int // resource -> list requests
	total int
}

func (c *requestCounter) RoundTrip(req *http.Request) (*http.Response, error) {
	c.mu.Lock()
	c.total++
	if req.Method == http.MethodGet {
		// Collection paths end in the resource: .../v1/kustomizations or
		// .../namespaces/NS/kustomizations; a GET of one object has its name after it.
		segs := strings.Split(strings.Trim(req.URL.Path, "/"), "/")
		if res := segs[len(segs)-1]; fluxResource(res) {
			c.lists[res]++
		}
	}
	c.mu.Unlock()
	return c.next.RoundTrip(req)
}

func (c *requestCounter) reset() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.lists = map[string]int{}
	c.total = 0
}

func (c *requestCounter) snapshot() (map[string]int, int) {
	c.mu.Lock()
	defer c.mu.Unlock()
	out := make(map[string]int, len(c.lists))
	for k, v := range c.lists {
		out[k] = v
	}
	return out, c.total
}

func fluxResource(res string) bool {
	switch res {
	case "kustomizations", "helmreleases", "resourcesets", "gitrepositories", "ocirepositories", "buckets", "externalartifacts", "receivers":
		return true
	}
	return false
}

// liveFleet describes the objects BenchmarkLoadLive2000 creates.
const (
	liveKustomizations = 2000
	liveNamespaces     = 4
	liveRevision       = "main@sha1:0123456789abcdef0123456789abcdef01234567"
	liveStaleRevision  = "main@sha1:fedcba9876543210fedcba9876543210fedcba98"
)

func liveNS(i int) string   { return fmt.Sprintf("team-%d", i%liveNamespaces) }
func liveName(i int) string { return fmt.Sprintf("ks-%04d", i) }

// liveStatus says how Kustomization i looks. The fleet is cut into blocks of 50: in a
// block, i depends on i-4 (same namespace) and every tenth also on i-1 (the namespace
// next door), so trouble spreads down a block but not past it. The first of every
// 250 also depends on its successor in the chain (a two-node cycle); every 97th fails
// on its own; every 301st is Ready but applied an older revision of the shared source
// (its dependents fail Flux's revision check). The rest is Ready unless something it
// depends on is not.
type liveStatus struct {
	deps    []string // "ns/name"
	ready   bool
	reason  string
	applied string
}

func liveShape() []liveStatus {
	out := make([]liveStatus, liveKustomizations)
	healthy := make([]bool, liveKustomizations)
	for i := range out {
		s := &out[i]
		ok := true
		add := func(j int) {
			s.deps = append(s.deps, liveNS(j)+"/"+liveName(j))
			ok = ok && (j < i && healthy[j])
		}
		if i%50 >= 4 {
			add(i - 4)
		}
		if i%10 == 9 {
			add(i - 1)
		}
		if i%250 == 0 && i+4 < liveKustomizations {
			add(i + 4) // and i+4 depends on i: a cycle
		}
		if i%250 == 4 {
			ok = false // the other member of the cycle
		}
		s.applied = liveRevision
		switch {
		case !ok:
			s.reason = meta.DependencyNotReadyReason
		case i%97 == 96:
			s.reason = "BuildFailed"
			ok = false
		case i%301 == 300:
			s.ready, s.reason, s.applied = true, "ReconciliationSucceeded", liveStaleRevision
			ok = false
		default:
			s.ready, s.reason = true, "ReconciliationSucceeded"
		}
		healthy[i] = ok
	}
	return out
}

func liveKustomization(i int, s liveStatus) *unstructured.Unstructured {
	var deps []any
	for _, d := range s.deps {
		ns, name, _ := strings.Cut(d, "/")
		deps = append(deps, map[string]any{"name": name, "namespace": ns})
	}
	spec := map[string]any{
		"interval":  "10m",
		"path":      "./apps/" + liveName(i),
		"prune":     true,
		"sourceRef": map[string]any{"kind": "GitRepository", "name": "fleet"},
	}
	if deps != nil {
		spec["dependsOn"] = deps
	}
	return &unstructured.Unstructured{Object: map[string]any{
		"apiVersion": "kustomize.toolkit.fluxcd.io/v1",
		"kind":       "Kustomization",
		"metadata":   map[string]any{"name": liveName(i), "namespace": liveNS(i)},
		"spec":       spec,
	}}
}

func readyStatus(ready bool, reason string, generation int64) map[string]any {
	status, msg := "False", "dependency not ready"
	if ready {
		status, msg = "True", "Applied revision: "+liveRevision
	} else if reason != meta.DependencyNotReadyReason {
		msg = "kustomize build failed"
	}
	return map[string]any{
		"type": "Ready", "status": status, "reason": reason, "message": msg,
		"lastTransitionTime": time.Now().UTC().Format(time.RFC3339), "observedGeneration": generation,
	}
}

// createLiveFleet creates the namespaces, one GitRepository "fleet" per namespace with
// an artifact, and the Kustomizations with their status, with 16 concurrent workers.
func createLiveFleet(ctx context.Context, cfg *rest.Config, shape []liveStatus) error {
	cfg = rest.CopyConfig(cfg)
	cfg.QPS, cfg.Burst = 5000, 5000
	cs, err := kubernetes.NewForConfig(cfg)
	if err != nil {
		return err
	}
	dyn, err := dynamic.NewForConfig(cfg)
	if err != nil {
		return err
	}
	gitGVR, _ := flux.GVR(flux.KindGitRepository)
	ksGVR, _ := flux.GVR(flux.KindKustomization)
	for n := range liveNamespaces {
		ns := liveNS(n)
		if _, err := cs.CoreV1().Namespaces().Create(ctx, &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: ns}}, metav1.CreateOptions{}); err != nil {
			return err
		}
		repo := &unstructured.Unstructured{Object: map[string]any{
			"apiVersion": "source.toolkit.fluxcd.io/v1",
			"kind":       "GitRepository",
			"metadata":   map[string]any{"name": "fleet", "namespace": ns},
			"spec":       map[string]any{"interval": "1m", "url": "http://127.0.0.1:1/fleet.git", "ref": map[string]any{"branch": "main"}},
		}}
		got, err := dyn.Resource(gitGVR).Namespace(ns).Create(ctx, repo, metav1.CreateOptions{})
		if err != nil {
			return err
		}
		got.Object["status"] = map[string]any{
			"observedGeneration": got.GetGeneration(),
			"conditions":         []any{readyStatus(true, "Succeeded", got.GetGeneration())},
			"artifact": map[string]any{
				"path": "gitrepository/" + ns + "/fleet/0123.tar.gz", "url": "http://127.0.0.1:1/fleet.tar.gz",
				"revision": liveRevision, "lastUpdateTime": time.Now().UTC().Format(time.RFC3339),
				"digest": "sha256:2c26b46b68ffc68ff99b453c1d30413413422d706483bfa0f98a5e886266e7ae", "size": int64(1024),
			},
		}
		if _, err := dyn.Resource(gitGVR).Namespace(ns).UpdateStatus(ctx, got, metav1.UpdateOptions{}); err != nil {
			return err
		}
	}

	return testbed.ForEach(len(shape), 16, func(i int) error {
		s := shape[i]
		ri := dyn.Resource(ksGVR).Namespace(liveNS(i))
		got, err := ri.Create(ctx, liveKustomization(i, s), metav1.CreateOptions{})
		if err == nil {
			status := map[string]any{
				"observedGeneration": got.GetGeneration(),
				"conditions":         []any{readyStatus(s.ready, s.reason, got.GetGeneration())},
			}
			if s.ready {
				status["lastAppliedRevision"] = s.applied
			} else {
				// Never Ready: observedGeneration is only written with Ready=True.
				status["observedGeneration"] = int64(-1)
			}
			got.Object["status"] = status
			_, err = ri.UpdateStatus(ctx, got, metav1.UpdateOptions{})
		}
		if err != nil {
			return fmt.Errorf("%s/%s: %w", liveNS(i), liveName(i), err)
		}
		return nil
	})
}

// BenchmarkLoadLive2000 measures `deps -A` end to end against a real API server
// holding 2,000 Kustomizations: the paged lists (live.Load), the analysis
// and the JSON rendering, counting every request sent. The bed runs no controller,
// so the statuses written here stay as written.
func BenchmarkLoadLive2000(b *testing.B) {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
	defer cancel()
	bed := testbed.Start(b, testbed.Options{})
	shape := liveShape()
	start := time.Now()
	if err := createLiveFleet(ctx, bed.Config, shape); err != nil {
		b.Fatal(err)
	}
	b.Logf("created %d Kustomizations and %d GitRepositories in %s", liveKustomizations, liveNamespaces, time.Since(start).Round(time.Millisecond))

	counter := &requestCounter{lists: map[string]int{}}
	cfg := rest.CopyConfig(bed.Config)
	cfg.Wrap(func(rt http.RoundTripper) http.RoundTripper { counter.next = rt; return counter })
	dyn, err := dynamic.NewForConfig(cfg)
	if err != nil {
		b.Fatal(err)
	}

	// The reference answer, computed once: the benchmark must measure a correct run.
	want := deps.Analyze(context.Background(), mustLoad(ctx, b, dyn).Nodes)
	if len(want.Entries) != liveKustomizations || len(want.Cycles) != liveKustomizations/250 || len(want.Missing) != 0 || len(want.RootCauses) == 0 {
		b.Fatalf("unexpected analysis: %d entries, %d cycles, %d missing, %d root causes",
			len(want.Entries), len(want.Cycles), len(want.Missing), len(want.RootCauses))
	}
	kinds := map[deps.CauseKind]int{}
	for _, rc := range want.RootCauses {
		kinds[rc.Kind]++
	}
	if kinds[deps.CauseFailing] == 0 || kinds[deps.CauseRevisionLag] == 0 || kinds[deps.CauseCycle] != len(want.Cycles) {
		b.Fatalf("root causes by kind: %v", kinds)
	}

	b.Run("library", func(b *testing.B) {
		var lists map[string]int
		var total int
		for b.Loop() {
			counter.reset()
			live := mustLoad(ctx, b, dyn)
			r := deps.Analyze(context.Background(), live.Nodes)
			if err := output.Write(io.Discard, output.FormatJSON, render.Document(r)); err != nil {
				b.Fatal(err)
			}
			lists, total = counter.snapshot()
		}
		b.StopTimer()

		// At most one list request per kind per flux.PageSize objects; a kind with no
		// object costs the one request that says so.
		limits := map[string]int{
			"kustomizations":  ceilDiv(liveKustomizations, flux.PageSize),
			"helmreleases":    1,
			"resourcesets":    1, // flux-operator's: one request that says it is not served
			"receivers":       1, // notification-controller's, for the latency budget: the same
			"gitrepositories": ceilDiv(liveNamespaces, flux.PageSize),
		}
		for res, n := range lists {
			if limit, ok := limits[res]; !ok || n > limit {
				b.Fatalf("%d list requests for %s per run, want at most %d (all lists: %v)", n, res, limit, lists)
			}
		}
		if lists["kustomizations"] == 0 || total != lists["kustomizations"]+lists["helmreleases"]+lists["resourcesets"]+lists["gitrepositories"]+lists["receivers"] {
			b.Fatalf("%d requests, lists %v: every request should be one of the counted lists", total, lists)
		}
		b.ReportMetric(float64(total), "requests/op")
		for _, res := range []string{"kustomizations", "helmreleases", "gitrepositories"} {
			b.ReportMetric(float64(lists[res]), res+"-lists/op")
		}
		b.ReportMetric(float64(len(want.Entries)), "nodes")
		b.ReportMetric(float64(len(want.Edges())), "edges")
	})

	// The same through the real kubectl and the built plugin: process start-up,
	// kubeconfig loading and writing the JSON to a pipe included.
	b.Run("kubectl", func(b *testing.B) {
		if _, err := testbed.PluginBin(); err != nil {
			b.Skip(err)
		}
		for b.Loop() {
			run, err := testbed.Kubectl(ctx, bed.Assets, bed.Kubeconfig, "gitops", "deps", "-A", "-o", "json")
			if err != nil || run.Code != 0 {
				b.Fatalf("kubectl gitops deps -A -o json: %v %s", err, run)
			}
			if !strings.Contains(run.Stdout, `"nodes": 2000,`) {
				b.Fatalf("unexpected output: %.500s", run.Stdout)
			}
		}
	})
}

func mustLoad(ctx context.Context, b *testing.B, dyn dynamic.Interface) *live.Live {
	b.Helper()
	l, err := live.Load(ctx, dyn, "")
	if err != nil {
		b.Fatal(err)
	}
	if len(l.Warnings) > 0 {
		b.Fatalf("warnings: %v", l.Warnings)
	}
	return l
}

func ceilDiv(n, d int) int { return (n + d - 1) / d }
