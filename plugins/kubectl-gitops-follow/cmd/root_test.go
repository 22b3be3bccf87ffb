package cmd

import (
	"context"
	"errors"
	"net"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"k8s.io/client-go/dynamic"
	"k8s.io/client-go/rest"

	"github.com/kubectl-gitops/kubectl-gitops/shared/exitcode"
	"github.com/kubectl-gitops/kubectl-gitops/shared/follow"
)

// TestNeverFollowed pins how a context never followed is summed up: one that never
// answers within --context-timeout is Unreachable like one that refuses the
// connection (not Failed), and its reason does not say "unreachable" twice; any
// other error is Failed.
func TestNeverFollowed(t *testing.T) {
	hang := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { <-r.Context().Done() }))
	t.Cleanup(hang.Close)
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	closed := "http://" + l.Addr().String()
	_ = l.Close()
	var clusters []follow.Cluster
	for _, c := range []struct{ name, host string }{{"hangs", hang.URL}, {"closed", closed}} {
		d, err := dynamic.NewForConfig(&rest.Config{Host: c.host, QPS: -1})
		if err != nil {
			t.Fatal(err)
		}
		clusters = append(clusters, follow.Cluster{Context: c.name, Dynamic: d, Namespace: "flux-system"})
	}
	noHeads := func(context.Context, string) (map[string]string, error) { return map[string]string{}, nil }
	rs := follow.Across(context.Background(), clusters, "main", 300*time.Millisecond, time.Minute, noHeads,
		func(follow.Cluster, []follow.Source) follow.Options { return follow.Options{} })

	got := neverFollowed(rs[0])
	want := follow.ClusterResult{Name: "hangs", Result: follow.VerdictUnreachable, Reason: "its API server did not answer within --context-timeout 300ms"}
	if got != want {
		t.Errorf("never answering: %+v, want %+v", got, want)
	}
	if got := neverFollowed(rs[1]); got.Result != follow.VerdictUnreachable {
		t.Errorf("refused: %+v, want Unreachable", got)
	}
	forbidden := follow.Result{Context: "denied", Err: exitcode.Wrap(exitcode.Forbidden, errors.New("gitrepositories is forbidden"))}
	if got := neverFollowed(forbidden); got.Result != follow.VerdictFailed || got.Reason != "gitrepositories is forbidden" {
		t.Errorf("forbidden: %+v, want Failed with its message", got)
	}
}
