package main_test

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	"github.com/kubectl-gitops/kubectl-gitops/shared/flux"
	"github.com/kubectl-gitops/kubectl-gitops/shared/testbed"
)

// gitRunner runs git for the test (clones of the bed's repositories); a failure ends it.
func gitRunner(ctx context.Context, t *testing.T) func(args ...string) {
	return func(args ...string) {
		t.Helper()
		cmd := exec.CommandContext(ctx, "git", args...)
		cmd.Env = append(os.Environ(), "GIT_TERMINAL_PROMPT=0")
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("git %v: %v\n%s", args, err, out)
		}
	}
}

// kubectlRunner runs the bed's real kubectl, the plugins on PATH, as a user does.
func kubectlRunner(ctx context.Context, t *testing.T, bed *testbed.Bed) func(args ...string) testbed.Run {
	return func(args ...string) testbed.Run {
		t.Helper()
		run, err := testbed.Kubectl(ctx, bed.Assets, bed.Kubeconfig, args...)
		if err != nil {
			t.Fatal(err)
		}
		return run
	}
}

// cloneRepo clones the bed repository at url into a temporary folder and returns it.
func cloneRepo(t *testing.T, git func(args ...string), url string) string {
	dir := filepath.Join(t.TempDir(), "clone")
	git("clone", "--quiet", url, dir)
	return dir
}

// sourceAt has the GitRepository flux-system/fleet fetch sha now, waits until its
// artifact holds it, and fetches it into the clone too.
func sourceAt(ctx context.Context, t *testing.T, bed *testbed.Bed, git func(args ...string), clone, sha string) {
	t.Helper()
	if err := bed.Reconcile(ctx, flux.KindGitRepository, testbed.FluxNamespace, "fleet"); err != nil {
		t.Fatal(err)
	}
	if _, err := bed.WaitSourceRevision(ctx, flux.KindGitRepository, testbed.FluxNamespace, "fleet", sha); err != nil {
		t.Fatal(err)
	}
	git("-C", clone, "fetch", "--quiet")
}
