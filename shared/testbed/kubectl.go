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
)

// PluginBin returns the folder `make build` puts the plugin binaries in.
func PluginBin() (string, error) {
	root, err := RepoRoot()
	if err != nil {
		return "", err
	}
	bin := filepath.Join(root, "bin")
	for _, p := range []string{"trace", "rollback", "branch"} {
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
	err = cmd.Run()
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
