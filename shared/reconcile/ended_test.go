package reconcile_test

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/client-go/dynamic"
	"k8s.io/client-go/rest"

	"github.com/kubectl-gitops/kubectl-gitops/shared/cluster"
	"github.com/kubectl-gitops/kubectl-gitops/shared/cluster/clustertest"
	"github.com/kubectl-gitops/kubectl-gitops/shared/exitcode"
	"github.com/kubectl-gitops/kubectl-gitops/shared/reconcile"
)

// TestWaitEnds tells the two ways a wait's context ends apart: its deadline is a
// timeout (exit 6), Ctrl-C is an interruption (exit 1), never "timed out".
func TestWaitEnds(t *testing.T) {
	ks := &unstructured.Unstructured{Object: map[string]any{
		"apiVersion": "kustomize.toolkit.fluxcd.io/v1", "kind": "Kustomization",
		"metadata": map[string]any{"name": "apps", "namespace": "flux-system", "generation": int64(2)},
		"status":   map[string]any{"observedGeneration": int64(1)},
	}}
	client, err := clustertest.New("flux-system", ks).Client()
	if err != nil {
		t.Fatal(err)
	}
	target := reconcile.Target{Kind: "Kustomization", Namespace: "flux-system", Name: "apps"}
	never := func(reconcile.Status) (bool, error) { return false, nil }
	tests := []struct {
		name  string
		ctx   func() (context.Context, context.CancelFunc)
		code  exitcode.Code
		say   string
		isInt bool
	}{
		{"deadline", func() (context.Context, context.CancelFunc) {
			return context.WithTimeout(context.Background(), 50*time.Millisecond)
		}, exitcode.Timeout, "timed out waiting for Kustomization flux-system/apps", false},
		{"interrupted", func() (context.Context, context.CancelFunc) {
			// Ctrl-C cancels the command's context; its own timeout is still far off.
			parent, cancel := context.WithCancel(context.Background())
			ctx, stop := context.WithTimeout(parent, time.Hour)
			time.AfterFunc(50*time.Millisecond, cancel)
			return ctx, stop
		}, exitcode.Failure, "interrupted while waiting for Kustomization flux-system/apps", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ctx, cancel := tt.ctx()
			defer cancel()
			_, err := reconcile.Wait(ctx, client.Dynamic, target, 10*time.Millisecond, never, nil)
			if exitcode.Of(err) != tt.code || !strings.HasPrefix(err.Error(), tt.say) || cluster.IsInterrupted(err) != tt.isInt {
				t.Errorf("Wait ended with %v (exit %d, interrupted %v); want %q, exit %d", err, exitcode.Of(err), cluster.IsInterrupted(err), tt.say, tt.code)
			}
			// What a writer adds on top keeps the interruption visible.
			wrapped := exitcode.Wrap(exitcode.Of(err), errors.Join(err))
			if cluster.IsInterrupted(wrapped) != tt.isInt {
				t.Errorf("a wrapped %s error lost its kind", tt.name)
			}
		})
	}
}

// TestPropagateInterrupted: Ctrl-C during the wait for the first consumer leaves one
// outcome per consumer, every one Interrupted (a HelmRelease whose chart was never
// waited for too), never Waiting or Failed beside them.
func TestPropagateInterrupted(t *testing.T) {
	obj := func(apiVersion, kind, name string, spec map[string]any, st map[string]any) *unstructured.Unstructured {
		return &unstructured.Unstructured{Object: map[string]any{
			"apiVersion": apiVersion, "kind": kind,
			"metadata": map[string]any{"name": name, "namespace": "flux-system", "generation": int64(1)},
			"spec":     spec, "status": st,
		}}
	}
	fleet := map[string]any{"kind": "GitRepository", "name": "fleet"}
	client, err := clustertest.New("flux-system",
		obj("kustomize.toolkit.fluxcd.io/v1", "Kustomization", "apps", map[string]any{"sourceRef": fleet}, map[string]any{"lastAppliedRevision": "main@sha1:1111"}),
		obj("source.toolkit.fluxcd.io/v1", "HelmChart", "flux-system-web", map[string]any{"sourceRef": fleet}, map[string]any{}),
		obj("helm.toolkit.fluxcd.io/v2", "HelmRelease", "web", map[string]any{}, map[string]any{"helmChart": "flux-system/flux-system-web"}),
	).Client()
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	time.AfterFunc(100*time.Millisecond, cancel)
	f := reconcile.Follower{Interval: 10 * time.Millisecond}
	out, err := f.Propagate(ctx, client.Dynamic, reconcile.Target{Kind: "GitRepository", Namespace: "flux-system", Name: "fleet"}, "main@sha1:2222")
	if !cluster.IsInterrupted(err) || exitcode.Of(err) != exitcode.Failure {
		t.Errorf("Propagate ended with %v, want an interruption (exit 1)", err)
	}
	if len(out) != 3 {
		t.Fatalf("outcomes %+v, want one per consumer", out)
	}
	for _, o := range out {
		if o.Status != reconcile.StatusInterrupted {
			t.Errorf("%s %s: %s (%s), want Interrupted", o.Kind, o.Name, o.Status, o.Message)
		}
	}
}

// TestWaitDeadlineDuringRequest: the command's deadline passing while a GET is in
// flight (client-go then says "context deadline exceeded") is a timeout, not a lost API
// server; a server that stopped answering well before the deadline is still lost.
func TestWaitDeadlineDuringRequest(t *testing.T) {
	slow := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		<-r.Context().Done() // answers nothing before the client gives up
	}))
	defer slow.Close()
	dyn, err := dynamic.NewForConfig(&rest.Config{Host: slow.URL})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
	defer cancel()
	target := reconcile.Target{Kind: "Kustomization", Namespace: "flux-system", Name: "apps"}
	_, err = reconcile.Wait(ctx, dyn, target, 10*time.Millisecond, func(reconcile.Status) (bool, error) { return false, nil }, nil)
	if exitcode.Of(err) != exitcode.Timeout || !strings.HasPrefix(err.Error(), "timed out waiting for Kustomization flux-system/apps") {
		t.Errorf("Wait ended with %v (exit %d); want a timeout (exit %d)", err, exitcode.Of(err), exitcode.Timeout)
	}
}

// TestRequestDeadline: a reconcile request the deadline cuts short is a timeout too.
func TestRequestDeadline(t *testing.T) {
	slow := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { <-r.Context().Done() }))
	defer slow.Close()
	dyn, err := dynamic.NewForConfig(&rest.Config{Host: slow.URL})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
	defer cancel()
	_, err = reconcile.Request(ctx, dyn, reconcile.Target{Kind: "Kustomization", Namespace: "flux-system", Name: "apps"}, time.Now())
	if exitcode.Of(err) != exitcode.Timeout || err.Error() != "timed out asking Kustomization flux-system/apps to reconcile" {
		t.Errorf("Request ended with %v (exit %d); want a timeout", err, exitcode.Of(err))
	}
}
