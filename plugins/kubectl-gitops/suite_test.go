package main_test

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/kubectl-gitops/kubectl-gitops/shared/command"
	"github.com/kubectl-gitops/kubectl-gitops/shared/output"
	"github.com/kubectl-gitops/kubectl-gitops/shared/output/outputtest"
	"github.com/kubectl-gitops/kubectl-gitops/shared/testbed"
)

// installed links the built suite into a fresh folder under each name it is installed
// as: krew's kubectl-gitops, the Flux CLI's flux-gitops, and krew's per-plugin
// kubectl-gitops_trace (the trace binary).
func installed(t *testing.T) (dir string) {
	t.Helper()
	bin, err := testbed.PluginBin()
	if err != nil {
		t.Skip(err)
	}
	dir = t.TempDir()
	for name, target := range map[string]string{
		"kubectl-gitops": "kubectl-gitops", "flux-gitops": "kubectl-gitops", "kubectl-gitops_trace": "kubectl-gitops-trace",
		"kubectl_complete-gitops": "kubectl-gitops",
	} {
		if err := os.Symlink(filepath.Join(bin, target), filepath.Join(dir, name)); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

// run runs a binary with no kubeconfig and no colour.
func run(t *testing.T, bin string, args ...string) testbed.Run {
	t.Helper()
	env := append(os.Environ(), "KUBECONFIG="+filepath.Join(t.TempDir(), "none"), "NO_COLOR=1")
	return runEnv(t, context.Background(), env, bin, args...)
}

// runEnv runs a binary with exactly env and returns its outcome.
func runEnv(t *testing.T, ctx context.Context, env []string, bin string, args ...string) testbed.Run {
	t.Helper()
	cmd := exec.CommandContext(ctx, bin, args...)
	cmd.Env = env
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	r := testbed.Run{Stdout: stdout.String(), Stderr: stderr.String()}
	if exit, ok := err.(*exec.ExitError); ok {
		r.Code = exit.ExitCode()
	} else if err != nil {
		t.Fatal(err)
	}
	return r
}

// TestSuiteIsEachPlugin runs the same arguments through the suite and through each
// plugin's own binary: help, usage errors and completion are byte for byte the same.
func TestSuiteIsEachPlugin(t *testing.T) {
	dir := installed(t)
	bin, _ := testbed.PluginBin()
	suite := filepath.Join(dir, "kubectl-gitops")
	for _, args := range [][]string{
		{"trace", "--help"}, {"deps", "--help"}, {"rollback", "--help"}, {"branch", "--help"},
		{"rollback", "pin", "--help"}, {"branch", "set", "--help"}, {"dev", "--help"}, {"dev", "finish", "--help"},
		{"dev", "start", "x"}, {"dev", "finish"}, {"dev", "status", "-o", "xml"},
		{"trace"}, {"deps", "--dir", ""}, {"rollback", "pin", "apps"}, {"branch", "set", "a"},
		{"trace", "deploy/api", "--context", "nope"}, {"rollback", "history", "a", "-o", "xml"},
	} {
		plugin := filepath.Join(bin, "kubectl-gitops-"+args[0])
		want := run(t, plugin, args[1:]...)
		got := run(t, suite, args...)
		if got != want {
			t.Errorf("kubectl gitops %s differs from kubectl-gitops-%s:\n--- suite\n%s\n--- plugin\n%s", strings.Join(args, " "), args[0], got, want)
		}
	}
}

// TestSuiteAnswersToItsName checks the suite's own commands and that help texts name
// the command the user typed.
func TestSuiteAnswersToItsName(t *testing.T) {
	dir := installed(t)
	suite := filepath.Join(dir, "kubectl-gitops")
	if r := run(t, suite); r.Code != 0 || !strings.Contains(r.Stdout, "Available Commands:") || !strings.Contains(r.Stdout, "  trace     where an object came from") {
		t.Errorf("kubectl gitops with no arguments:\n%s", r)
	}
	r := run(t, suite, "version", "-o", "json")
	if err := outputtest.Decode(output.FormatJSON, []byte(r.Stdout), output.KindVersion, func() any { return &command.VersionDocument{} }, func(d any) {
		if v := d.(*command.VersionDocument); v.Version == "" || v.Platform == "" {
			t.Errorf("version %+v", v)
		}
	}); err != nil || r.Code != 0 {
		t.Errorf("version -o json: %v\n%s", err, r)
	}
	for _, tc := range []struct {
		bin    string
		args   []string
		code   int
		stdout string
		stderr string
	}{
		{"kubectl-gitops", []string{"version"}, 0, "kubectl gitops ", ""},
		{"kubectl-gitops", []string{"tracee"}, 2, "", "error: unknown command \"tracee\" for \"kubectl gitops\": did you mean 'kubectl gitops trace'?"},
		{"flux-gitops", []string{"rolback"}, 2, "", "did you mean 'flux gitops rollback'?"},
		{"flux-gitops", []string{"trace", "--help"}, 0, "  flux gitops trace deploy/api -n shop", ""},
		{"flux-gitops", []string{"--version"}, 0, "flux gitops ", ""},
		{"flux-gitops", []string{"rollback", "pin", "--help"}, 0, "  flux gitops rollback pin apps -n flux-system --to-last-good --yes", ""},
		{"kubectl-gitops_trace", []string{"--help"}, 0, "  kubectl gitops-trace deploy/api -n shop", ""},
		// Examples and hints built at run time name the command as typed too.
		{"flux-gitops", []string{"rollback", "pin", "", "-n", "x"}, 2, "", "e.g. 'flux gitops rollback pin apps -n flux-system --to-last-good'"},
		{"flux-gitops", []string{"branch", "set", "a"}, 2, "", "e.g. 'flux gitops branch set flux-system stable-release -n flux-system'"},
		{"flux-gitops", []string{"trace"}, 2, "", "See 'flux gitops trace --help' for usage."},
		{"kubectl-gitops_trace", []string{}, 2, "", "See 'kubectl gitops-trace --help' for usage."},
		// --server without credentials: one error line, nothing asked, nothing on stdout.
		{"kubectl-gitops", []string{"rollback", "history", "apps", "--server", "https://127.0.0.1:1"}, 1, "", "error: cannot reach the Kubernetes API server"},
	} {
		r := run(t, filepath.Join(dir, tc.bin), tc.args...)
		if r.Code != tc.code || !strings.Contains(r.Stdout, tc.stdout) || !strings.Contains(r.Stderr, tc.stderr) || (tc.stdout == "" && r.Stdout != "") {
			t.Errorf("%s %v: want exit %d, stdout with %q, stderr with %q\n%s", tc.bin, tc.args, tc.code, tc.stdout, tc.stderr, r)
		}
		if tc.bin != "kubectl-gitops" && strings.Contains(r.Stdout+r.Stderr, "kubectl gitops trace") {
			t.Errorf("%s %v names a command that would not work here:\n%s", tc.bin, tc.args, r)
		}
	}
}

// TestSuiteThroughKubectl traces on the demo fleet with only the suite on PATH, as a
// krew install of `gitops` leaves it, and through krew's per-plugin name.
func TestSuiteThroughKubectl(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 4*time.Minute)
	defer cancel()
	dir := installed(t)
	bed, fleet := testbed.StartDemo(t, ctx)
	for _, args := range [][]string{
		{"gitops", "trace", "deploy/api", "-n", "shop"},
		{"gitops-trace", "deploy/api", "-n", "shop"},
	} {
		r, err := testbed.KubectlWith(ctx, bed.Assets, bed.Kubeconfig, "", dir, args...)
		if err != nil || r.Code != 0 || !strings.Contains(r.Stdout, fleet.Commit[:12]) {
			t.Errorf("kubectl %s: %v\n%s", strings.Join(args, " "), err, r)
		}
	}
	// kubectl's habit: global flags before the verb, for every command of the suite.
	for _, tc := range []struct {
		args []string
		code int
		want string
	}{
		{[]string{"gitops", "-n", "shop", "--request-timeout", "30s", "trace", "deploy/api"}, 0, fleet.Commit[:12]},
		{[]string{"gitops", "-n", "flux-system", "deps", "--check"}, 0, "apps"},
		{[]string{"gitops", "-n", "flux-system", "rollback", "history", "apps"}, 0, fleet.Commit},
		{[]string{"gitops", "-n", "flux-system", "branch", "show", "flux-system"}, 0, "GitRepository: flux-system/flux-system"},
		{[]string{"gitops", "-n", "flux-system", "dev", "status"}, 0, ""},
		{[]string{"gitops", "--context", "nope", "-n", "shop", "trace", "deploy/api"}, 2, `context "nope"`},
	} {
		r, err := testbed.KubectlWith(ctx, bed.Assets, bed.Kubeconfig, "", dir, tc.args...)
		if err != nil || r.Code != tc.code || !strings.Contains(r.Stdout+r.Stderr, tc.want) {
			t.Errorf("kubectl %s: %v, want exit %d with %q\n%s", strings.Join(tc.args, " "), err, tc.code, tc.want, r)
		}
	}
	r, err := testbed.KubectlWith(ctx, bed.Assets, bed.Kubeconfig, "", dir, "gitops", "deps", "-A", "-o", "json")
	if err != nil || r.Code != 0 || !strings.Contains(r.Stdout, `"kind": "DependencyReport"`) {
		t.Errorf("kubectl gitops deps -A: %v\n%s", err, r)
	}
	// kubectl completes `kubectl gitops …` through kubectl_complete-gitops, from the
	// live cluster: types and names for trace, Flux names for rollback and branch, the
	// remote's branches for branch set, namespaces and contexts for the flags.
	for _, tc := range []struct {
		args []string
		want []string
	}{
		{[]string{"gitops", "trace", ""}, []string{"deployments.apps\n", "pods\n", "kustomizations.kustomize.toolkit.fluxcd.io\n"}},
		{[]string{"gitops", "trace", "deployments.apps", "-n", "shop", ""}, []string{"api\n"}},
		{[]string{"gitops", "trace", "-n", "shop", "deploy/"}, []string{"deploy/api\n"}},
		{[]string{"gitops", "trace", "-n", "sh"}, []string{"shop\n"}},
		{[]string{"gitops", "trace", "--context", ""}, []string{"\n"}},
		{[]string{"gitops", "rollback", "history", "-n", "flux-system", ""}, []string{"apps\n", "flux-system\n", "infrastructure\n"}},
		{[]string{"gitops", "branch", "set", "-n", "flux-system", ""}, []string{"flux-system\n"}},
		{[]string{"gitops", "branch", "set", "flux-system", "-n", "flux-system", "st"}, []string{"stable-release\n"}},
		{[]string{"gitops", "deps", "--output", ""}, []string{"text\n", "mermaid\n"}},
		{[]string{"gitops", "dev", "start", "x", "-n", "flux-system", "-k", ""}, []string{"apps\n", "infrastructure\n"}},
	} {
		r, err := testbed.KubectlWith(ctx, bed.Assets, bed.Kubeconfig, "", dir, append([]string{"__complete"}, tc.args...)...)
		for _, w := range tc.want {
			if err != nil || !strings.Contains(r.Stdout, w) {
				t.Errorf("kubectl __complete %s lacks %q: %v\n%s", strings.Join(tc.args, " "), w, err, r)
			}
		}
	}
	// The completion script loads in bash (under the Flux CLI, flux completes plugins
	// itself: TestInstall checks it).
	for _, bin := range []string{"kubectl-gitops"} {
		script := run(t, filepath.Join(dir, bin), "completion", "bash")
		cmd := exec.CommandContext(ctx, "bash", "-c", "source /dev/stdin && complete -p "+bin)
		cmd.Stdin = strings.NewReader(script.Stdout)
		if out, err := cmd.CombinedOutput(); err != nil || !strings.Contains(string(out), bin) {
			t.Errorf("%s completion bash does not load: %v\n%s", bin, err, out)
		}
	}
}
