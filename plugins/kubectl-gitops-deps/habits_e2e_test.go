package main_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/kubectl-gitops/kubectl-gitops/shared/deps/render"
	"github.com/kubectl-gitops/kubectl-gitops/shared/output"
	"github.com/kubectl-gitops/kubectl-gitops/shared/output/outputtest"
	"github.com/kubectl-gitops/kubectl-gitops/shared/testbed"
)

// habitsFleet is two Kustomizations in flux-system, one of them suspended with a
// record whose end has passed (as `rollback suspend --for` writes it), and a Secret
// whose value must never be printed, whatever -v asks for.
const habitsFleet = `apiVersion: v1
kind: Namespace
metadata:
  name: flux-system
---
apiVersion: v1
kind: Namespace
metadata:
  name: empty
---
apiVersion: v1
kind: Secret
metadata:
  name: token
  namespace: flux-system
stringData:
  token: s3cr3t-marker
---
apiVersion: kustomize.toolkit.fluxcd.io/v1
kind: Kustomization
metadata:
  name: apps
  namespace: flux-system
spec:
  interval: 1m
  prune: true
  path: ./apps
  sourceRef:
    kind: GitRepository
    name: flux-system
---
apiVersion: kustomize.toolkit.fluxcd.io/v1
kind: Kustomization
metadata:
  name: monitoring
  namespace: flux-system
  annotations:
    gitops.kubectl.io/suspend-reason: "INC-42: noisy alerts"
    gitops.kubectl.io/suspend-by: alice
    gitops.kubectl.io/suspend-at: "2026-01-01T08:00:00Z"
    gitops.kubectl.io/suspend-until: "2026-01-01T10:00:00Z"
spec:
  suspend: true
  interval: 1m
  prune: true
  path: ./monitoring
  sourceRef:
    kind: GitRepository
    name: flux-system
`

// TestKubectlHabits runs, through the real kubectl against a real API server, what a
// kubectl user types out of habit: a --check in the wrong namespace, a name in the
// wrong namespace or misspelt, -v=6, a malformed -l; and sees an overdue suspension
// that blocks nothing.
func TestKubectlHabits(t *testing.T) {
	bed := testbed.Start(t, testbed.Options{})
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	if err := bed.Apply(ctx, habitsFleet); err != nil {
		t.Fatal(err)
	}

	testbed.CheckKubectl(t, ctx, bed.Assets, bed.Kubeconfig, []testbed.KubectlCase{
		// 1. A check of nothing is not a pass.
		{Args: []string{"gitops", "deps", "--check"}, Code: 7, Stdout: []string{
			"No Kustomizations or HelmReleases found in namespace default; flux-system has some: add -n flux-system.",
			"Nothing was checked: --check fails on it.",
		}},
		{Args: []string{"gitops", "deps", "-n", "empty", "--check"}, Code: 7, Stdout: []string{"Nothing was checked"}},
		// 2. A name in another namespace, or misspelt.
		{Args: []string{"gitops", "deps", "apps"}, Code: 3, Stderr: "Kustomization default/apps not found; flux-system has one: add -n flux-system"},
		{Args: []string{"gitops", "deps", "aps", "-n", "flux-system"}, Code: 3, Stderr: "no Kustomization or HelmRelease named aps in namespace flux-system; did you mean apps?"},
		// 3. An overdue suspension is shown though it blocks nothing.
		{Args: []string{"gitops", "deps", "-n", "flux-system"}, Stdout: []string{
			"Kustomization flux-system/monitoring  Suspended, NotReady (no Ready condition): INC-42: noisy alerts (by alice, since 2026-01-01T08:00:00Z, until 2026-01-01T10:00:00Z, OVERDUE)",
		}},
		// 5. A malformed selector is a usage error naming it, in every command taking -l.
		{Args: []string{"gitops", "branch", "show", "-l", "app in ("}, Code: 2, Stderr: `-l "app in (" is not a valid label selector`},
		{Args: []string{"gitops", "trace", "pods", "-l", "a=b=c"}, Code: 2, Stderr: `-l "a=b=c" is not a valid label selector`},
		{Args: []string{"gitops", "rollback", "suspend", "-l", "x!", "--reason", "r", "--yes"}, Code: 2, Stderr: `-l "x!" is not a valid label selector`},
		// 4. --version keeps its name.
		{Args: []string{"gitops", "deps", "--version"}, Stdout: []string{"kubectl gitops deps "}},
		{Args: []string{"gitops", "version", "-v=6"}, Stdout: []string{"kubectl gitops "}},
	})

	t.Run("json says nothing was checked", func(t *testing.T) {
		run, err := testbed.Kubectl(ctx, bed.Assets, bed.Kubeconfig, "gitops", "deps", "-n", "empty", "--check", "-o", "json")
		if err != nil || run.Code != 7 {
			t.Fatalf("exit %d, %v\n%s", run.Code, err, run)
		}
		err = outputtest.Decode(output.FormatJSON, []byte(run.Stdout), output.KindDependencyReport, func() any { return &render.DependencyReport{} }, func(d any) {
			if s := d.(*render.DependencyReport).Summary; !s.NothingChecked || !s.HasProblems {
				t.Errorf("summary %+v, want nothingChecked and hasProblems", s)
			}
		})
		if err != nil {
			t.Fatal(err)
		}
	})

	// 4. -v is kubectl's log level: every request on stderr, the data on stdout
	// untouched, and nothing of a Secret even at the highest level.
	t.Run("-v logs the requests", func(t *testing.T) {
		for _, args := range [][]string{
			{"gitops", "deps", "-n", "flux-system", "-v=6"},
			{"gitops", "deps", "-n", "flux-system", "--v", "6"},
			{"gitops", "trace", "secret/token", "-n", "flux-system", "-v=9"},
		} {
			run, err := testbed.Kubectl(ctx, bed.Assets, bed.Kubeconfig, args...)
			if err != nil {
				t.Fatal(err)
			}
			wantCode := 0
			if args[1] == "trace" {
				wantCode = 4 // a Secret nobody applied: not managed by Flux
			}
			if run.Code != wantCode || !strings.Contains(run.Stderr, ` verb="GET" url="https://127.0.0.1:`) || !strings.Contains(run.Stderr, `status="200 OK"`) {
				t.Errorf("%v: want exit %d and the requests on stderr\n%s", args, wantCode, run)
			}
			if strings.Contains(run.Stdout, "Response verb") || strings.Contains(run.Stderr+run.Stdout, "s3cr3t") || strings.Contains(run.Stderr+run.Stdout, "czNjcjN0") {
				t.Errorf("%v: a log line on stdout, or the Secret's value printed\n%s", args, run)
			}
		}
	})
}
