package main_test

import (
	"context"
	"fmt"
	"net/http"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/client-go/dynamic"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/rest"

	"github.com/kubectl-gitops/kubectl-gitops/shared/flux"
	"github.com/kubectl-gitops/kubectl-gitops/shared/follow"
	"github.com/kubectl-gitops/kubectl-gitops/shared/testbed"
	"github.com/kubectl-gitops/kubectl-gitops/shared/write"
)

// The fleet BenchmarkFollowRequests follows: one GitRepository that already fetched
// the new commit and followKustomizations Kustomizations built from it, each Ready at
// the commit before, in chains of ten (each depends on the one before).
const (
	followKustomizations = 1000
	followNamespace      = "fleet"
	followCommit         = "0123456789abcdef0123456789abcdef01234567"
	followOldCommit      = "fedcba9876543210fedcba9876543210fedcba98"
)

// counter counts a client's requests by method and what they read: "GET list
// kustomizations", "GET one kustomizations", "PATCH one gitrepositories".
type counter struct {
	next   http.RoundTripper
	mu     sync.Mutex
	counts map[string]int
	total  int
}

func (c *counter) RoundTrip(req *http.Request) (*http.Response, error) {
	segs := strings.Split(strings.Trim(req.URL.Path, "/"), "/")
	what := "list " + segs[len(segs)-1]
	if len(segs) >= 2 && isResource(segs[len(segs)-2]) {
		what = "one " + segs[len(segs)-2]
	}
	c.mu.Lock()
	c.counts[req.Method+" "+what]++
	c.total++
	c.mu.Unlock()
	return c.next.RoundTrip(req)
}

func isResource(s string) bool {
	switch s {
	case "kustomizations", "gitrepositories", "helmcharts", "helmreleases":
		return true
	}
	return false
}

func (c *counter) read() (map[string]int, int) {
	c.mu.Lock()
	defer c.mu.Unlock()
	out := map[string]int{}
	for k, v := range c.counts {
		out[k] = v
	}
	return out, c.total
}

// BenchmarkFollowRequests follows a revision through 1,000 Kustomizations that do not
// apply it (the bed runs no controller: the statuses stay as written) and counts every
// request follow sends: requests/min is the steady rate once the source fetched, over
// the window's second half.
func BenchmarkFollowRequests(b *testing.B) {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
	defer cancel()
	bed := testbed.Start(b, testbed.Options{})
	start := time.Now()
	if err := createFollowFleet(ctx, bed.Config); err != nil {
		b.Fatal(err)
	}
	b.Logf("created %d Kustomizations in %s", followKustomizations, time.Since(start).Round(time.Millisecond))
	c := &counter{counts: map[string]int{}}
	cfg := rest.CopyConfig(bed.Config)
	cfg.QPS, cfg.Burst = 5000, 5000
	cfg.Wrap(func(rt http.RoundTripper) http.RoundTripper { c.next = rt; return c })
	dyn, err := dynamic.NewForConfig(cfg)
	if err != nil {
		b.Fatal(err)
	}
	const window = 20 * time.Second
	src := follow.Source{Kind: flux.KindGitRepository, Namespace: followNamespace, Name: followNamespace,
		URL: "http://127.0.0.1:1/fleet.git", Branch: "main", Commit: followCommit, Phase: follow.PhaseFetching}
	for b.Loop() {
		c.mu.Lock()
		c.counts, c.total = map[string]int{}, 0
		c.mu.Unlock()
		fctx, stop := context.WithTimeout(ctx, window)
		var half map[string]int
		var halfTotal int
		var last follow.State
		go func() {
			select {
			case <-time.After(window / 2):
				half, halfTotal = c.read()
			case <-fctx.Done():
			}
		}()
		st, err := follow.Follow(fctx, dyn, []follow.Source{src}, follow.Options{Namespace: followNamespace,
			Hooks: write.Hooks{Now: time.Now}, Changed: func(s follow.State) { last = s }})
		stop()
		if err == nil || st.Verdict != follow.VerdictTimedOut {
			b.Fatalf("follow ended with %v (%s); want a timeout: nothing applies the revision here", err, st.Verdict)
		}
		if len(last.Objects) != followKustomizations || last.Sources[0].Phase != follow.PhaseFetched {
			b.Fatalf("followed %d objects, source %s; want %d, fetched", len(last.Objects), last.Sources[0].Phase, followKustomizations)
		}
		all, total := c.read()
		var lines []string
		for k, v := range all {
			lines = append(lines, fmt.Sprintf("%s: %d (second half %d)", k, v, v-half[k]))
		}
		sort.Strings(lines)
		b.Logf("requests in %s: %d, of which %d in the second half:\n%s", window, total, total-halfTotal, strings.Join(lines, "\n"))
		// Never an object read one by one per poll: the consumers come from lists.
		for k, v := range all {
			if strings.HasSuffix(k, "one kustomizations") {
				b.Fatalf("%s: %d requests; want none (each Kustomization read from the lists)", k, v)
			}
		}
		perMin := float64(total-halfTotal) / (window / 2).Minutes()
		// A GET of each object per poll would be 1,000 a second; one list per kind
		// per poll is a few dozen a second.
		if limit := 60.0 * 30; perMin > limit {
			b.Fatalf("%.0f requests/min following %d Kustomizations, want at most %.0f", perMin, followKustomizations, limit)
		}
		b.ReportMetric(perMin, "requests/min")
		b.ReportMetric(float64(halfTotal)/(window/2).Seconds()*60, "requests/min-first-10s")
	}
}

