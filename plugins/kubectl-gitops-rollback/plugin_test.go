package main_test

import (
	"context"
	"testing"
	"time"

	"github.com/kubectl-gitops/kubectl-gitops/shared/history"
	"github.com/kubectl-gitops/kubectl-gitops/shared/output"
	"github.com/kubectl-gitops/kubectl-gitops/shared/testbed"
)

// TestThroughKubectl runs the built binary through the real kubectl, as a user does.
func TestThroughKubectl(t *testing.T) {
	testbed.CheckPluginBinary(t, "rollback", []string{"kubectl gitops rollback history apps -n flux-system", "--kubeconfig", "Exit codes:"}, []testbed.KubectlCase{
		{Args: []string{"__complete", "gitops", "rollback", "h"}, Stdout: []string{"history"}},
		{Args: []string{"gitops", "rollback", "history"}, Code: 2, Stderr: "accepts 1 arg(s), received 0"},
		{Args: []string{"gitops", "rollback", "history", ""}, Code: 2, Stderr: "the Kustomization name is empty"},
		{Args: []string{"gitops", "rollback", "history", "apps", "-o", "xml"}, Code: 2, Stderr: `unknown output format "xml"`},
	})
}

// TestHistoryOnTheDemoFleet reads what Flux applied to the demo fleet, as a typed
// document and through every error path.
func TestHistoryOnTheDemoFleet(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 4*time.Minute)
	defer cancel()
	bed, fleet := testbed.StartDemo(t, ctx)
	testbed.Documents(t, ctx, bed, output.KindHistory, func() any { return &history.History{} }, func(format string, d any) {
		h := d.(*history.History)
		if h.Object.Name != "apps" || len(h.Entries) == 0 || h.Entries[0].SHA != fleet.Commit || !h.Entries[0].Current || h.Entries[0].Status != "ReconciliationSucceeded" {
			t.Errorf("-o %s: history = %+v, want the fleet commit %s as current and succeeded", format, h, fleet.Commit)
		}
	}, "gitops", "rollback", "history", "apps", "-n", "flux-system")
	testbed.CheckKubectl(t, ctx, bed.Assets, bed.Kubeconfig, []testbed.KubectlCase{
		{Args: []string{"gitops", "rollback", "history", "apps", "-n", "flux-system"}, Stdout: []string{"REVISION", "main@sha1:" + fleet.Commit, "current", "main@sha1:" + fleet.Stable, "last-good"}},
		// The chart lives in the fleet and is built per commit: the release after the
		// demo's second commit supersedes the first.
		{Args: []string{"gitops", "rollback", "history", "helmrelease/web", "-n", "shop"}, Stdout: []string{
			"RELEASE", "0.1.0+" + fleet.Commit[:12], "deployed", "current", "0.1.0+" + fleet.Stable[:12], "superseded", "last-good"}},
		{Args: []string{"gitops", "rollback", "history", "hr/web", "-n", "shop", "--git-dir", "."}, Code: 2, Stderr: "--git-dir describes the commits of a Kustomization's source"},
		{Args: []string{"gitops", "rollback", "history", "deploy/api", "-n", "shop"}, Code: 2, Stderr: "history is kept by Kustomizations and HelmReleases"},
		{Args: []string{"__complete", "gitops", "rollback", "history", "-n", "flux-system", ""}, Stdout: []string{"apps\n", "flux-system\n"}},
		{Args: []string{"gitops", "rollback", "history", "nope", "-n", "flux-system"}, Code: 3, Stderr: "Kustomization flux-system/nope not found"},
		{Args: []string{"gitops", "rollback", "history", "apps", "-n", "flux-system", "--as", "nobody"}, Code: 5, Stderr: "forbidden"},
	})
}
