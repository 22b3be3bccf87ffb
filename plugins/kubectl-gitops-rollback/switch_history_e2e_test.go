package main_test

import (
	"context"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/kubectl-gitops/kubectl-gitops/shared/branch"
	"github.com/kubectl-gitops/kubectl-gitops/shared/exitcode"
	"github.com/kubectl-gitops/kubectl-gitops/shared/output"
	"github.com/kubectl-gitops/kubectl-gitops/shared/output/outputtest"
	"github.com/kubectl-gitops/kubectl-gitops/shared/rollback"
	"github.com/kubectl-gitops/kubectl-gitops/shared/testbed"
)

// TestBackAfterSwitch is the on-call sequence where "back" used to jump: two releases
// on main, `branch set` to another branch and `branch restore`, after which Flux's
// status.history has the other branch's commit between the two and main's head moved
// to its top. One step back, and the last good revision, are still the release before
// main's head, with and without a clone; never the other branch's commit. Without a
// clone, when the bed applied both within one second, the suite refuses instead.
func TestBackAfterSwitch(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 6*time.Minute)
	defer cancel()
	bed := testbed.Start(t, testbed.Options{Flux: true})
	repo, err := bed.Git.CreateRepo(ctx, "fleet")
	if err != nil {
		t.Fatal(err)
	}
	bootstrap := testbed.BootstrapYAML(repo.URL, "./clusters/test")
	files := func(from string) map[string]string {
		return map[string]string{
			"clusters/test/flux-system/gotk-sync.yaml": bootstrap,
			"clusters/test/apps.yaml":                  testbed.KustomizationYAML(testbed.Kustomization{Namespace: testbed.FluxNamespace, Name: "apps", Path: "./apps", Source: "flux-system"}),
			"apps/config.yaml":                         testbed.ConfigMapYAML("default", "release", "from", from),
		}
	}
	c1, err := repo.Commit(ctx, "release 1", files("v1"))
	if err != nil {
		t.Fatal(err)
	}
	if err := bed.Apply(ctx, bootstrap); err != nil {
		t.Fatal(err)
	}
	for _, ks := range []string{"flux-system", "apps"} {
		if _, err := bed.WaitApplied(ctx, testbed.FluxNamespace, ks, c1); err != nil {
			t.Fatal(err)
		}
	}
	c2, err := repo.Commit(ctx, "release 2", files("v2"))
	if err != nil {
		t.Fatal(err)
	}
	if err := repo.Checkout(ctx, "hotfix"); err != nil {
		t.Fatal(err)
	}
	other, err := repo.Commit(ctx, "hotfix", files("hotfix"))
	if err != nil {
		t.Fatal(err)
	}
	kubectl := func(args ...string) testbed.Run {
		t.Helper()
		run, err := testbed.Kubectl(ctx, bed.Assets, bed.Kubeconfig, append([]string{"gitops"}, args...)...)
		if err != nil {
			t.Fatal(err)
		}
		return run
	}
	// main's second release applies, then the switch and the restore, each waited for.
	if err := bed.Reconcile(ctx, "GitRepository", testbed.FluxNamespace, "flux-system"); err != nil {
		t.Fatal(err)
	}
	if _, err := bed.WaitApplied(ctx, testbed.FluxNamespace, "apps", c2); err != nil {
		t.Fatal(err)
	}
	for _, args := range [][]string{
		{"branch", "set", "flux-system", "hotfix", "-n", "flux-system", "--yes"},
		{"branch", "restore", "flux-system", "-n", "flux-system", "--yes"},
	} {
		if run := kubectl(args...); run.Code != 0 {
			t.Fatalf("%v:\n%s", args, run)
		}
	}
	clone := filepath.Join(t.TempDir(), "clone")
	if out, err := exec.CommandContext(ctx, "git", "clone", "--quiet", repo.URL, clone).CombinedOutput(); err != nil {
		t.Fatalf("git clone: %v\n%s", err, out)
	}
	for _, kv := range [][2]string{{"user.name", "On Call"}, {"user.email", "oncall@example.com"}} {
		if out, err := exec.CommandContext(ctx, "git", "-C", clone, "config", kv[0], kv[1]).CombinedOutput(); err != nil {
			t.Fatalf("git config: %v\n%s", err, out)
		}
	}

	for _, gitDir := range []string{"", clone} {
		for _, choice := range [][]string{{"--steps", "1"}, {"--to-last-good"}} {
			args := append([]string{"rollback", "pin", "apps", "-n", "flux-system", "--dry-run", "-o", "json"}, choice...)
			if gitDir != "" {
				args = append(args, "--git-dir", gitDir)
			}
			run := kubectl(args...)
			if gitDir == "" && run.Code == int(exitcode.Usage) && strings.Contains(run.Stderr, "same second") {
				// The bed applied main's release and the hotfix within one second: Flux's
				// times cannot order them, and without a clone the suite refuses rather
				// than guess (with the clone, below, Git orders them).
				t.Logf("%v: refused, the switch and the restore applied within one second:\n%s", args, run.Stderr)
				continue
			}
			var res branch.Result
			if err := outputtest.Decode(output.FormatJSON, []byte(run.Stdout), output.KindBranchSwitch, func() any { return &branch.Result{} }, func(d any) { res = *d.(*branch.Result) }); err != nil || run.Code != 0 {
				t.Fatalf("%v: %v\n%s", args, err, run)
			}
			if res.Plan == nil || res.Plan.Target == nil || res.Plan.Target.SHA != c1 {
				t.Errorf("%v targets %+v; want release 1 (%s), not the hotfix (%s)", args, res.Plan, c1, other)
			}
			if gitDir != "" && (res.Plan == nil || len(res.Plan.Undoes) != 1 || res.Plan.Undoes[0].Subject != "release 2") {
				t.Errorf("%v: the plan does not name release 2 as undone: %+v", args, res.Plan)
			}
		}
	}
	run := kubectl("rollback", "revert", "apps", "-n", "flux-system", "--steps", "1", "--git-dir", clone, "--dry-run", "-o", "json")
	var rev rollback.RevertResult
	if err := outputtest.Decode(output.FormatJSON, []byte(run.Stdout), output.KindRevert, func() any { return &rollback.RevertResult{} }, func(d any) { rev = *d.(*rollback.RevertResult) }); err != nil || run.Code != 0 {
		t.Fatalf("%v\n%s", err, run)
	}
	if rev.Target != c1 || rev.Plan == nil || len(rev.Plan.Undoes) != 1 || rev.Plan.Undoes[0].SHA != c2 {
		t.Errorf("revert --steps 1 after a switch: target %s, plan %+v; want %s undoing %s", rev.Target, rev.Plan, c1, c2)
	}
	table := kubectl("rollback", "history", "apps", "-n", "flux-system", "--git-dir", clone)
	if lines := strings.Split(strings.TrimSpace(table.Stdout), "\n"); len(lines) < 4 || !strings.Contains(lines[1], c2) && !strings.Contains(lines[1], other) {
		t.Errorf("history:\n%s", table)
	}
}
