package cmd

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/cli-runtime/pkg/genericclioptions"
	"k8s.io/cli-runtime/pkg/genericiooptions"
	"k8s.io/client-go/dynamic"
	"k8s.io/client-go/rest"

	"github.com/kubectl-gitops/kubectl-gitops/shared/cluster"
	"github.com/kubectl-gitops/kubectl-gitops/shared/testbed"
)

// counter counts the HTTP requests a command sends to the API server.
type counter struct {
	n   atomic.Int64
	mu  sync.Mutex
	log []string
}

// wrap counts the requests of one cluster's transport. Each cluster (each context a
// trace opens) has its own transport, with its own credentials: one shared "next"
// would send a cluster's requests with whichever transport was wrapped last, and the
// server would see a stranger (system:anonymous).
func (c *counter) wrap(next http.RoundTripper) http.RoundTripper {
	return roundTripFunc(func(r *http.Request) (*http.Response, error) {
		c.n.Add(1)
		c.mu.Lock()
		c.log = append(c.log, r.Method+" "+r.URL.Path)
		c.mu.Unlock()
		return next.RoundTrip(r)
	})
}

type roundTripFunc func(*http.Request) (*http.Response, error)

func (f roundTripFunc) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }

// runTrace runs `kubectl gitops trace args...` in-process against kubeconfig with a
// discovery cache in cacheDir, and returns how many requests it made.
func runTrace(b testing.TB, kubeconfig, cacheDir string, args ...string) (int64, []string, string) {
	return runTraceIn(b, kubeconfig, "", cacheDir, nil, args...)
}

// runTraceIn is runTrace in a context of the kubeconfig, with set changing the options.
func runTraceIn(b testing.TB, kubeconfig, context_, cacheDir string, set func(*TraceOptions), args ...string) (int64, []string, string) {
	flags := genericclioptions.NewConfigFlags(true)
	flags.KubeConfig = &kubeconfig
	flags.Context = &context_
	flags.CacheDir = &cacheDir
	f := cluster.NewFactory(flags)
	c := &counter{}
	f.WrapTransport(c.wrap)
	var out, errOut bytes.Buffer
	o := NewTraceOptions(genericiooptions.IOStreams{Out: &out, ErrOut: &errOut})
	o.Output.Value = "json"
	if set != nil {
		set(o)
	}
	if err := o.Complete(f, nil, args); err != nil {
		b.Fatal(err)
	}
	// Complete reads the namespace from flags; the benchmark passes it as "-n" style args.
	for i := 0; i < len(args)-1; i++ {
		if args[i] == "-n" {
			o.namespace, o.explicit, o.args = args[i+1], true, append(append([]string{}, args[:i]...), args[i+2:]...)
		}
	}
	if err := o.Validate(); err != nil {
		b.Fatal(err)
	}
	if err := o.Run(context.Background()); err != nil && !strings.Contains(err.Error(), "exit code") {
		b.Fatalf("trace %v: %v\n%s", args, err, errOut.String())
	}
	return c.n.Load(), c.log, out.String()
}

