package main_test

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/kubectl-gitops/kubectl-gitops/shared/testbed"
)

// silentServer accepts TLS connections on loopback and never answers: a frozen API
// server, or a proxy that swallows requests.
func silentServer(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	var conns []net.Conn
	done := make(chan struct{})
	go func() {
		for {
			c, err := l.Accept()
			if err != nil {
				close(done)
				return
			}
			conns = append(conns, c) // held open, never read or written
		}
	}()
	t.Cleanup(func() {
		_ = l.Close()
		<-done
		for _, c := range conns {
			_ = c.Close()
		}
	})
	kubeconfig := filepath.Join(t.TempDir(), "kubeconfig")
	cfg := fmt.Sprintf(`apiVersion: v1
kind: Config
clusters: [{name: frozen, cluster: {server: "https://%s", insecure-skip-tls-verify: true}}]
users: [{name: u, user: {token: t0ken}}]
contexts: [{name: frozen, context: {cluster: frozen, user: u}}]
current-context: frozen
`, l.Addr())
	if err := os.WriteFile(kubeconfig, []byte(cfg), 0o600); err != nil {
		t.Fatal(err)
	}
	return kubeconfig
}

// TestFrozenServer: every command gives up on a server that never answers after its
// request timeout, with the "cannot reach" error and exit 1, and stops within a second
// of Ctrl-C or SIGTERM even with no timeout at all.
func TestFrozenServer(t *testing.T) {
	testbed.NeedAssets(t)
	bin, err := testbed.PluginBin()
	if err != nil {
		t.Fatal(err)
	}
	kubeconfig := silentServer(t)
	for _, args := range [][]string{
		{"trace", "deploy/api", "-n", "shop"},
		{"deps", "-A"},
		{"rollback", "history", "apps", "-n", "flux-system"},
		{"branch", "show", "flux-system", "-n", "flux-system"},
	} {
		name := "kubectl-gitops-" + args[0]
		t.Run(strings.Join(args, " ")+" times out", func(t *testing.T) {
			start := time.Now()
			code, stderr := runPlugin(t, filepath.Join(bin, name), append(args[1:], "--kubeconfig", kubeconfig, "--request-timeout", "1s"), 0)
			if code != 1 || !strings.HasPrefix(stderr, "error: cannot reach the Kubernetes API server") || strings.Count(stderr, "\n") != 1 {
				t.Errorf("exit %d, stderr %q; want 1 and one 'cannot reach' line", code, stderr)
			}
			if d := time.Since(start); d > 15*time.Second {
				t.Errorf("took %s with a 1 s request timeout", d)
			}
		})
		for _, sig := range []syscall.Signal{syscall.SIGINT, syscall.SIGTERM} {
			t.Run(strings.Join(args, " ")+" stops on "+sig.String(), func(t *testing.T) {
				code, stderr := runPlugin(t, filepath.Join(bin, name), append(args[1:], "--kubeconfig", kubeconfig, "--request-timeout", "0"), sig)
				if code != 1 || !strings.Contains(stderr, "interrupted") {
					t.Errorf("exit %d, stderr %q; want 1, interrupted", code, stderr)
				}
			})
		}
	}
}

// runPlugin runs a plugin binary; with sig set it sends sig after a second and fails
// the test unless the process ends within a second of it.
func runPlugin(t *testing.T, bin string, args []string, sig syscall.Signal) (int, string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, bin, args...)
	cmd.Env = append(os.Environ(), "HOME="+t.TempDir())
	var stderr strings.Builder
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	var err error
	if sig != 0 {
		select {
		case err = <-done:
			t.Fatalf("ended before the signal: %v %s", err, stderr.String())
		case <-time.After(time.Second):
		}
		_ = cmd.Process.Signal(sig)
		select {
		case err = <-done:
		case <-time.After(time.Second):
			_ = cmd.Process.Kill()
			<-done
			t.Fatalf("still running a second after %s", sig)
		}
	} else {
		err = <-done
	}
	var exit *exec.ExitError
	if errors.As(err, &exit) {
		return exit.ExitCode(), stderr.String()
	}
	if err != nil {
		t.Fatal(err)
	}
	return 0, stderr.String()
}

// TestUnknownAuthority: a server whose certificate no CA of the kubeconfig signed is an
// unreachable server for every command (exit 1, the "cannot reach" hint), not a usage
// error or a bare TLS message.
func TestUnknownAuthority(t *testing.T) {
	testbed.NeedAssets(t)
	bin, err := testbed.PluginBin()
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewTLSServer(http.NotFoundHandler())
	t.Cleanup(srv.Close)
	kubeconfig := filepath.Join(t.TempDir(), "kubeconfig")
	cfg := fmt.Sprintf(`apiVersion: v1
kind: Config
clusters: [{name: c, cluster: {server: %q}}]
users: [{name: u, user: {token: t0ken}}]
contexts: [{name: c, context: {cluster: c, user: u}}]
current-context: c
`, srv.URL)
	if err := os.WriteFile(kubeconfig, []byte(cfg), 0o600); err != nil {
		t.Fatal(err)
	}
	for _, args := range [][]string{
		{"trace", "deploy/api", "-n", "shop"},
		{"deps", "-A"},
		{"rollback", "history", "apps"},
		{"branch", "show", "flux-system"},
	} {
		code, stderr := runPlugin(t, filepath.Join(bin, "kubectl-gitops-"+args[0]), append(args[1:], "--kubeconfig", kubeconfig), 0)
		if code != 1 || !strings.HasPrefix(stderr, "error: cannot reach the Kubernetes API server") || !strings.Contains(stderr, "certificate") || strings.Count(stderr, "\n") != 1 {
			t.Errorf("%v: exit %d, stderr %q; want 1 and one 'cannot reach' line naming the certificate", args, code, stderr)
		}
	}
}