// createFollowFleet creates namespace fleet, GitRepository fleet holding followCommit,
// and the Kustomizations, Ready at followOldCommit, with 16 concurrent workers.
func createFollowFleet(ctx context.Context, cfg *rest.Config) error {
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
	if _, err := cs.CoreV1().Namespaces().Create(ctx, &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: followNamespace}}, metav1.CreateOptions{}); err != nil {
		return err
	}
	gitGVR, _ := flux.GVR(flux.KindGitRepository)
	ksGVR, _ := flux.GVR(flux.KindKustomization)
	now := time.Now().UTC().Format(time.RFC3339)
	ready := func(gen int64, msg string) []any {
		return []any{map[string]any{"type": "Ready", "status": "True", "reason": "Succeeded", "message": msg,
			"lastTransitionTime": now, "observedGeneration": gen}}
	}
	repo := &unstructured.Unstructured{Object: map[string]any{
		"apiVersion": "source.toolkit.fluxcd.io/v1", "kind": "GitRepository",
		"metadata": map[string]any{"name": followNamespace, "namespace": followNamespace},
		"spec":     map[string]any{"interval": "1m", "url": "http://127.0.0.1:1/fleet.git", "ref": map[string]any{"branch": "main"}},
	}}
	got, err := dyn.Resource(gitGVR).Namespace(followNamespace).Create(ctx, repo, metav1.CreateOptions{})
	if err != nil {
		return err
	}
	got.Object["status"] = map[string]any{
		"observedGeneration": got.GetGeneration(),
		"conditions":         ready(got.GetGeneration(), "stored artifact"),
		"artifact": map[string]any{
			"path": "gitrepository/fleet/fleet/0123.tar.gz", "url": "http://127.0.0.1:1/fleet.tar.gz",
			"revision": "main@sha1:" + followCommit, "lastUpdateTime": now,
			"digest": "sha256:2c26b46b68ffc68ff99b453c1d30413413422d706483bfa0f98a5e886266e7ae", "size": int64(1024),
		},
	}
	if _, err := dyn.Resource(gitGVR).Namespace(followNamespace).UpdateStatus(ctx, got, metav1.UpdateOptions{}); err != nil {
		return err
	}
	return testbed.ForEach(followKustomizations, 16, func(i int) error {
		spec := map[string]any{"interval": "10m", "path": fmt.Sprintf("./apps/%04d", i), "prune": true,
			"sourceRef": map[string]any{"kind": "GitRepository", "name": followNamespace}}
		if i%10 != 0 {
			spec["dependsOn"] = []any{map[string]any{"name": fmt.Sprintf("ks-%04d", i-1)}}
		}
		ks := &unstructured.Unstructured{Object: map[string]any{
			"apiVersion": "kustomize.toolkit.fluxcd.io/v1", "kind": "Kustomization",
			"metadata": map[string]any{"name": fmt.Sprintf("ks-%04d", i), "namespace": followNamespace},
			"spec":     spec,
		}}
		ri := dyn.Resource(ksGVR).Namespace(followNamespace)
		got, err := ri.Create(ctx, ks, metav1.CreateOptions{})
		if err == nil {
			rev := "main@sha1:" + followOldCommit
			got.Object["status"] = map[string]any{"observedGeneration": got.GetGeneration(),
				"conditions":          ready(got.GetGeneration(), "Applied revision: "+rev),
				"lastAppliedRevision": rev, "lastAttemptedRevision": rev}
			_, err = ri.UpdateStatus(ctx, got, metav1.UpdateOptions{})
		}
		if err != nil {
			return fmt.Errorf("ks-%04d: %w", i, err)
		}
		return nil
	})
}