// BenchmarkTraceRequests counts the API requests of one trace of a Deployment that a
// Kustomization applied, cold and with a warm discovery cache: "root" is applied by the
// root Kustomization itself (the hops flux trace shows: object, Kustomization, source);
// "nested" sits one level lower (deploy/api under apps under flux-system), which costs
// one more GET for the parent that flux trace does not walk.
func BenchmarkTraceRequests(b *testing.B) {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	bed := testbed.Start(b, testbed.Options{Flux: true})
	fleet, err := bed.StartDemoFleet(ctx)
	if err != nil {
		b.Fatal(err)
	}
	sha, err := fleet.Repo.Commit(ctx, "an edge Deployment applied by the root", map[string]string{
		"clusters/demo/edge.yaml": "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: edge\n  namespace: default\nspec:\n  selector:\n    matchLabels: {app: edge}\n  template:\n    metadata:\n      labels: {app: edge}\n    spec:\n      containers: [{name: edge, image: registry.example.com/edge:1}]\n",
	})
	if err != nil {
		b.Fatal(err)
	}
	if err := bed.Reconcile(ctx, "GitRepository", testbed.FluxNamespace, "flux-system"); err != nil {
		b.Fatal(err)
	}
	// apps too: until it applied the commit it waits on infrastructure's (dependsOn),
	// its commit is Blocked and a trace of deploy/api reads the dependsOn graph to say
	// why, four lists the count is not about.
	for _, name := range []string{"flux-system", "infrastructure", "apps"} {
		if _, err := bed.WaitApplied(ctx, testbed.FluxNamespace, name, sha); err != nil {
			b.Fatal(err)
		}
	}
	for _, tc := range []struct {
		name    string
		args    []string
		maxWarm int64
	}{
		// -o json carries each hop's Warning events: one list per namespace the
		// chain touches (the object's and flux-system), beside the GETs of the hops;
		// and one list of Alerts (a 404 here: the bed has no notification-controller).
		{"root", []string{"deploy/edge", "-n", "default"}, 3 + 2 + 1},
		{"nested", []string{"deploy/api", "-n", "shop"}, 4 + 2 + 1},
	} {
		b.Run(tc.name, func(b *testing.B) {
			cache := b.TempDir()
			cold, coldLog, _ := runTrace(b, bed.Kubeconfig, cache, tc.args...)
			b.ResetTimer()
			var warm int64
			var warmLog []string
			for i := 0; i < b.N; i++ {
				warm, warmLog, _ = runTrace(b, bed.Kubeconfig, cache, tc.args...)
			}
			b.StopTimer()
			b.ReportMetric(float64(cold), "cold-requests")
			b.ReportMetric(float64(warm), "warm-requests")
			b.Logf("cold (%d): %v", cold, coldLog)
			b.Logf("warm (%d): %v", warm, warmLog)
			if warm > tc.maxWarm {
				b.Errorf("warm trace made %d requests, want at most %d", warm, tc.maxWarm)
			}
		})
	}
}

// BenchmarkTraceAcrossClusters counts the requests of a trace of a Deployment in a
// workload cluster that the management cluster's Flux applied: with --flux-context,
// and by discovery over a kubeconfig of three contexts (one unreachable). It must cost
// at most two single-cluster traces (2 x 6 warm) plus one discovery per cluster, and
// one list of Alerts.
func BenchmarkTraceAcrossClusters(b *testing.B) {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	bed := testbed.Start(b, testbed.Options{Flux: true})
	fleet, err := bed.StartDemoFleetWith(ctx, testbed.DemoOptions{Workload: true})
	if err != nil {
		b.Fatal(err)
	}
	discover, err := bed.FleetKubeconfig("kubeconfig-bench", testbed.DemoWorkload, map[string]string{"offline": "https://127.0.0.1:1"})
	if err != nil {
		b.Fatal(err)
	}
	// One more: the list of Alerts in the management cluster, whose hops are Flux's.
	const maxWarm = 2*(4+2) + 1
	for _, tc := range []struct {
		name       string
		kubeconfig string
		set        func(*TraceOptions)
	}{
		{"flux-context", fleet.Kubeconfig, func(o *TraceOptions) { o.FluxContext = testbed.ManagementContext }},
		// A generous timeout: under a loaded CI machine the management cluster may take
		// more than the default to answer; what is counted is requests, not time.
		{"discovery", discover, func(o *TraceOptions) { o.ContextTimeout = 30 * time.Second }},
	} {
		b.Run(tc.name, func(b *testing.B) {
			cache := b.TempDir()
			cold, coldLog, out := runTraceIn(b, tc.kubeconfig, testbed.DemoWorkload, cache, tc.set, "deploy/gateway", "-n", "edge")
			if !strings.Contains(out, `"result": "Traced"`) {
				b.Fatalf("not traced:\n%s", out)
			}
			b.ResetTimer()
			var warm int64
			var warmLog []string
			for i := 0; i < b.N; i++ {
				warm, warmLog, _ = runTraceIn(b, tc.kubeconfig, testbed.DemoWorkload, cache, tc.set, "deploy/gateway", "-n", "edge")
			}
			b.StopTimer()
			b.ReportMetric(float64(cold), "cold-requests")
			b.ReportMetric(float64(warm), "warm-requests")
			b.Logf("cold (%d): %v", cold, coldLog)
			b.Logf("warm (%d): %v", warm, warmLog)
			if warm > maxWarm {
				b.Errorf("warm cross-cluster trace made %d requests, want at most %d", warm, maxWarm)
			}
		})
	}
}

