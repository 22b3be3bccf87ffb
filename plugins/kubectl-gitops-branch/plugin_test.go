package main_test

import (
	"context"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/kubectl-gitops/kubectl-gitops/shared/output"
	"github.com/kubectl-gitops/kubectl-gitops/shared/source"
	"github.com/kubectl-gitops/kubectl-gitops/shared/testbed"
)

// TestThroughKubectl runs the built binary through the real kubectl, as a user does.
func TestThroughKubectl(t *testing.T) {
	testbed.CheckPluginBinary(t, "branch", []string{"kubectl gitops branch show flux-system -n flux-system", "--kubeconfig", "Exit codes:"}, []testbed.KubectlCase{
		{Args: []string{"gitops", "branch", "show", "a", "-A"}, Code: 2, Stderr: "name GitRepositories or select them with -l/-A, not both"},
		{Args: []string{"gitops", "branch", "show", "a", "--remote", "--git-dir", "."}, Code: 2, Stderr: "--remote and --git-dir cannot be used together"},
		{Args: []string{"gitops", "branch", "show", ""}, Code: 2, Stderr: "the GitRepository name is empty"},
	})
}

// TestShowOnTheDemoFleet reads the demo fleet's GitRepository, as a typed document and
// through every error path.
func TestShowOnTheDemoFleet(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 4*time.Minute)
	defer cancel()
	bed, fleet := testbed.StartDemo(t, ctx)
	head := "main@sha1:" + fleet.Commit
	testbed.Documents(t, ctx, bed, output.KindSourceRef, func() any { return &source.Document{} }, func(format string, v any) {
		d := v.(*source.Document)
		if d.URL != fleet.Repo.URL || d.Tracks != "branch main" || d.Ref == nil || d.Ref.Value != "main" || d.Revision != head || d.Ready != "True" {
			t.Errorf("-o %s: branch show = %+v", format, d)
		}
		// The three Kustomizations, the chart built from the source, and the release
		// installing it, in the order Flux moves them.
		var kinds []string
		for _, c := range d.Consumers {
			kinds = append(kinds, c.Kind+" "+c.Namespace+"/"+c.Name)
			if !c.Current {
				t.Errorf("-o %s: consumer %s/%s is not current: %+v", format, c.Namespace, c.Name, c)
			}
		}
		want := "Kustomization flux-system/apps,Kustomization flux-system/flux-system,Kustomization flux-system/infrastructure,HelmChart flux-system/shop-web,HelmRelease shop/web"
		if got := strings.Join(kinds, ","); got != want {
			t.Errorf("-o %s: consumers = %s, want %s", format, got, want)
		}
	}, "gitops", "branch", "show", "flux-system", "-n", "flux-system")

	// A clone of the fleet, as a user has one: the branches its remote-tracking refs know.
	clone := filepath.Join(t.TempDir(), "clone")
	if out, err := exec.CommandContext(ctx, "git", "clone", "--quiet", fleet.Repo.URL, clone).CombinedOutput(); err != nil {
		t.Fatalf("git clone: %v\n%s", err, out)
	}
	elsewhere := t.TempDir()
	if out, err := exec.CommandContext(ctx, "git", "init", "--quiet", elsewhere).CombinedOutput(); err != nil {
		t.Fatalf("git init: %v\n%s", err, out)
	}
	testbed.CheckKubectl(t, ctx, bed.Assets, bed.Kubeconfig, []testbed.KubectlCase{
		{Args: []string{"gitops", "branch", "show", "flux-system", "-n", "flux-system"}, Stdout: []string{"Tracks:        branch main", "Revision:      " + head,
			"Consumer:      Kustomization flux-system/apps applied " + head + " (current)", "Consumer:      Kustomization flux-system/flux-system applied",
			"Consumer:      HelmChart flux-system/shop-web built from " + head + " (current)", "Consumer:      HelmRelease shop/web installed chart 0.1.0+" + fleet.Commit[:12] + " (current)"}},
		{Args: []string{"gitops", "branch", "show", "-A"}, Stdout: []string{"GitRepository: flux-system/flux-system"}},
		{Args: []string{"gitops", "branch", "show", "-l", "kustomize.toolkit.fluxcd.io/name=flux-system", "-n", "flux-system"}, Stdout: []string{"GitRepository: flux-system/flux-system"}},
		{Args: []string{"gitops", "branch", "show", "-l", "team=nobody", "-A"}, Code: 3, Stderr: "no GitRepository matches -l team=nobody in any namespace"},
		// One missing name among several: the others are shown, the exit code says not found.
		{Args: []string{"gitops", "branch", "show", "flux-system", "nope", "-n", "flux-system"}, Code: 3, Stdout: []string{"GitRepository: flux-system/flux-system"}, Stderr: "GitRepository flux-system/nope not found", Partial: true},
		{Args: []string{"gitops", "branch", "show", "flux-system", "-n", "flux-system", "--remote"}, Stdout: []string{
			"Branch:        main " + fleet.Commit + " (tracked, declared in Git)", "Branch:        stable-release "}},
		{Args: []string{"gitops", "branch", "show", "flux-system", "-n", "flux-system", "--git-dir", clone}, Stdout: []string{
			"Branch:        main " + fleet.Commit + " (tracked, declared in Git)", "Fetched:       the source's commit is 0 behind the head of main"}},
		{Args: []string{"gitops", "branch", "show", "flux-system", "-n", "flux-system", "--git-dir", elsewhere}, Stdout: []string{
			"Note:          the clone at " + elsewhere + " has no remote"}},
		{Args: []string{"__complete", "gitops", "branch", "show", "-n", "flux-system", ""}, Stdout: []string{"flux-system\n"}},
		{Args: []string{"gitops", "branch", "show", "nope", "-n", "flux-system"}, Code: 3, Stderr: "GitRepository flux-system/nope not found"},
		{Args: []string{"gitops", "branch", "show", "flux-system", "-n", "flux-system", "--as", "nobody"}, Code: 5, Stderr: "forbidden"},
	})
}
