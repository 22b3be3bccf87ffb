package main_test

import (
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"github.com/kubectl-gitops/kubectl-gitops/shared/testbed"
)

// TestThroughKubectl runs the built binary through the real kubectl, as a user does:
// `kubectl gitops trace` must reach kubectl-gitops-trace on PATH, complete through
// kubectl_complete-gitops-trace, and answer bad input with one error line and exit 2.
func TestThroughKubectl(t *testing.T) {
	fifo := filepath.Join(t.TempDir(), "objects.yaml")
	if err := syscall.Mkfifo(fifo, 0o644); err != nil {
		t.Fatal(err)
	}
	testbed.CheckPluginBinary(t, "trace", []string{"kubectl gitops trace deploy/api -n shop", "--kubeconfig", "--context", "--as", "--request-timeout", "-n, --namespace", "Exit codes:\n  0  success", "  4  the object is not managed by Flux"}, []testbed.KubectlCase{
		{Args: []string{"__complete", "gitops", "trace", "-o", ""}, Stdout: []string{"text\n", "json\n", "yaml\n"}},
		{Args: []string{"gitops", "trace"}, Code: 2, Stderr: "name what to trace"},
		{Args: []string{"gitops", "trace", "deploy/api", "-o", "xml"}, Code: 2, Stderr: `unknown output format "xml"`},
		{Args: []string{"gitops", "trace", "deploy/api", "--no-such-flag"}, Code: 2, Stderr: "unknown flag: --no-such-flag"},
		{Args: []string{"gitops", "trace", "deploy/api", "--kubeconfig", "/no/such/kubeconfig"}, Code: 2, Stderr: "cannot read the kubeconfig"},
		{Args: []string{"gitops", "trace", "cm", "-A", "-n", "shop"}, Code: 2, Stderr: "--all-namespaces and --namespace cannot be used together"},
		{Args: []string{"gitops", "trace", "-f", "/dev/zero"}, Code: 2, Stderr: "-f /dev/zero: not a regular file"},
		{Args: []string{"gitops", "trace", "-f", fifo}, Code: 2, Stderr: "not a regular file"},
		{Args: []string{"gitops", "trace", "deploy/api", "--git-dir", "/no/such/clone"}, Code: 2, Stderr: "--git-dir /no/such/clone does not exist: give the path of a local clone"},
	})
}

// TestVersionFromLdflags builds the binary with a version set through -ldflags, as the
// Makefile does, and checks --version prints it.
func TestVersionFromLdflags(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary")
	}
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