// BenchmarkTraceBulk traces every ConfigMap of a namespace holding 1,000 objects that
// real Flux applied under 20 Kustomizations.
func BenchmarkTraceBulk(b *testing.B) {
	const kustomizations, perKustomization = 20, 50
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
	defer cancel()
	bed := bulkFleet(ctx, b, kustomizations, perKustomization)
	cache := b.TempDir()
	runTrace(b, bed.Kubeconfig, cache, "cm", "-n", "bulk") // warm discovery
	var log []string
	requests, out, elapsed := timeTraces(b, func() (int64, string) {
		requests, l, out := runTrace(b, bed.Kubeconfig, cache, "cm", "-n", "bulk")
		log = l
		return requests, out
	})
	traced := strings.Count(out, `"result": "Traced"`)
	b.ReportMetric(float64(traced), "traced")
	b.Logf("traced %d objects in %s with %d requests: %s", traced, elapsed, requests, strings.Join(log, ", "))
	if traced != kustomizations*perKustomization {
		b.Errorf("traced %d objects, want %d", traced, kustomizations*perKustomization)
	}
	if requests >= 50 || elapsed > 2*time.Second {
		b.Errorf("bulk trace: %d requests in %s, want < 50 requests and < 2s", requests, elapsed)
	}
}

// timeTraces runs trace b.N times, timed, and reports the last run's requests and the
// allocation per run: what every bulk benchmark measures in process.
func timeTraces(b *testing.B, run func() (requests int64, out string)) (requests int64, out string, elapsed time.Duration) {
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	b.ResetTimer()
	start := time.Now()
	for i := 0; i < b.N; i++ {
		requests, out = run()
	}
	elapsed = time.Since(start) / time.Duration(b.N)
	b.StopTimer()
	runtime.ReadMemStats(&after)
	b.ReportMetric(float64(requests), "requests")
	b.ReportMetric(float64(after.TotalAlloc-before.TotalAlloc)/float64(b.N)/(1<<20), "MiB-alloc/op")
	return requests, out, elapsed
}

