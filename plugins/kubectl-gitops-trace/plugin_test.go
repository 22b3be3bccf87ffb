package main_test

import (
	"context"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/kubectl-gitops/kubectl-gitops/shared/testbed"
)

// TestKubectlFindsPlugins runs the built binaries through the real kubectl, as a user
// does: `kubectl gitops trace --help` must reach kubectl-gitops-trace on PATH.
func TestKubectlFindsPlugins(t *testing.T) {
	assets, err := testbed.FindAssets()
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	tests := []struct {
		args []string
		want []string
	}{
		{[]string{"gitops", "trace", "--help"}, []string{"kubectl gitops trace deploy/api -n shop", "--kubeconfig", "--context", "--as", "--request-timeout", "-n, --namespace", "Exit codes"}},
		{[]string{"gitops", "rollback", "--help"}, []string{"kubectl gitops rollback history apps -n flux-system", "--kubeconfig"}},
		{[]string{"gitops", "branch", "--help"}, []string{"kubectl gitops branch show flux-system -n flux-system", "--kubeconfig"}},
		{[]string{"plugin", "list"}, []string{"kubectl-gitops-trace", "kubectl-gitops-rollback", "kubectl-gitops-branch"}},
	}
	for _, tt := range tests {
		t.Run(strings.Join(tt.args, " "), func(t *testing.T) {
			run, err := testbed.Kubectl(ctx, assets, "", tt.args...)
			if err != nil {
				t.Fatal(err)
			}
			if run.Code != 0 {
				t.Fatalf("kubectl %v: %s", tt.args, run)
			}
			for _, w := range tt.want {
				if !strings.Contains(run.Stdout, w) {
					t.Errorf("kubectl %v output lacks %q:\n%s", tt.args, w, run.Stdout)
				}
			}
		})
	}
}

// TestKubectlCompletesPluginArgs asks the real kubectl to complete
// `kubectl gitops trace deps --output ` and `kubectl gitops rollback h`: kubectl runs
// kubectl_complete-gitops-* from PATH, which make build links to the plugin binaries.
func TestKubectlCompletesPluginArgs(t *testing.T) {
	assets, err := testbed.FindAssets()
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	tests := []struct {
		args []string
		want []string
	}{
		{[]string{"__complete", "gitops", "trace", "deps", "--output", ""}, []string{"tree", "json", "dot", "mermaid"}},
		{[]string{"__complete", "gitops", "rollback", "h"}, []string{"history"}},
		{[]string{"__complete", "gitops", "trace", "-o", ""}, []string{"json", "yaml"}},
	}
	for _, tt := range tests {
		run, err := testbed.Kubectl(ctx, assets, "", tt.args...)
		if err != nil {
			t.Fatal(err)
		}
		for _, w := range tt.want {
			if !strings.Contains(run.Stdout, w+"\n") && !strings.Contains(run.Stdout, w+"\t") {
				t.Errorf("kubectl %v: completions lack %q\n%s", tt.args, w, run)
			}
		}
	}
}

// TestVersionFromLdflags builds the binary with a version set through -ldflags, as the
// Makefile does, and checks --version prints it.
func TestVersionFromLdflags(t *testing.T) {
	bin := filepath.Join(t.TempDir(), "kubectl-gitops-trace")
	build := exec.Command("go", "build", "-ldflags", "-X main.version=v9.8.7-test", "-o", bin, ".")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	out, err := exec.Command(bin, "--version").CombinedOutput()
	if err != nil {
		t.Fatalf("--version: %v\n%s", err, out)
	}
	if got, want := strings.TrimSpace(string(out)), "kubectl gitops trace v9.8.7-test"; got != want {
		t.Errorf("--version = %q, want %q", got, want)
	}
}

// TestUsageErrors checks bad input gets one line on stderr and the usage exit code.
func TestUsageErrors(t *testing.T) {
	assets, err := testbed.FindAssets()
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	tests := []struct {
		args []string
		want string
	}{
		{[]string{"gitops", "trace"}, "name what to trace"},
		{[]string{"gitops", "trace", "deploy/api", "-o", "xml"}, `unknown output format "xml"`},
		{[]string{"gitops", "trace", "deploy/api", "--no-such-flag"}, "unknown flag: --no-such-flag"},
		{[]string{"gitops", "rollback", "history"}, "accepts 1 arg(s), received 0"},
		{[]string{"gitops", "trace", "deploy/api", "--kubeconfig", "/no/such/kubeconfig"}, "cannot read the kubeconfig"},
		{[]string{"gitops", "trace", "deps", "-o", "png"}, `unknown output format "png"`},
		{[]string{"gitops", "branch", "show", "a", "b"}, "accepts 1 arg(s), received 2"},
	}
	for _, tt := range tests {
		t.Run(strings.Join(tt.args, " "), func(t *testing.T) {
			run, err := testbed.Kubectl(ctx, assets, "", tt.args...)
			if err != nil {
				t.Fatal(err)
			}
			if run.Code != 2 {
				t.Errorf("exit code = %d, want 2 (usage)\n%s", run.Code, run)
			}
			if !strings.HasPrefix(run.Stderr, "error: ") || !strings.Contains(run.Stderr, tt.want) {
				t.Errorf("stderr = %q, want an 'error: ' line containing %q", run.Stderr, tt.want)
			}
			if strings.Contains(run.Stderr, "goroutine ") || run.Stdout != "" {
				t.Errorf("unexpected output: %s", run)
			}
		})
	}
}
