package follow

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"k8s.io/client-go/dynamic"
	"k8s.io/client-go/rest"

	"github.com/kubectl-gitops/kubectl-gitops/shared/cluster"
	"github.com/kubectl-gitops/kubectl-gitops/shared/exitcode"
)

// fleetOfServers is n contexts whose API server never answers, one that answers
// slowly (an empty list of GitRepositories: nothing to follow there) and one whose
// port is closed.
func fleetOfServers(t testing.TB, n int, slow time.Duration) []Cluster {
	t.Helper()
	hang := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { <-r.Context().Done() }))
	t.Cleanup(hang.Close)
	slowly := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-time.After(slow):
		case <-r.Context().Done():
			return
		}
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write([]byte(`{"apiVersion":"source.toolkit.fluxcd.io/v1","kind":"GitRepositoryList","metadata":{},"items":[]}`))
	}))
	t.Cleanup(slowly.Close)
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	closed := "http://" + l.Addr().String()
	_ = l.Close()
	client := func(host string) dynamic.Interface {
		// No client timeout: Across's own deadline is what must bound them.
		d, err := dynamic.NewForConfig(&rest.Config{Host: host, QPS: -1})
		if err != nil {
			t.Fatal(err)
		}
		return d
	}
	var out []Cluster
	for i := range n {
		out = append(out, Cluster{Context: fmt.Sprintf("hangs-%03d", i), Dynamic: client(hang.URL), Namespace: "flux-system"})
	}
	out = append(out, Cluster{Context: "slow", Dynamic: client(slowly.URL), Namespace: "flux-system"},
		Cluster{Context: "closed", Dynamic: client(closed), Namespace: "flux-system"})
	return out
}

func noHeads(context.Context, string) (map[string]string, error) { return map[string]string{}, nil }

func noOptions(Cluster, []Source) Options { return Options{} }

// TestAcrossUnreachableBounded pins the fan-out: a hundred contexts that never answer
// end within one reach (not one per round of maxContexts), each reported unreachable,
// while the slow one still answers and the refused one says so.
func TestAcrossUnreachableBounded(t *testing.T) {
	const reach = time.Second
	clusters := fleetOfServers(t, 100, 200*time.Millisecond)
	start := time.Now()
	results := Across(context.Background(), clusters, "main", reach, time.Minute, noHeads, noOptions)
	// Generous: the reach plus scheduling on a loaded machine, far below the
	// thirteen rounds of eight a bounded fan-out would take.
	if took := time.Since(start); took > 2*reach {
		t.Fatalf("Across took %s with %d contexts never answering; want < %s", took, 100, 2*reach)
	}
	if len(results) != len(clusters) {
		t.Fatalf("%d results for %d clusters", len(results), len(clusters))
	}
	for _, r := range results[:100] {
		if r.Err == nil || !strings.Contains(r.Err.Error(), "unreachable") || exitcode.Of(r.Err) != exitcode.Failure {
			t.Fatalf("context %s: err %v, want unreachable (exit 1)", r.Context, r.Err)
		}
	}
	if s := results[100]; s.Err != nil || exitcode.Of(s.Skipped) != exitcode.NotFound {
		t.Errorf("slow context: err %v, skipped %v; want answered, nothing to follow", s.Err, s.Skipped)
	}
	if c := results[101]; c.Err == nil || !strings.Contains(c.Err.Error(), "refused") {
		t.Errorf("closed port: err %v, want connection refused", c.Err)
	}
}

// BenchmarkAcrossUnreachable is the time to reach 100 contexts that never answer with
// --context-timeout 1s: about one timeout, whatever the count.
func BenchmarkAcrossUnreachable(b *testing.B) {
	const reach = time.Second
	clusters := fleetOfServers(b, 100, 200*time.Millisecond)
	b.ResetTimer()
	for range b.N {
		Across(context.Background(), clusters, "main", reach, time.Minute, noHeads, noOptions)
	}
	b.ReportMetric(float64(len(clusters)), "contexts")
}

