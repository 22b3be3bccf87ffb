package main

import (
	"bufio"
	"context"
	"errors"
	"os/exec"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/kubectl-gitops/kubectl-gitops/shared/testbed"
)

// TestMakeDemoInterrupted: Ctrl-C on `make demo` (SIGINT to the whole foreground
// process group, as a terminal sends it) stops and cleans up, and make reports no
// error: the demo exits 0 after a clean shutdown, and it is not run through `go run`,
// which exits 1 whenever it is interrupted.
func TestMakeDemoInterrupted(t *testing.T) {
	testbed.NeedAssets(t)
	root, err := testbed.RepoRoot()
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, "make", "--no-print-directory", "demo")
	cmd.Dir = root
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	stderr, err := cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	var lines []string
	sc := bufio.NewScanner(stderr)
	for sc.Scan() {
		lines = append(lines, sc.Text())
		if strings.HasPrefix(sc.Text(), "demo: starting") {
			// Interrupted while starting: the control plane is coming up.
			time.Sleep(3 * time.Second)
			if err := syscall.Kill(-cmd.Process.Pid, syscall.SIGINT); err != nil {
				t.Fatal(err)
			}
		}
	}
	err = cmd.Wait()
	out := strings.Join(lines, "\n")
	// make itself got the SIGINT too and, its recipe done, ends by it, silently (as
	// after any Ctrl-C); what must not be is a recipe that failed.
	var exit *exec.ExitError
	byInterrupt := errors.As(err, &exit) && exit.Sys().(syscall.WaitStatus).Signal() == syscall.SIGINT
	if (err != nil && !byInterrupt) || strings.Contains(out, "make: ***") || !strings.Contains(out, "demo: interrupted while starting; stopped") {
		t.Errorf("make demo interrupted: %v\n%s", err, out)
	}
}
