package testbed

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// PluginBin returns the folder `make build` puts the plugin binaries in.
func PluginBin() (string, error) {
	root, err := RepoRoot()
	if err != nil {
		return "", err
	}
	bin := filepath.Join(root, "bin")
	for _, p := range []string{"trace", "deps", "rollback", "branch"} {
		if _, err := os.Stat(filepath.Join(bin, "kubectl-gitops-"+p)); err != nil {
			return "", fmt.Errorf("plugin binary kubectl-gitops-%s not found in %s: run 'make build' first", p, bin)
		}
	}
	return bin, nil
}

// Run is the outcome of a command run by Kubectl.
type Run struct {
	Stdout, Stderr string
	Code           int
}

// Kubectl runs the bed's real kubectl with the plugin binaries first on PATH, the way
// a user invokes `kubectl gitops trace …`. kubeconfig may be empty (for --help).
func Kubectl(ctx context.Context, assets Assets, kubeconfig string, args ...string) (Run, error) {
	return KubectlIn(ctx, assets, kubeconfig, "", args...)
}

// KubectlIn is Kubectl run in the folder dir (a clone of the fleet, for --git-dir .).
func KubectlIn(ctx context.Context, assets Assets, kubeconfig, dir string, args ...string) (Run, error) {
	bin, err := PluginBin()
	if err != nil {
		return Run{}, err
	}
	return KubectlWith(ctx, assets, kubeconfig, dir, bin, args...)
}

// KubectlWith is KubectlIn with bin, instead of `make build`'s folder, first on PATH:
// the plugins an install (krew's, the suite alone) put there.
func KubectlWith(ctx context.Context, assets Assets, kubeconfig, dir, bin string, args ...string) (Run, error) {
	cmd := exec.CommandContext(ctx, assets.Bin("kubectl"), args...)
	cmd.Dir = dir
	// HOME holds kubectl's discovery cache, keyed by server address: one per bed, so a
	// later bed on a reused port never sees an earlier bed's API groups.
	home := os.TempDir()
	if kubeconfig != "" {
		home = filepath.Dir(kubeconfig)
	}
	env := []string{"PATH=" + bin + string(os.PathListSeparator) + os.Getenv("PATH"), "HOME=" + home, "NO_COLOR=1"}
	if kubeconfig != "" {
		env = append(env, "KUBECONFIG="+kubeconfig)
	} else {
		env = append(env, "KUBECONFIG="+filepath.Join(os.TempDir(), "gitops-no-such-kubeconfig"))
	}
	cmd.Env = env
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	r := Run{Stdout: stdout.String(), Stderr: stderr.String()}
	var exit *exec.ExitError
	if errors.As(err, &exit) {
		r.Code = exit.ExitCode()
		return r, nil
	}
	return r, err
}

// String summarises a run for test failure messages.
func (r Run) String() string {
	return fmt.Sprintf("exit %d\n--- stdout\n%s--- stderr\n%s", r.Code, r.Stdout, strings.TrimSpace(r.Stderr))
}

// KubectlCase is one run of the real kubectl and what it must print.
type KubectlCase struct {
	Args []string
	// Code is the exit code wanted.
	Code int
	// Stdout lists strings stdout must contain.
	Stdout []string
	// Stderr, when set, must be in the one "error: …" line stderr holds (a usage error
	// may add a "See '… --help' for usage." line); stdout must then be empty, unless
	// Partial.
	Stderr string
	// Partial says stdout holds the answers that succeeded beside the error (several
	// names, one of them missing).
	Partial bool
}

// CheckKubectl runs each case through the real kubectl (kubeconfig may be empty) as a
// subtest and checks its exit code and output; no case may crash.
func CheckKubectl(t *testing.T, ctx context.Context, assets Assets, kubeconfig string, cases []KubectlCase) {
	t.Helper()
	for _, tc := range cases {
		t.Run(strings.Join(tc.Args, " "), func(t *testing.T) {
			run, err := Kubectl(ctx, assets, kubeconfig, tc.Args...)
			if err != nil {
				t.Fatal(err)
			}
			if run.Code != tc.Code {
				t.Errorf("exit code = %d, want %d\n%s", run.Code, tc.Code, run)
			}
			for _, w := range tc.Stdout {
				if !strings.Contains(run.Stdout, w) {
					t.Errorf("stdout lacks %q:\n%s", w, run)
				}
			}
			if tc.Stderr != "" {
				// One error line; a usage error may add kubectl's "See '… --help' for usage." line.
				lines := strings.Split(strings.TrimSpace(run.Stderr), "\n")
				oneLine := len(lines) == 1 || (len(lines) == 2 && strings.HasPrefix(lines[1], "See '") && strings.HasSuffix(lines[1], "--help' for usage."))
				if !strings.HasPrefix(run.Stderr, "error: ") || !strings.Contains(lines[0], tc.Stderr) || !oneLine {
					t.Errorf("stderr = %q, want one 'error: ' line containing %q", run.Stderr, tc.Stderr)
				}
				if run.Stdout != "" && !tc.Partial {
					t.Errorf("stdout = %q, want nothing on an error", run.Stdout)
				}
			}
			if strings.Contains(run.Stderr, "goroutine ") || strings.Contains(run.Stderr, "panic:") {
				t.Errorf("crashed:\n%s", run)
			}
		})
	}
}
