package main_test

import (
	"context"
	"testing"
	"time"

	"github.com/kubectl-gitops/kubectl-gitops/shared/output"
	"github.com/kubectl-gitops/kubectl-gitops/shared/source"
	"github.com/kubectl-gitops/kubectl-gitops/shared/testbed"
)

// TestThroughKubectl runs the built binary through the real kubectl, as a user does.
func TestThroughKubectl(t *testing.T) {
	assets := testbed.NeedAssets(t)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	testbed.CheckKubectl(t, ctx, assets, "", []testbed.KubectlCase{
		{Args: []string{"gitops", "branch", "--help"}, Stdout: []string{"kubectl gitops branch show flux-system -n flux-system", "--kubeconfig", "Exit codes:"}},
		{Args: []string{"plugin", "list"}, Stdout: []string{"kubectl-gitops-branch"}},
		{Args: []string{"gitops", "branch", "show", "a", "b"}, Code: 2, Stderr: "accepts 1 arg(s), received 2"},
		{Args: []string{"gitops", "branch", "show", ""}, Code: 2, Stderr: "the GitRepository name is empty"},
	})
}

// TestShowOnTheDemoFleet reads the demo fleet's GitRepository, as a typed document and
// through every error path.
func TestShowOnTheDemoFleet(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 4*time.Minute)
	defer cancel()
	bed, fleet := testbed.StartDemo(t, ctx)
	testbed.Documents(t, ctx, bed, output.KindSourceRef, func() any { return &source.Document{} }, func(format string, v any) {
		d := v.(*source.Document)
		if d.URL != fleet.Repo.URL || d.Tracks != "branch main" || d.Ref == nil || d.Ref.Value != "main" || d.Revision != "main@sha1:"+fleet.Commit || d.Ready != "True" || len(d.Consumers) != 3 {
			t.Errorf("-o %s: branch show = %+v", format, d)
		}
	}, "gitops", "branch", "show", "flux-system", "-n", "flux-system")
	testbed.CheckKubectl(t, ctx, bed.Assets, bed.Kubeconfig, []testbed.KubectlCase{
		{Args: []string{"gitops", "branch", "show", "flux-system", "-n", "flux-system"}, Stdout: []string{"Tracks:        branch main", "Revision:      main@sha1:" + fleet.Commit,
			"Consumer:      Kustomization flux-system/apps applied main@sha1:" + fleet.Commit + " (current)", "Consumer:      Kustomization flux-system/flux-system applied"}},
		{Args: []string{"__complete", "gitops", "branch", "show", "-n", "flux-system", ""}, Stdout: []string{"flux-system\n"}},
		{Args: []string{"gitops", "branch", "show", "nope", "-n", "flux-system"}, Code: 3, Stderr: "GitRepository flux-system/nope not found"},
		{Args: []string{"gitops", "branch", "show", "flux-system", "-n", "flux-system", "--as", "nobody"}, Code: 5, Stderr: "forbidden"},
	})
}
