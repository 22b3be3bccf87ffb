package main_test

import (
	"bytes"
	"context"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"

	"github.com/kubectl-gitops/kubectl-gitops/shared/flux"
	"github.com/kubectl-gitops/kubectl-gitops/shared/testbed"
)

// slowKustomizationYAML is a Kustomization that waits for what it applies to become
// healthy: a Deployment on a bed without kubelet never does, so the apply sits in
// Flux's health check for its whole timeout, the way a slow rollout does.
func slowKustomizationYAML(name, path string, suspend bool) string {
	return `apiVersion: kustomize.toolkit.fluxcd.io/v1
kind: Kustomization
metadata:
  name: ` + name + `
  namespace: flux-system
spec:
  interval: 1m
  retryInterval: 5s
  timeout: 5m
  wait: true
  prune: true
  suspend: ` + map[bool]string{true: "true", false: "false"}[suspend] + `
  path: ` + path + `
  sourceRef:
    kind: GitRepository
    name: fleet
`
}

const deploymentYAML = `apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  namespace: default
spec:
  replicas: 1
  selector:
    matchLabels: {app: web}
  template:
    metadata:
      labels: {app: web}
    spec:
      containers:
        - name: web
          image: registry.invalid/web:1
`

// TestInterruptedWaits stops `branch set` and `rollback resume` with Ctrl-C while Flux
// is still applying: each ends at once with exit 1 and one interrupted outcome (never
// "timed out", never a Failed consumer beside it), says the change was written and
// prints the undo.
func TestInterruptedWaits(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	bed := testbed.Start(t, testbed.Options{Flux: true})
	repo, err := bed.Git.CreateRepo(ctx, "fleet")
	if err != nil {
		t.Fatal(err)
	}
	mainSHA, err := repo.Commit(ctx, "first", map[string]string{
		"apps/config.yaml": testbed.ConfigMapYAML("default", "release", "from", "main"),
		"slow/deploy.yaml": deploymentYAML,
	})
	if err != nil {
		t.Fatal(err)
	}
	if err := repo.Checkout(ctx, "slow"); err != nil {
		t.Fatal(err)
	}
	if _, err := repo.Commit(ctx, "a slow rollout", map[string]string{
		"apps/config.yaml": testbed.ConfigMapYAML("default", "release", "from", "slow"),
		"apps/deploy.yaml": deploymentYAML,
	}); err != nil {
		t.Fatal(err)
	}
	if err := bed.Apply(ctx, testbed.GitRepositoryYAML(testbed.FluxNamespace, "fleet", repo.URL, "main")+"---\n"+
		slowKustomizationYAML("apps", "./apps", false)+"---\n"+slowKustomizationYAML("slow", "./slow", true)); err != nil {
		t.Fatal(err)
	}
	if _, err := bed.WaitApplied(ctx, testbed.FluxNamespace, "apps", mainSHA); err != nil {
		t.Fatal(err)
	}
	bin, err := testbed.PluginBin()
	if err != nil {
		t.Fatal(err)
	}

	cases := []struct {
		name string
		args []string
		// busy says Flux is at work on what the command waits for: the moment to stop it.
		busy          func() bool
		stderr, undo  string
		interruptedAt string
	}{
		{
			name: "branch set",
			args: []string{"gitops", "branch", "set", "fleet", "slow", "-n", "flux-system", "--yes"},
			busy: func() bool {
				u, err := bed.Get(ctx, flux.KindKustomization, testbed.FluxNamespace, "apps")
				rev, _, _ := unstructured.NestedString(u.Object, "status", "lastAttemptedRevision")
				return err == nil && strings.HasPrefix(rev, "slow@")
			},
			stderr:        "error: interrupted while waiting for Kustomization flux-system/apps",
			undo:          "kubectl gitops branch restore fleet -n flux-system",
			interruptedAt: "Consumer:   Kustomization flux-system/apps Interrupted",
		},
		{
			name: "rollback resume",
			args: []string{"gitops", "rollback", "resume", "slow", "-n", "flux-system", "--yes"},
			busy: func() bool {
				u, err := bed.Get(ctx, flux.KindKustomization, testbed.FluxNamespace, "slow")
				suspended, _, _ := unstructured.NestedBool(u.Object, "spec", "suspend")
				return err == nil && !suspended
			},
			stderr: "error: interrupted while waiting for Kustomization flux-system/slow",
			undo:   "kubectl gitops rollback suspend kustomization/slow -n flux-system --reason",
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			code, stdout, stderr := interrupt(t, ctx, bed, bin, tc.args, tc.busy)
			if code != 1 || !strings.HasPrefix(stderr, tc.stderr) || strings.Contains(stderr+stdout, "timed out") || strings.Contains(stdout, "Failed") {
				t.Errorf("exit %d; want 1, %q and no timeout or failure\n--- stdout\n%s--- stderr\n%s", code, tc.stderr, stdout, stderr)
			}
			if !strings.Contains(stderr, "(the change was written; '"+tc.undo) && !strings.Contains(stderr, "(it is resumed; Flux goes on retrying)") {
				t.Errorf("stderr does not say the change was written:\n%s", stderr)
			}
			if !strings.Contains(strings.ToLower(stdout), "undo:") || !strings.Contains(stdout, tc.undo) {
				t.Errorf("stdout does not print the undo %q:\n%s", tc.undo, stdout)
			}
			if tc.interruptedAt != "" && !strings.Contains(stdout, tc.interruptedAt) {
				t.Errorf("stdout lacks %q:\n%s", tc.interruptedAt, stdout)
			}
		})
	}
}

// interrupt runs the real kubectl with args, sends it SIGINT once busy says Flux is at
// work (and a second more), and returns how it ended; it fails the test unless the
// command ends within five seconds of the signal.
func interrupt(t *testing.T, ctx context.Context, bed *testbed.Bed, bin string, args []string, busy func() bool) (int, string, string) {
	t.Helper()
	cmd := exec.CommandContext(ctx, bed.Assets.Bin("kubectl"), args...)
	cmd.Env = []string{"PATH=" + bin + string(os.PathListSeparator) + os.Getenv("PATH"), "HOME=" + filepath.Dir(bed.Kubeconfig), "KUBECONFIG=" + bed.Kubeconfig, "NO_COLOR=1"}
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	deadline := time.Now().Add(2 * time.Minute)
	for !busy() {
		select {
		case err := <-done:
			t.Fatalf("ended before Flux was at work: %v\n%s%s", err, stdout.String(), stderr.String())
		case <-time.After(200 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			t.Fatalf("Flux never started on it")
		}
	}
	time.Sleep(time.Second)
	// kubectl execs the plugin in its own process: the signal reaches the plugin.
	if err := cmd.Process.Signal(syscall.SIGINT); err != nil {
		t.Fatal(err)
	}
	var err error
	select {
	case err = <-done:
	case <-time.After(5 * time.Second):
		_ = cmd.Process.Kill()
		<-done
		t.Fatalf("still running five seconds after SIGINT\n%s%s", stdout.String(), stderr.String())
	}
	var exit *exec.ExitError
	if errors.As(err, &exit) {
		return exit.ExitCode(), stdout.String(), stderr.String()
	}
	if err != nil {
		t.Fatal(err)
	}
	return 0, stdout.String(), stderr.String()
}