// TestAcrossNeverAnsweringIsUnreachable pins the classification of a context that
// accepts the connection and never answers: its error must say the deadline passed
// (context.DeadlineExceeded in its chain), so that cluster.IsUnreachable, and with it
// the plugin's summary and -o json document, call it Unreachable, as it does a
// refused connection; its message and exit code stay.
func TestAcrossNeverAnsweringIsUnreachable(t *testing.T) {
	clusters := fleetOfServers(t, 1, 0)
	results := Across(context.Background(), clusters, "main", 300*time.Millisecond, time.Minute, noHeads, noOptions)
	for _, r := range []Result{results[0], results[2]} {
		if !cluster.IsUnreachable(r.Err) {
			t.Errorf("context %s: IsUnreachable(%v) = false, want true", r.Context, r.Err)
		}
	}
	hang := results[0].Err
	if !errors.Is(hang, context.DeadlineExceeded) || exitcode.Of(hang) != exitcode.Failure {
		t.Errorf("never answering: err %v (exit %d), want context.DeadlineExceeded in its chain, exit 1", hang, exitcode.Of(hang))
	}
	if want := "unreachable: its API server did not answer within --context-timeout 300ms"; hang == nil || hang.Error() != want {
		t.Errorf("never answering: message %q, want %q", hang, want)
	}
}

// TestSharedHeadsOneAsk pins that a remote is asked once for every cluster: when
// that one answer is an error, the clusters waiting on it take the error too, rather
// than each asking again (a hundred contexts, a hundred 'git ls-remote').
func TestSharedHeadsOneAsk(t *testing.T) {
	var calls atomic.Int32
	started, fail := make(chan struct{}), make(chan struct{})
	shared := sharedHeads(func(ctx context.Context, url string) (map[string]string, error) {
		if calls.Add(1) == 1 {
			close(started)
			<-fail
		}
		return nil, errors.New("fatal: repository not found")
	})
	first := make(chan error, 1)
	go func() {
		_, err := shared(context.Background(), "https://git.example/fleet")
		first <- err
	}()
	<-started
	const waiters = 100
	errs := make(chan error, waiters)
	var wg sync.WaitGroup
	for range waiters {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, err := shared(context.Background(), "https://git.example/fleet")
			errs <- err
		}()
	}
	time.Sleep(50 * time.Millisecond) // the waiters wait on the first ask
	close(fail)
	wg.Wait()
	close(errs)
	if err := <-first; err == nil {
		t.Fatal("first ask: no error")
	}
	for err := range errs {
		if err == nil || err.Error() != "fatal: repository not found" {
			t.Fatalf("waiter: err %v, want the shared answer's", err)
		}
	}
	if n := calls.Load(); n != 1 {
		t.Errorf("heads called %d times for %d clusters, want 1", n, waiters+1)
	}
}

// TestSharedHeadsAskAgainWhenCut pins the one case a waiter asks again: the first
// ask ended because its own caller's context did, while the waiters' still run; and
// then only one of them asks, the others wait on it.
func TestSharedHeadsAskAgainWhenCut(t *testing.T) {
	var calls atomic.Int32
	started := make(chan struct{})
	shared := sharedHeads(func(ctx context.Context, url string) (map[string]string, error) {
		if calls.Add(1) == 1 {
			close(started)
			<-ctx.Done()
			return nil, ctx.Err()
		}
		time.Sleep(20 * time.Millisecond)
		return map[string]string{"main": "abc"}, nil
	})
	ctx, cancel := context.WithCancel(context.Background())
	first := make(chan error, 1)
	go func() {
		_, err := shared(ctx, "https://git.example/fleet")
		first <- err
	}()
	<-started
	const waiters = 10
	got := make(chan string, waiters)
	var wg sync.WaitGroup
	for range waiters {
		wg.Add(1)
		go func() {
			defer wg.Done()
			h, err := shared(context.Background(), "https://git.example/fleet")
			if err != nil {
				got <- err.Error()
				return
			}
			got <- h["main"]
		}()
	}
	time.Sleep(50 * time.Millisecond)
	cancel()
	wg.Wait()
	close(got)
	if err := <-first; !errors.Is(err, context.Canceled) {
		t.Errorf("first ask: err %v, want its own context's", err)
	}
	for g := range got {
		if g != "abc" {
			t.Fatalf("waiter got %q, want the heads asked again", g)
		}
	}
	if n := calls.Load(); n != 2 {
		t.Errorf("heads called %d times, want 2 (the cut ask and one more)", n)
	}
}