// bulkFleet starts a bed whose real Flux applies kustomizations x perKustomization
// ConfigMaps into namespace bulk (Kustomization part-NN applies cm-NN-NNN from
// ./part-NN), and waits until every Kustomization applied the commit.
func bulkFleet(ctx context.Context, b *testing.B, kustomizations, perKustomization int) *testbed.Bed {
	bed := testbed.Start(b, testbed.Options{Flux: true})
	repo, err := bed.Git.CreateRepo(ctx, "bulk")
	if err != nil {
		b.Fatal(err)
	}
	files := map[string]string{"ns/bulk.yaml": "apiVersion: v1\nkind: Namespace\nmetadata:\n  name: bulk\n"}
	manifests := testbed.GitRepositoryYAML(testbed.FluxNamespace, "bulk", repo.URL, "main") + "---\n" +
		testbed.KustomizationYAML(testbed.Kustomization{Namespace: testbed.FluxNamespace, Name: "bulk-ns", Path: "./ns", Source: "bulk"})
	width := len(fmt.Sprint(perKustomization - 1))
	for k := 0; k < kustomizations; k++ {
		var doc strings.Builder
		for i := 0; i < perKustomization; i++ {
			fmt.Fprintf(&doc, "---\n%s", testbed.ConfigMapYAML("bulk", fmt.Sprintf("cm-%02d-%0*d", k, max(width, 3), i), "k", fmt.Sprint(k)))
		}
		files[fmt.Sprintf("part-%02d/configmaps.yaml", k)] = doc.String()
		manifests += "---\n" + testbed.KustomizationYAML(testbed.Kustomization{Namespace: testbed.FluxNamespace, Name: fmt.Sprintf("part-%02d", k), Path: fmt.Sprintf("./part-%02d", k), Source: "bulk", DependsOn: []string{"bulk-ns"}})
	}
	sha, err := repo.Commit(ctx, fmt.Sprintf("%d objects", kustomizations*perKustomization), files)
	if err != nil {
		b.Fatal(err)
	}
	if err := bed.Apply(ctx, manifests); err != nil {
		b.Fatal(err)
	}
	for k := 0; k < kustomizations; k++ {
		if _, err := bed.WaitApplied(ctx, testbed.FluxNamespace, fmt.Sprintf("part-%02d", k), sha); err != nil {
			b.Fatal(err)
		}
	}
	return bed
}

// BenchmarkTraceBulk10k traces every ConfigMap of a namespace holding 10,000 objects
// that real Flux applied under 100 Kustomizations, as -o json and as the human table:
// in process (time, requests, allocation) and as the built binary (wall time and peak
// RSS, the figures a user sees). It fails above 3 s or 150 MB peak for either.
func BenchmarkTraceBulk10k(b *testing.B) {
	const kustomizations, perKustomization = 100, 100
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Minute)
	defer cancel()
	setup := time.Now()
	bed := bulkFleet(ctx, b, kustomizations, perKustomization)
	b.Logf("fleet of %d objects applied by real Flux in %s", kustomizations*perKustomization, time.Since(setup).Round(time.Second))
	root, err := testbed.RepoRoot()
	if err != nil {
		b.Fatal(err)
	}
	bin := filepath.Join(root, "bin", "kubectl-gitops-trace") // make build
	cache := b.TempDir()
	runTrace(b, bed.Kubeconfig, cache, "cm", "-n", "bulk") // warm discovery
	for _, tc := range []struct {
		name   string
		output string
	}{
		{"json", "json"},
		{"table", ""},
	} {
		b.Run(tc.name, func(b *testing.B) {
			set := func(o *TraceOptions) { o.Output.Value = tc.output }
			requests, out, elapsed := timeTraces(b, func() (int64, string) {
				requests, _, out := runTraceIn(b, bed.Kubeconfig, "", cache, set, "cm", "-n", "bulk")
				return requests, out
			})
			traced := strings.Count(out, `"result": "Traced"`)
			if tc.output == "" {
				traced = strings.Count(out, "\nConfigMap bulk/")
			}
			if traced < kustomizations*perKustomization-1 {
				b.Errorf("traced %d objects, want %d", traced, kustomizations*perKustomization)
			}
			// The binary, as kubectl runs it: wall time and peak RSS.
			args := []string{"cm", "-n", "bulk", "--kubeconfig", bed.Kubeconfig, "--cache-dir", cache}
			if tc.output != "" {
				args = append(args, "-o", tc.output)
			}
			run := testbed.RunMeasured(ctx, b, []string{"NO_COLOR=1"}, bin, args...)
			if run.ExitCode != 0 {
				b.Fatalf("%s %v: exit %d", bin, args, run.ExitCode)
			}
			wall, rss := run.Wall, run.PeakMiB
			b.ReportMetric(wall.Seconds(), "bin-s")
			b.ReportMetric(rss, "bin-peak-MiB")
			b.Logf("-o %q: in process %s, %d requests; binary %s, peak RSS %.0f MiB", tc.output, elapsed, requests, wall.Round(time.Millisecond), rss)
			if elapsed > 3*time.Second || wall > 3*time.Second || rss > 150 {
				b.Errorf("-o %q: %s in process, %s and %.0f MiB peak as a binary, want under 3 s and 150 MiB", tc.output, elapsed, wall, rss)
			}
		})
	}
}

