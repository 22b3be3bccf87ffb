package main_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/kubectl-gitops/kubectl-gitops/shared/exitcode"
	"github.com/kubectl-gitops/kubectl-gitops/shared/reconcile"
	"github.com/kubectl-gitops/kubectl-gitops/shared/testbed"
)

// TestRequestAndWait drives real Flux: a reconcile request is handled (the token comes
// back in status), a pushed commit is fetched and applied, a wait on a Kustomization
// blocked by a dependency times out with the Timeout code and says why, and a suspended
// object refuses requests.
func TestRequestAndWait(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 4*time.Minute)
	defer cancel()
	bed := testbed.Start(t, testbed.Options{Flux: true})
	repo, err := bed.Git.CreateRepo(ctx, "fleet")
	if err != nil {
		t.Fatal(err)
	}
	first, err := repo.Commit(ctx, "first", map[string]string{"app/cm.yaml": testbed.ConfigMapYAML("default", "app", "v", "1")})
	if err != nil {
		t.Fatal(err)
	}
	ns := testbed.FluxNamespace
	ks := testbed.Kustomization{Namespace: ns, Name: "app", Path: "./app", Source: "fleet"}
	blocked := testbed.Kustomization{Namespace: ns, Name: "blocked", Path: "./app", Source: "fleet", DependsOn: []string{"does-not-exist"}}
	paused := testbed.Kustomization{Namespace: ns, Name: "paused", Path: "./app", Source: "fleet", Suspend: true}
	if err := bed.Apply(ctx, testbed.GitRepositoryYAML(ns, "fleet", repo.URL, "main")+"---\n"+testbed.KustomizationYAML(ks)+"---\n"+
		testbed.KustomizationYAML(blocked)+"---\n"+testbed.KustomizationYAML(paused)); err != nil {
		t.Fatal(err)
	}
	app := reconcile.Target{Kind: "Kustomization", Namespace: ns, Name: "app"}
	src := reconcile.Target{Kind: "GitRepository", Namespace: ns, Name: "fleet"}
	wait := func(target reconcile.Target, d time.Duration, done reconcile.Done, progress func(reconcile.Status)) (reconcile.Status, error) {
		wctx, cancel := context.WithTimeout(ctx, d)
		defer cancel()
		return reconcile.Wait(wctx, bed.Dynamic, target, 200*time.Millisecond, done, progress)
	}
	if _, err := wait(app, 90*time.Second, reconcile.Applied(first), nil); err != nil {
		t.Fatal(err)
	}

	t.Run("request is handled", func(t *testing.T) {
		token, err := reconcile.Request(ctx, bed.Dynamic, src, time.Now())
		if err != nil {
			t.Fatal(err)
		}
		s, err := wait(src, 60*time.Second, reconcile.ReadyAt(token), nil)
		if err != nil || s.HandledToken != token {
			t.Fatalf("wait for token %s: %v (status %+v)", token, err, s)
		}
	})

	t.Run("a pushed commit is fetched and applied, with progress", func(t *testing.T) {
		second, err := repo.Commit(ctx, "second", map[string]string{"app/cm.yaml": testbed.ConfigMapYAML("default", "app", "v", "2")})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := reconcile.Request(ctx, bed.Dynamic, src, time.Now()); err != nil {
			t.Fatal(err)
		}
		if _, err := wait(src, 60*time.Second, reconcile.Fetched(second), nil); err != nil {
			t.Fatal(err)
		}
		var seen []string
		if _, err := wait(app, 90*time.Second, reconcile.Applied(second), func(s reconcile.Status) { seen = append(seen, s.String()) }); err != nil {
			t.Fatal(err)
		}
		if len(seen) == 0 {
			t.Errorf("progress was never reported")
		}
	})

	t.Run("blocked by a dependency: timeout says why", func(t *testing.T) {
		// Wait until kustomize-controller has written its verdict, then a short wait
		// for Ready must time out with the Timeout code and name the cause.
		if _, err := wait(reconcile.Target{Kind: "Kustomization", Namespace: ns, Name: "blocked"}, 60*time.Second, func(s reconcile.Status) (bool, error) {
			return s.Ready.DependencyBlocked(), nil
		}, nil); err != nil {
			t.Fatal(err)
		}
		_, err := wait(reconcile.Target{Kind: "Kustomization", Namespace: ns, Name: "blocked"}, 2*time.Second, reconcile.ReadyAt(""), nil)
		if exitcode.Of(err) != exitcode.Timeout || !strings.Contains(err.Error(), "does-not-exist") || !strings.Contains(err.Error(), "kubectl gitops deps") {
			t.Errorf("want a Timeout naming the missing dependency, got %v (code %d)", err, exitcode.Of(err))
		}
	})

	t.Run("suspended objects refuse requests", func(t *testing.T) {
		_, err := reconcile.Request(ctx, bed.Dynamic, reconcile.Target{Kind: "Kustomization", Namespace: ns, Name: "paused"}, time.Now())
		if err == nil || !strings.Contains(err.Error(), "suspended") {
			t.Errorf("want a suspended error, got %v", err)
		}
	})

	t.Run("missing object", func(t *testing.T) {
		_, err := reconcile.Request(ctx, bed.Dynamic, reconcile.Target{Kind: "Kustomization", Namespace: ns, Name: "nope"}, time.Now())
		if exitcode.Of(err) != exitcode.NotFound {
			t.Errorf("want NotFound, got %v", err)
		}
	})
}
