package testbed

import (
	"bytes"
	"context"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes"
)

// FluxNamespace is where Flux's controllers run and write their events.
const FluxNamespace = "flux-system"

// process is one controller started by the bed.
type process struct {
	name    string
	cmd     *exec.Cmd
	logPath string
	done    chan struct{}
}

// startFlux starts source-, kustomize- and helm-controller (and notification-controller
// first, with Options.Notification, so that their events have somewhere to go) and
// waits until each answers its health probe.
func (b *Bed) startFlux(ctx context.Context) error {
	cs, err := kubernetes.NewForConfig(b.Config)
	if err != nil {
		return err
	}
	ns := &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: FluxNamespace}}
	if _, err := cs.CoreV1().Namespaces().Create(ctx, ns, metav1.CreateOptions{}); err != nil {
		return err
	}
	ports, err := freePorts(7)
	if err != nil {
		return err
	}
	addr := func(i int) string { return "127.0.0.1:" + strconv.Itoa(ports[i]) }
	storage := filepath.Join(b.Dir, "source-storage")
	if err := os.MkdirAll(storage, 0o755); err != nil {
		return err
	}
	common := []string{"--enable-leader-election=false", "--requeue-dependency=5s", "--log-level=debug"}
	if b.opts.Notification {
		events, err := b.startNotification(ctx)
		if err != nil {
			return err
		}
		common = append(common, "--events-addr=http://"+events)
	}
	first := len(b.procs)
	specs := []struct {
		name   string
		args   []string
		health string
	}{
		{"source-controller", append([]string{
			"--storage-path=" + storage, "--storage-addr=" + addr(0), "--storage-adv-addr=" + addr(0),
			"--metrics-addr=" + addr(1), "--health-addr=" + addr(2), "--watch-all-namespaces=true",
		}, common...), addr(2)},
		{"kustomize-controller", append([]string{"--metrics-addr=" + addr(3), "--health-addr=" + addr(4)}, common...), addr(4)},
		{"helm-controller", append([]string{"--metrics-addr=" + addr(5), "--health-addr=" + addr(6)}, common...), addr(6)},
	}
	for _, s := range specs {
		p, err := b.startProcess(s.name, s.args)
		if err != nil {
			return err
		}
		b.procs = append(b.procs, p)
	}
	for i, s := range specs {
		if err := waitHealthy(ctx, b.procs[first+i], "http://"+s.health+"/readyz"); err != nil {
			return err
		}
	}
	return nil
}

func (b *Bed) startProcess(name string, args []string) (*process, error) {
	return b.startProcessEnv(name, name, args, b.Kubeconfig)
}

// startProcessEnv starts binary under the log name name, against kubeconfig.
func (b *Bed) startProcessEnv(name, binary string, args []string, kubeconfig string, env ...string) (*process, error) {
	logPath := filepath.Join(b.Dir, name+".log")
	logFile, err := os.Create(logPath)
	if err != nil {
		return nil, err
	}
	cmd := exec.Command(b.Assets.Bin(binary), args...)
	cmd.Env = append(append(os.Environ(), "KUBECONFIG="+kubeconfig, "RUNTIME_NAMESPACE="+FluxNamespace), env...)
	cmd.Stdout, cmd.Stderr = logFile, logFile
	// If the test binary dies (a panic, a -timeout), the controllers die with it.
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL, Setpgid: true}
	if err := cmd.Start(); err != nil {
		logFile.Close()
		return nil, fmt.Errorf("starting %s: %w", name, err)
	}
	p := &process{name: name, cmd: cmd, logPath: logPath, done: make(chan struct{})}
	go func() {
		_ = cmd.Wait()
		logFile.Close()
		close(p.done)
	}()
	return p, nil
}

// stop sends SIGTERM, then SIGKILL after a grace period.
func (p *process) stop() error {
	select {
	case <-p.done:
		return nil
	default:
	}
	_ = p.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-p.done:
	case <-time.After(5 * time.Second):
		_ = syscall.Kill(-p.cmd.Process.Pid, syscall.SIGKILL)
		<-p.done
	}
	return nil
}

func waitHealthy(ctx context.Context, p *process, url string) error {
	ctx, cancel := context.WithTimeout(ctx, 60*time.Second)
	defer cancel()
	for {
		select {
		case <-p.done:
			return fmt.Errorf("%s exited at start:\n%s", p.name, tail(p.logPath, 20))
		default:
		}
		req, _ := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
		if resp, err := http.DefaultClient.Do(req); err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return nil
			}
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("%s not healthy after 60s:\n%s", p.name, tail(p.logPath, 20))
		case <-time.After(200 * time.Millisecond):
		}
	}
}

// Logs returns the last n lines of every controller's log, for a failing test.
func (b *Bed) Logs(n int) string {
	var sb strings.Builder
	for _, p := range b.procs {
		fmt.Fprintf(&sb, "==== %s (last %d lines)\n%s\n", p.name, n, tail(p.logPath, n))
	}
	return sb.String()
}

func tail(path string, n int) string {
	data, err := os.ReadFile(path)
	if err != nil {
		return err.Error()
	}
	lines := bytes.Split(bytes.TrimRight(data, "\n"), []byte("\n"))
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return string(bytes.Join(lines, []byte("\n")))
}

// freePorts reserves n distinct free loopback ports. They are released before the
// controllers bind them; the window is tiny and the bed fails loudly if it is hit.
func freePorts(n int) ([]int, error) {
	var lns []net.Listener
	defer func() {
		for _, l := range lns {
			l.Close()
		}
	}()
	ports := make([]int, 0, n)
	for i := 0; i < n; i++ {
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			return nil, err
		}
		lns = append(lns, l)
		ports = append(ports, l.Addr().(*net.TCPAddr).Port)
	}
	return ports, nil
}