// BenchmarkTraceManyNames traces 10,000 ConfigMaps named one by one on the command line
// (`trace cm NAME NAME …`): one paged list of the namespace's ConfigMaps instead of
// 10,000 GETs, which at client-go's default rate limit would take most of an hour.
func BenchmarkTraceManyNames(b *testing.B) {
	const objects = 10_000
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
	defer cancel()
	bed := testbed.Start(b, testbed.Options{})
	// The objects carry the labels of a Kustomization that exists: each trace reads the
	// same Kustomization and source once, as a bulk trace of a real fleet does.
	if err := bed.Apply(ctx, "apiVersion: v1\nkind: Namespace\nmetadata:\n  name: many\n---\napiVersion: v1\nkind: Namespace\nmetadata:\n  name: flux-system\n---\n"+
		testbed.GitRepositoryYAML(testbed.FluxNamespace, "many", "http://127.0.0.1:1/many.git", "main")+"---\n"+
		testbed.KustomizationYAML(testbed.Kustomization{Namespace: testbed.FluxNamespace, Name: "many", Path: "./many", Source: "many"})); err != nil {
		b.Fatal(err)
	}
	cfg := rest.CopyConfig(bed.Config)
	cfg.QPS = -1 // creating the fixture is not what is measured
	dyn, err := dynamic.NewForConfig(cfg)
	if err != nil {
		b.Fatal(err)
	}
	names := make(chan int)
	var wg sync.WaitGroup
	var createErr atomic.Value
	for w := 0; w < 16; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range names {
				cm := &unstructured.Unstructured{Object: map[string]any{"apiVersion": "v1", "kind": "ConfigMap",
					"metadata": map[string]any{"name": fmt.Sprintf("cm-%05d", i), "namespace": "many",
						"labels": map[string]any{"kustomize.toolkit.fluxcd.io/name": "many", "kustomize.toolkit.fluxcd.io/namespace": testbed.FluxNamespace}},
					"data": map[string]any{"i": fmt.Sprint(i)}}}
				if _, err := dyn.Resource(schema.GroupVersionResource{Version: "v1", Resource: "configmaps"}).Namespace("many").Create(ctx, cm, metav1.CreateOptions{}); err != nil {
					createErr.Store(err)
				}
			}
		}()
	}
	for i := 0; i < objects; i++ {
		names <- i
	}
	close(names)
	wg.Wait()
	if err, _ := createErr.Load().(error); err != nil {
		b.Fatal(err)
	}
	args := []string{"cm"}
	for i := 0; i < objects; i++ {
		args = append(args, fmt.Sprintf("cm-%05d", i))
	}
	args = append(args, "cm-missing", "-n", "many")
	cache := b.TempDir()
	runTrace(b, bed.Kubeconfig, cache, "cm", "cm-00000", "-n", "many") // warm discovery
	var requests int64
	var out string
	b.ResetTimer()
	start := time.Now()
	for i := 0; i < b.N; i++ {
		requests, _, out = runTrace(b, bed.Kubeconfig, cache, args...)
	}
	elapsed := time.Since(start) / time.Duration(b.N)
	b.StopTimer()
	traced := strings.Count(out, `"result": "Traced"`)
	b.ReportMetric(float64(requests), "requests")
	b.ReportMetric(float64(traced), "traced")
	b.Logf("traced %d named objects in %s with %d requests", traced, elapsed, requests)
	if traced != objects || !strings.Contains(out, `"name": "cm-missing"`) {
		b.Errorf("traced %d objects, want %d and a NotFound report for cm-missing", traced, objects)
	}
	if elapsed > 10*time.Second {
		b.Errorf("10,000 named objects took %s, want under 10 s", elapsed)
	}
}
