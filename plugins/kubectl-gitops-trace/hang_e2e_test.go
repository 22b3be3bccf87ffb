package main_test

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
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
		t.Run(strings.Join(args, " ")+" rejects bad client flags", func(t *testing.T) {
			for _, flags := range []struct {
				args []string
				code int
				want string
			}{
				{[]string{"--context", "nope"}, 2, "nope"},
				{[]string{"--request-timeout", "banana"}, 2, "Invalid timeout value"},
				{[]string{"--request-timeout", "1ms"}, 1, "cannot reach the Kubernetes API server"},
			} {
				code, stderr := runPlugin(t, filepath.Join(bin, name), append(append(args[1:], "--kubeconfig", kubeconfig), flags.args...), 0)
				if code != flags.code || !strings.HasPrefix(stderr, "error: ") || !strings.Contains(stderr, flags.want) {
					t.Errorf("%v: exit %d, stderr %q; want %d with %q", flags.args, code, stderr, flags.code, flags.want)
				}
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

// TestFileWithServerGone: -f naming objects on a server that never answers is an
// unreachable server (exit 1), not a usage error.
func TestFileWithServerGone(t *testing.T) {
	testbed.NeedAssets(t)
	bin, err := testbed.PluginBin()
	if err != nil {
		t.Fatal(err)
	}
	kubeconfig := silentServer(t)
	file := filepath.Join(t.TempDir(), "objects.yaml")
	if err := os.WriteFile(file, []byte(testbed.ConfigMapYAML("shop", "a", "k", "v")), 0o644); err != nil {
		t.Fatal(err)
	}
	code, stderr := runPlugin(t, filepath.Join(bin, "kubectl-gitops-trace"), []string{"-f", file, "--kubeconfig", kubeconfig, "--request-timeout", "1s"}, 0)
	if code != 1 || !strings.Contains(stderr, "cannot reach the Kubernetes API server") {
		t.Errorf("exit %d, stderr %q; want 1, cannot reach", code, stderr)
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

// freezingProxy forwards loopback TCP to target slowly, and after freeze is called
// keeps every connection open but forwards nothing more: an API server that hangs in
// the middle of a command.
type freezingProxy struct {
	addr   string
	frozen chan struct{}
}

func startFreezingProxy(t *testing.T, target string) *freezingProxy {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	p := &freezingProxy{addr: l.Addr().String(), frozen: make(chan struct{})}
	var mu sync.Mutex
	var conns []net.Conn
	pipe := func(dst, src net.Conn) {
		buf := make([]byte, 32<<10)
		for {
			n, err := src.Read(buf)
			select {
			case <-p.frozen:
				return // hold the connection, forward nothing
			case <-time.After(20 * time.Millisecond):
			}
			if n > 0 {
				if _, werr := dst.Write(buf[:n]); werr != nil {
					return
				}
			}
			if err != nil {
				return
			}
		}
	}
	go func() {
		for {
			c, err := l.Accept()
			if err != nil {
				return
			}
			up, err := net.Dial("tcp", target)
			if err != nil {
				_ = c.Close()
				continue
			}
			mu.Lock()
			conns = append(conns, c, up)
			mu.Unlock()
			go pipe(up, c)
			go pipe(c, up)
		}
	}()
	t.Cleanup(func() {
		_ = l.Close()
		mu.Lock()
		defer mu.Unlock()
		for _, c := range conns {
			_ = c.Close()
		}
	})
	return p
}

// TestServerFreezesMidway: the API server stops answering while trace reads thirty
// named objects one GET at a time. The command stops at the first request that timed
// out (one request timeout), not after a timeout per remaining name.
func TestServerFreezesMidway(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	bed := testbed.Start(t, testbed.Options{})
	manifests := "apiVersion: v1\nkind: Namespace\nmetadata:\n  name: midway\n"
	args := []string{"cm"}
	for i := 0; i < 30; i++ {
		manifests += "---\n" + testbed.ConfigMapYAML("midway", fmt.Sprintf("cm-%02d", i), "k", "v")
		args = append(args, fmt.Sprintf("cm-%02d", i))
	}
	if err := bed.Apply(ctx, manifests); err != nil {
		t.Fatal(err)
	}
	u, err := url.Parse(bed.Config.Host)
	if err != nil {
		t.Fatal(err)
	}
	proxy := startFreezingProxy(t, u.Host)
	raw, err := os.ReadFile(bed.Kubeconfig)
	if err != nil {
		t.Fatal(err)
	}
	kubeconfig := filepath.Join(t.TempDir(), "kubeconfig")
	if err := os.WriteFile(kubeconfig, []byte(strings.ReplaceAll(string(raw), u.Host, proxy.addr)), 0o600); err != nil {
		t.Fatal(err)
	}
	bin, err := testbed.PluginBin()
	if err != nil {
		t.Fatal(err)
	}
	time.AfterFunc(2*time.Second, func() { close(proxy.frozen) })
	start := time.Now()
	code, stderr := runPlugin(t, filepath.Join(bin, "kubectl-gitops-trace"), append(args, "-n", "midway", "--kubeconfig", kubeconfig, "--request-timeout", "3s"), 0)
	elapsed := time.Since(start)
	if code != 1 || !strings.Contains(stderr, "cannot reach the Kubernetes API server") {
		t.Errorf("exit %d, stderr %q; want 1, cannot reach", code, stderr)
	}
	if elapsed > 15*time.Second {
		t.Errorf("took %s: it waited for more than one request timeout after the freeze", elapsed)
	}
	t.Logf("stopped %s after start (frozen at 2 s, request timeout 3 s)", elapsed.Round(100*time.Millisecond))

	// The same server, credentials it rejects: exit 5 with what to do, not a bare
	// "Unauthorized".
	badToken := filepath.Join(t.TempDir(), "kubeconfig")
	cfg := fmt.Sprintf(`apiVersion: v1
kind: Config
clusters: [{name: c, cluster: {server: %q, insecure-skip-tls-verify: true}}]
users: [{name: u, user: {token: not-a-valid-token}}]
contexts: [{name: c, context: {cluster: c, user: u}}]
current-context: c
`, bed.Config.Host)
	if err := os.WriteFile(badToken, []byte(cfg), 0o600); err != nil {
		t.Fatal(err)
	}
	for _, cmd := range [][]string{{"trace", "cm/cm-00", "-n", "midway"}, {"deps", "-A"}, {"rollback", "history", "apps"}, {"branch", "show", "x"}} {
		code, stderr := runPlugin(t, filepath.Join(bin, "kubectl-gitops-"+cmd[0]), append(cmd[1:], "--kubeconfig", badToken), 0)
		if code != 5 || !strings.Contains(stderr, "rejected your credentials") || !strings.Contains(stderr, "log in again") || strings.Count(stderr, "\n") != 1 {
			t.Errorf("%v with a bad token: exit %d, stderr %q", cmd, code, stderr)
		}
	}
}
