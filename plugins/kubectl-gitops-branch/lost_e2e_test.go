package main_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"

	"github.com/kubectl-gitops/kubectl-gitops/shared/flux"
	"github.com/kubectl-gitops/kubectl-gitops/shared/testbed"
)

// TestServerGoneMidWait cuts the API server away from `branch set` while it waits for
// a consumer: the command must end soon after, with one line that says the switch was
// written and how to put it back, and that command must work once the server is back.
func TestServerGoneMidWait(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 4*time.Minute)
	defer cancel()
	bed, _ := testbed.StartDemo(t, ctx)
	// A consumer of the source that waits for a dependency that does not exist: the
	// wait for it lasts until --timeout, and the server can be cut during it. It is
	// made here, not in Git, so that the root's reconcile leaves it alone.
	blocked := testbed.KustomizationYAML(testbed.Kustomization{
		Namespace: testbed.FluxNamespace, Name: "blocked", Path: "./apps", Source: "flux-system", DependsOn: []string{"not-there"},
	})
	if err := bed.Apply(ctx, blocked); err != nil {
		t.Fatal(err)
	}
	proxy, err := bed.Proxy()
	if err != nil {
		t.Fatal(err)
	}
	defer proxy.Close()
	done := make(chan testbed.Run, 1)
	go func() {
		run, err := testbed.Kubectl(ctx, bed.Assets, proxy.Kubeconfig, "gitops", "branch", "set", "flux-system", "stable-release", "-n", testbed.FluxNamespace, "--yes", "--timeout", "3m")
		if err != nil {
			run.Stderr += err.Error()
		}
		done <- run
	}()
	// The command asks every consumer up front and then waits in turn: once blocked
	// handled its request, the command is in its waits, and blocked never ends them.
	if _, err := bed.WaitFor(ctx, 2*time.Minute, flux.KindKustomization, testbed.FluxNamespace, "blocked", func(u *unstructured.Unstructured) bool {
		token, _, _ := unstructured.NestedString(u.Object, "status", "lastHandledReconcileAt")
		return token != ""
	}); err != nil {
		t.Fatal(err)
	}
	cut := time.Now()
	proxy.Close()
	var run testbed.Run
	select {
	case run = <-done:
	case <-ctx.Done():
		t.Fatal("branch set did not end after the API server went away")
	}
	if took := time.Since(cut); took > 30*time.Second {
		t.Errorf("branch set ended %s after the server went away, want well under the 3m timeout", took)
	}
	lines := strings.Split(strings.TrimSpace(run.Stderr), "\n")
	if run.Code != 1 || len(lines) != 1 || !strings.HasPrefix(lines[0], "error: lost the Kubernetes API server while waiting for ") ||
		!strings.Contains(lines[0], "the change was written; 'kubectl gitops branch restore flux-system -n flux-system' puts it back") {
		t.Errorf("want exit 1 and one line saying the switch was written and how to restore:\n%s", run)
	}
	// The server is back (the proxy was all that went): the named command restores.
	if err := bed.Delete(ctx, blocked); err != nil {
		t.Fatal(err)
	}
	restore, err := testbed.Kubectl(ctx, bed.Assets, bed.Kubeconfig, "gitops", "branch", "restore", "flux-system", "-n", testbed.FluxNamespace, "--yes")
	if err != nil || restore.Code != 0 || !strings.Contains(restore.Stdout, "restored: branch stable-release -> branch main") {
		t.Errorf("restore after the lost wait: %v\n%s", err, restore)
	}
}
