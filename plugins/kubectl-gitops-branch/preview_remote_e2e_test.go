package main_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/kubectl-gitops/kubectl-gitops/shared/branch"
	"github.com/kubectl-gitops/kubectl-gitops/shared/output"
	"github.com/kubectl-gitops/kubectl-gitops/shared/output/outputtest"
	"github.com/kubectl-gitops/kubectl-gitops/shared/testbed"
)

// TestSetPreviewsWorkloadCluster: the preview of a switch compares a Kustomization
// applying to a workload cluster (spec.kubeConfig) in that cluster, opened with the
// user's own context for it; with no such context in the kubeconfig, the preview says
// so and how to compare it, and the switch goes on.
func TestSetPreviewsWorkloadCluster(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 6*time.Minute)
	defer cancel()
	bed := testbed.Start(t, testbed.Options{Flux: true})
	fleet, err := bed.StartDemoFleetWith(ctx, testbed.DemoOptions{Workload: true})
	if err != nil {
		t.Fatal(err)
	}
	workloadApps := func(kubeconfig string) (res branch.Result, preview string) {
		t.Helper()
		run, err := testbed.Kubectl(ctx, bed.Assets, kubeconfig, "gitops", "branch", "set", "flux-system", "stable-release", "-n", "flux-system", "--yes", "-o", "json")
		if err != nil || run.Code != 0 {
			t.Fatalf("branch set: %v\n%s", err, run)
		}
		if err := outputtest.Decode(output.FormatJSON, []byte(run.Stdout), output.KindBranchSwitch, func() any { return &branch.Result{} }, func(d any) { res = *d.(*branch.Result) }); err != nil {
			t.Fatalf("%v\n%s", err, run.Stdout)
		}
		for _, c := range res.Changes {
			if c.Kustomization.Namespace == testbed.DemoWorkloadNamespace && c.Kustomization.Name == "workload-apps" {
				preview = c.String()
				if c.Preview.Error == "" && c.Preview.Summary == nil {
					t.Errorf("workload-apps previewed with neither counts nor error: %+v", c)
				}
				if c.Preview.Error != "" {
					preview = "error: " + c.Preview.Error
				}
			}
		}
		restore, err := testbed.Kubectl(ctx, bed.Assets, kubeconfig, "gitops", "branch", "restore", "flux-system", "-n", "flux-system", "--yes")
		if err != nil || restore.Code != 0 {
			t.Fatalf("branch restore: %v\n%s", err, restore)
		}
		return res, preview
	}

	// The fleet's kubeconfig has a context for workload-1: compared there.
	_, got := workloadApps(fleet.Kubeconfig)
	if got == "" || strings.HasPrefix(got, "error: ") {
		t.Errorf("workload-apps is not compared in %s: %q", testbed.DemoWorkload, got)
	}
	// The bed's own kubeconfig knows the management cluster alone.
	_, got = workloadApps(bed.Kubeconfig)
	if !strings.Contains(got, "no context of your kubeconfig points at it: compare it with 'kubectl gitops diff' and --remote-context NAME") {
		t.Errorf("without a context for workload-1, the preview says %q", got)
	}
}
