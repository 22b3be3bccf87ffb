package testbed

import (
	"context"
	"fmt"
	"time"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"

	"github.com/kubectl-gitops/kubectl-gitops/shared/flux"
	"github.com/kubectl-gitops/kubectl-gitops/shared/reconcile"
	"github.com/kubectl-gitops/kubectl-gitops/shared/status"
)

func isNotFound(err error) bool { return apierrors.IsNotFound(err) }

// Get reads a Flux object through the suite's own access path.
func (b *Bed) Get(ctx context.Context, kind, namespace, name string) (*unstructured.Unstructured, error) {
	return flux.Get(ctx, b.Dynamic, kind, namespace, name)
}

// WaitFor polls a Flux object until cond holds, ctx ends or timeout passes; the error
// names what was last seen so a failing test says why.
func (b *Bed) WaitFor(ctx context.Context, timeout time.Duration, kind, namespace, name string, cond func(*unstructured.Unstructured) bool) (*unstructured.Unstructured, error) {
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	var last *unstructured.Unstructured
	var lastErr error
	for {
		last, lastErr = b.Get(ctx, kind, namespace, name)
		if lastErr == nil && cond(last) {
			return last, nil
		}
		select {
		case <-ctx.Done():
			seen := "nothing"
			if lastErr != nil {
				seen = lastErr.Error()
			} else if last != nil {
				seen = describeStatus(last)
			}
			return last, fmt.Errorf("%s %s/%s: condition not met within %s; last seen: %s", kind, namespace, name, timeout, seen)
		case <-time.After(250 * time.Millisecond):
		}
	}
}

// WaitApplied waits until Kustomization namespace/name has applied commit sha and is
// Ready at its current generation: the moment Flux has really applied the commit.
func (b *Bed) WaitApplied(ctx context.Context, namespace, name, sha string) (*unstructured.Unstructured, error) {
	return b.wait(ctx, reconcile.Target{Kind: flux.KindKustomization, Namespace: namespace, Name: name}, reconcile.Applied(sha))
}

// WaitReady waits until a Flux object is Ready=True at its current generation.
func (b *Bed) WaitReady(ctx context.Context, kind, namespace, name string) (*unstructured.Unstructured, error) {
	return b.wait(ctx, reconcile.Target{Kind: kind, Namespace: namespace, Name: name}, reconcile.ReadyAt(""))
}

// WaitSourceRevision waits until a source (GitRepository, ...) reports an artifact whose
// revision ends with sha.
func (b *Bed) WaitSourceRevision(ctx context.Context, kind, namespace, name, sha string) (*unstructured.Unstructured, error) {
	return b.wait(ctx, reconcile.Target{Kind: kind, Namespace: namespace, Name: name}, reconcile.Fetched(sha))
}

// wait runs the library's own wait (the one the plugins use) with the bed's bound.
func (b *Bed) wait(ctx context.Context, t reconcile.Target, done reconcile.Done) (*unstructured.Unstructured, error) {
	ctx, cancel := context.WithTimeout(ctx, 90*time.Second)
	defer cancel()
	if _, err := reconcile.Wait(ctx, b.Dynamic, t, 250*time.Millisecond, done, nil); err != nil {
		return nil, err
	}
	return b.Get(ctx, t.Kind, t.Namespace, t.Name)
}

// Reconcile asks Flux to reconcile an object now, as `flux reconcile` does.
func (b *Bed) Reconcile(ctx context.Context, kind, namespace, name string) error {
	_, err := reconcile.Request(ctx, b.Dynamic, reconcile.Target{Kind: kind, Namespace: namespace, Name: name}, time.Now())
	return err
}

// IsReady reports Ready=True with observedGeneration equal to generation.
func IsReady(u *unstructured.Unstructured) bool {
	s := status.Of(u)
	return s.ReadyAtGeneration()
}

func describeStatus(u *unstructured.Unstructured) string {
	s := status.Of(u)
	return fmt.Sprintf("generation=%d observed=%d %s lastAppliedRevision=%q artifact=%q", s.Generation, s.ObservedGeneration, s, s.LastAppliedRevision, s.ArtifactRevision)
}

// FinishedAt is when Flux last finished with u, by its own status, to the second: its
// Ready transition or, later, the newest status.history entry (a Kustomization that
// stays Ready keeps its old transition time but records each apply in its history; a
// HelmRelease records its upgrade there). Benchmarks compare a command's end with it.
func FinishedAt(u *unstructured.Unstructured) time.Time {
	last := status.Of(u).LastTransition
	if h, _, _ := unstructured.NestedSlice(u.Object, "status", "history"); len(h) > 0 {
		if entry, ok := h[0].(map[string]any); ok {
			for _, field := range []string{"lastReconciled", "lastDeployed"} {
				if s, ok := entry[field].(string); ok {
					if t, err := time.Parse(time.RFC3339, s); err == nil && t.After(last) {
						last = t
					}
				}
			}
		}
	}
	return last
}
