package main_test

import (
	"context"
	"strings"
	"testing"
	"time"

	kustomizev1 "github.com/fluxcd/kustomize-controller/api/v1"

	"github.com/kubectl-gitops/kubectl-gitops/shared/deps/render"
	"github.com/kubectl-gitops/kubectl-gitops/shared/flux"
	"github.com/kubectl-gitops/kubectl-gitops/shared/output"
	"github.com/kubectl-gitops/kubectl-gitops/shared/output/outputtest"
	"github.com/kubectl-gitops/kubectl-gitops/shared/testbed"
)

// TestLatencyBoundsWhatFluxDoes: with the demo fleet's source polling every 5s (as a
// commit sets it) and the bed's controllers' --requeue-dependency=5s, deps --latency
// predicts apps' worst time from a push (source poll, infrastructure's apply, one
// requeue, its own apply); a commit then pushed without asking Flux to hurry is
// applied by apps within that prediction, measured from Git's commit time to apps'
// own record of the apply (status.history).
func TestLatencyBoundsWhatFluxDoes(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	bed, fleet := testbed.StartDemo(t, ctx)
	files := testbed.DemoFleetFiles(fleet.Repo.URL)
	fast, err := fleet.Repo.Commit(ctx, "poll every 5s", map[string]string{
		"clusters/demo/flux-system/gotk-sync.yaml": strings.Replace(files["clusters/demo/flux-system/gotk-sync.yaml"], "interval: 1m", "interval: 5s", 1),
	})
	if err != nil {
		t.Fatal(err)
	}
	if err := bed.Reconcile(ctx, flux.KindGitRepository, testbed.FluxNamespace, "flux-system"); err != nil {
		t.Fatal(err)
	}
	if _, err := bed.WaitApplied(ctx, testbed.FluxNamespace, "apps", fast); err != nil {
		t.Fatal(err)
	}

	run, err := testbed.Kubectl(ctx, bed.Assets, bed.Kubeconfig, "gitops", "deps", "-A", "--latency", "--requeue-dependency", "5s", "-o", "json")
	if err != nil || run.Code != 0 {
		t.Fatalf("%v\n%s", err, run)
	}
	var worst time.Duration
	if err := outputtest.Decode(output.FormatJSON, []byte(run.Stdout), output.KindLatencyReport, func() any { return &render.LatencyReport{} }, func(d any) {
		for _, b := range d.(*render.LatencyReport).Budgets {
			if b.Node == "Kustomization/flux-system/apps" {
				worst = b.Worst.Duration
				var whats []string
				for _, term := range b.CriticalPath {
					whats = append(whats, term.What+"@"+term.Of)
				}
				if got := strings.Join(whats, " "); got != "source poll@GitRepository/flux-system/flux-system apply@Kustomization/flux-system/infrastructure dependency requeue@Kustomization/flux-system/apps apply@Kustomization/flux-system/apps" {
					t.Errorf("apps' critical path: %s", got)
				}
			}
		}
	}); err != nil {
		t.Fatalf("%v\n%s", err, run)
	}
	if worst < 10*time.Second || worst > time.Minute {
		t.Fatalf("apps' worst %s: want the 5s poll and the 5s requeue and the applies", worst)
	}

	// Pushed, and left to Flux: no reconcile request.
	next, err := fleet.Repo.Commit(ctx, "bump api and move the region", map[string]string{
		"apps/deployment.yaml":                strings.Replace(files["apps/deployment.yaml"], "api:1.0.0", "api:1.0.1", 1),
		"infrastructure/platform-config.yaml": testbed.ConfigMapYAML("shop", "platform-config", "region", "moved"),
	})
	if err != nil {
		t.Fatal(err)
	}
	pushed := time.Now().Truncate(time.Second) // Git's commit time, to the second
	if _, err := bed.WaitApplied(ctx, testbed.FluxNamespace, "apps", next); err != nil {
		t.Fatal(err)
	}
	var k kustomizev1.Kustomization
	if err := flux.GetInto(ctx, bed.Dynamic, testbed.FluxNamespace, "apps", &k); err != nil {
		t.Fatal(err)
	}
	var applied time.Time
	for _, h := range k.Status.History {
		if h.Metadata["revision"] == "main@sha1:"+next {
			applied = h.FirstReconciled.Time
		}
	}
	took := applied.Sub(pushed)
	t.Logf("predicted worst %s, measured %s", worst, took)
	// The applies' own times are last time's: under load they vary by a few seconds.
	if applied.IsZero() || took > worst+5*time.Second {
		t.Errorf("apps applied the push after %s (at %s): more than the predicted worst %s", took, applied, worst)
	}
}

// TestLatencyReceiver: a notification-controller Receiver that names the fleet's
// GitRepository (its webhook fetches on a push) is read from the cluster: the budget's
// first wait is the webhook, typically nothing, with the poll as the worst.
func TestLatencyReceiver(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 4*time.Minute)
	defer cancel()
	bed := testbed.Start(t, testbed.Options{Flux: true, Notification: true})
	if _, err := bed.StartDemoFleet(ctx); err != nil {
		t.Fatal(err)
	}
	if err := bed.Apply(ctx, `apiVersion: v1
kind: Secret
metadata:
  name: webhook-token
  namespace: flux-system
stringData:
  token: not-a-real-token
---
apiVersion: notification.toolkit.fluxcd.io/v1
kind: Receiver
metadata:
  name: git-push
  namespace: flux-system
spec:
  type: generic
  secretRef:
    name: webhook-token
  resources:
    - kind: GitRepository
      name: flux-system
`); err != nil {
		t.Fatal(err)
	}
	run, err := testbed.Kubectl(ctx, bed.Assets, bed.Kubeconfig, "gitops", "deps", "-A", "--latency", "-o", "json")
	if err != nil || run.Code != 0 {
		t.Fatalf("%v\n%s", err, run)
	}
	found := false
	if err := outputtest.Decode(output.FormatJSON, []byte(run.Stdout), output.KindLatencyReport, func() any { return &render.LatencyReport{} }, func(d any) {
		for _, b := range d.(*render.LatencyReport).Budgets {
			if b.Node != "Kustomization/flux-system/infrastructure" {
				continue
			}
			found = true
			first := b.CriticalPath[0]
			if first.What != "webhook (else source poll)" || first.Typical.Duration != 0 || first.Worst.Duration != time.Minute || !strings.Contains(first.Detail, "Receiver flux-system/git-push") {
				t.Errorf("infrastructure's first wait: %+v", first)
			}
		}
	}); err != nil || !found {
		t.Fatalf("%v (infrastructure found: %v)\n%s", err, found, run)
	}
}
