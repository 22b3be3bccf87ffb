package main_test

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"sigs.k8s.io/yaml"

	"github.com/kubectl-gitops/kubectl-gitops/shared/testbed"
)

// The GitHub Actions workflow (integrations/github-actions/gitops-diff.yaml) and the
// pre-commit hook (.pre-commit-hooks.yaml) run the released kubectl-gitops. These tests
// run exactly the commands they hold, in order, on a fleet repository with a pull
// request: the release they download is an archive of the binary `make build` built,
// served as GitHub serves a release (the archive and checksums.txt, named as
// hack/release names them), so the download and its sha256 check run too.

const ciVersion = "v0.0.0-ci"

// releaseServer serves the release ciVersion of this platform holding the built
// kubectl-gitops, counting the archive's downloads; sum replaces its checksum (a
// tampered archive) when not empty.
func releaseServer(t *testing.T, sum string) (*httptest.Server, func() int) {
	t.Helper()
	bin, err := testbed.PluginBin()
	if err != nil {
		t.Fatal(err)
	}
	exe, err := os.ReadFile(filepath.Join(bin, "kubectl-gitops"))
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	gz := gzip.NewWriter(&buf)
	tw := tar.NewWriter(gz)
	for name, data := range map[string][]byte{"kubectl-gitops": exe, "README.md": []byte("readme\n")} {
		if err := tw.WriteHeader(&tar.Header{Name: name, Mode: 0o755, Size: int64(len(data)), Typeflag: tar.TypeReg}); err != nil {
			t.Fatal(err)
		}
		if _, err := tw.Write(data); err != nil {
			t.Fatal(err)
		}
	}
	if err := tw.Close(); err != nil {
		t.Fatal(err)
	}
	if err := gz.Close(); err != nil {
		t.Fatal(err)
	}
	archive := fmt.Sprintf("kubectl-gitops_%s_%s_%s.tar.gz", strings.TrimPrefix(ciVersion, "v"), runtime.GOOS, runtime.GOARCH)
	if sum == "" {
		s := sha256.Sum256(buf.Bytes())
		sum = hex.EncodeToString(s[:])
	}
	checksums := fmt.Sprintf("%s  kubectl-gitops_%s_windows_amd64.zip\n%s  %s\n", strings.Repeat("0", 64), strings.TrimPrefix(ciVersion, "v"), sum, archive)
	var mu sync.Mutex
	downloads := 0
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/" + ciVersion + "/" + archive:
			mu.Lock()
			downloads++
			mu.Unlock()
			_, _ = w.Write(buf.Bytes())
		case "/" + ciVersion + "/checksums.txt":
			_, _ = w.Write([]byte(checksums))
		default:
			http.NotFound(w, r)
		}
	}))
	t.Cleanup(srv.Close)
	return srv, func() int { mu.Lock(); defer mu.Unlock(); return downloads }
}

// ciFleet is a fleet repository with a pull request: origin (bare) holds main, the
// returned clone is on branch pr, one commit ahead, which changes a value of a
// HelmRelease whose chart is in the repository and a ConfigMap.
func ciFleet(t *testing.T, ctx context.Context) string {
	t.Helper()
	top := t.TempDir()
	origin, work := filepath.Join(top, "origin.git"), filepath.Join(top, "work")
	git := func(dir string, args ...string) {
		t.Helper()
		cmd := exec.CommandContext(ctx, "git", append([]string{"-C", dir}, args...)...)
		cmd.Env = append(os.Environ(), "GIT_AUTHOR_NAME=t", "GIT_AUTHOR_EMAIL=t@example.com", "GIT_COMMITTER_NAME=t", "GIT_COMMITTER_EMAIL=t@example.com", "GIT_CONFIG_GLOBAL=/dev/null")
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("git %v: %v\n%s", args, err, out)
		}
	}
	write := func(files map[string]string) {
		t.Helper()
		for p, c := range files {
			full := filepath.Join(work, filepath.FromSlash(p))
			if err := os.MkdirAll(filepath.Dir(full), 0o755); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(full, []byte(c), 0o644); err != nil {
				t.Fatal(err)
			}
		}
	}
	ks := func(name, path string) string {
		return testbed.KustomizationYAML(testbed.Kustomization{Namespace: testbed.FluxNamespace, Name: name, Path: path, Source: "flux-system"})
	}
	release := func(color string) string {
		return "apiVersion: helm.toolkit.fluxcd.io/v2\nkind: HelmRelease\nmetadata:\n  name: web\n  namespace: shop\nspec:\n  interval: 10m\n  chart:\n    spec:\n      chart: ./charts/web\n      sourceRef:\n        kind: GitRepository\n        name: flux-system\n        namespace: flux-system\n  values:\n    color: " + color + "\n"
	}
	if err := os.MkdirAll(work, 0o755); err != nil {
		t.Fatal(err)
	}
	git(top, "init", "-q", "--bare", "-b", "main", origin)
	git(work, "init", "-q", "-b", "main")
	write(map[string]string{
		"clusters/demo/flux-system/gotk-sync.yaml": testbed.BootstrapYAML("https://example.com/fleet.git", "./clusters/demo"),
		"clusters/demo/apps.yaml":                  ks("apps", "./apps"),
		"apps/config.yaml":                         testbed.ConfigMapYAML("shop", "web", "size", "small"),
		"apps/release.yaml":                        release("blue"),
		"charts/web/Chart.yaml":                    "apiVersion: v2\nname: web\nversion: 1.0.0\n",
		"charts/web/values.yaml":                   "color: red\n",
		"charts/web/templates/cm.yaml":             "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: {{ .Release.Name }}-settings\ndata:\n  color: {{ .Values.color | quote }}\n",
	})
	git(work, "add", ".")
	git(work, "commit", "-q", "-m", "fleet")
	git(work, "remote", "add", "origin", origin)
	git(work, "push", "-q", "origin", "main")
	git(work, "checkout", "-q", "-b", "pr")
	write(map[string]string{"apps/release.yaml": release("green"), "apps/config.yaml": testbed.ConfigMapYAML("shop", "web", "size", "large")})
	git(work, "commit", "-q", "-am", "pr")
	return work
}

// workflowStep is one step of a GitHub Actions job.
type workflowStep struct {
	Name string `json:"name"`
	Uses string `json:"uses"`
	Run  string `json:"run"`
}

// readWorkflow reads the documented workflow's one job.
func readWorkflow(t *testing.T, root string) (env map[string]string, steps []workflowStep) {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(root, "integrations", "github-actions", "gitops-diff.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	var wf struct {
		Jobs map[string]struct {
			Env   map[string]string `json:"env"`
			Steps []workflowStep    `json:"steps"`
		} `json:"jobs"`
	}
	if err := yaml.Unmarshal(data, &wf); err != nil {
		t.Fatal(err)
	}
	job, ok := wf.Jobs["diff"]
	if !ok || len(job.Steps) == 0 {
		t.Fatalf("no job diff in the workflow: %+v", wf)
	}
	readme, err := os.ReadFile(filepath.Join(root, "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Contains(readme, data) {
		t.Errorf("README.md does not show integrations/github-actions/gitops-diff.yaml as it is")
	}
	return job.Env, job.Steps
}

// runStep runs a step's script as GitHub's runner does (bash -e, pipefail, no
// profile), with the PATH the steps before added through GITHUB_PATH.
func runStep(ctx context.Context, dir, script string, env map[string]string) testbed.Run {
	path := "/usr/bin:/bin"
	if added, err := os.ReadFile(env["GITHUB_PATH"]); err == nil {
		for _, p := range strings.Fields(string(added)) {
			path = p + ":" + path
		}
	}
	cmd := exec.CommandContext(ctx, "bash", "--noprofile", "--norc", "-eo", "pipefail", "-c", script)
	cmd.Dir = dir
	cmd.Env = []string{"PATH=" + path, "HOME=" + env["HOME"], "GIT_CONFIG_GLOBAL=/dev/null"}
	for k, v := range env {
		cmd.Env = append(cmd.Env, k+"="+v)
	}
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	code := 0
	if err != nil {
		code = -1
		if ee, ok := err.(*exec.ExitError); ok {
			code = ee.ExitCode()
		}
	}
	return testbed.Run{Stdout: stdout.String(), Stderr: stderr.String(), Code: code}
}

func TestGitHubWorkflow(t *testing.T) {
	if testing.Short() || runtime.GOOS != "linux" {
		t.Skip("runs the built binary as the workflow's linux runner does; skipped under -short")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	root, err := testbed.RepoRoot()
	if err != nil {
		t.Fatal(err)
	}
	jobEnv, steps := readWorkflow(t, root)
	if jobEnv["KUBECTL_GITOPS_RELEASES"] != "https://github.com/kubectl-gitops/kubectl-gitops/releases/download" {
		t.Errorf("the workflow downloads from %q, not the releases hack/release names", jobEnv["KUBECTL_GITOPS_RELEASES"])
	}
	run := func(t *testing.T, srv *httptest.Server) (map[string]testbed.Run, string) {
		work := ciFleet(t, ctx)
		temp := t.TempDir()
		env := map[string]string{}
		for k, v := range jobEnv {
			env[k] = v
		}
		env["KUBECTL_GITOPS_VERSION"], env["KUBECTL_GITOPS_RELEASES"] = ciVersion, srv.URL
		env["GITHUB_BASE_REF"], env["RUNNER_TEMP"], env["GITHUB_PATH"], env["HOME"] = "main", temp, filepath.Join(temp, "github_path"), temp
		out := map[string]testbed.Run{}
		for _, s := range steps {
			if s.Run == "" {
				continue // an action: checkout (the clone is there), the comment
			}
			r := runStep(ctx, work, s.Run, env)
			out[s.Name] = r
			if r.Code != 0 {
				break // as the runner stops the job
			}
		}
		return out, temp
	}

	t.Run("a pull request", func(t *testing.T) {
		srv, downloads := releaseServer(t, "")
		out, temp := run(t, srv)
		install, diff := out["Install kubectl-gitops (release archive, its sha256 checked)"], out["Diff against the base branch"]
		if install.Code != 0 || !strings.Contains(install.Stdout, ": OK") || downloads() != 1 {
			t.Fatalf("install step (%d downloads):\n%s", downloads(), install)
		}
		if diff.Code != 0 {
			t.Fatalf("diff step:\n%s", diff)
		}
		for _, want := range []string{"::notice file=clusters/demo/apps.yaml,line=1::clusters/demo: Kustomization flux-system/apps changed",
			"::notice file=apps/release.yaml,line=1::clusters/demo: HelmRelease shop/web changed (chart web@1.0.0)"} {
			if !strings.Contains(diff.Stdout, want) {
				t.Errorf("-o github lacks %q:\n%s", want, diff)
			}
		}
		sarif, err := os.ReadFile(filepath.Join(temp, "gitops-diff.sarif"))
		if err != nil {
			t.Fatal(err)
		}
		var log struct {
			Version string `json:"version"`
			Runs    []struct {
				Results []json.RawMessage `json:"results"`
			} `json:"runs"`
		}
		if err := json.Unmarshal(sarif, &log); err != nil || log.Version != "2.1.0" || len(log.Runs) != 1 || log.Runs[0].Results == nil {
			t.Errorf("the SARIF log (%v):\n%s", err, sarif)
		}
		md, err := os.ReadFile(filepath.Join(temp, "gitops-diff.md"))
		if err != nil {
			t.Fatal(err)
		}
		for _, want := range []string{"### kubectl gitops diff", "1 cluster changed, 0 unchanged, from `origin/main (", "| ↳ HelmRelease `shop/web` (chart web@1.0.0) | changed | 0 | 1 | 0 | 0 |", `+  color: green`} {
			if !strings.Contains(string(md), want) {
				t.Errorf("the comment lacks %q:\n%s", want, md)
			}
		}
	})

	t.Run("an archive that does not match its checksum is not run", func(t *testing.T) {
		srv, _ := releaseServer(t, strings.Repeat("ab", 32))
		out, temp := run(t, srv)
		install := out["Install kubectl-gitops (release archive, its sha256 checked)"]
		if install.Code == 0 || !strings.Contains(install.Stdout+install.Stderr, "FAILED") {
			t.Errorf("install step:\n%s", install)
		}
		if _, ran := out["Diff against the base branch"]; ran {
			t.Errorf("the diff ran after a failed check")
		}
		if _, err := os.Stat(filepath.Join(temp, "bin", "kubectl-gitops")); err == nil {
			t.Errorf("the unchecked binary was unpacked")
		}
	})
}

// TestPreCommitHook runs the hook's entry as pre-commit does (pass_filenames: false),
// with the args the README shows, on a staged change.
func TestPreCommitHook(t *testing.T) {
	if testing.Short() || runtime.GOOS != "linux" {
		t.Skip("runs the built binary; skipped under -short")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	root, err := testbed.RepoRoot()
	if err != nil {
		t.Fatal(err)
	}
	data, err := os.ReadFile(filepath.Join(root, ".pre-commit-hooks.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	var hooks []struct {
		ID            string `json:"id"`
		Entry         string `json:"entry"`
		Language      string `json:"language"`
		PassFilenames *bool  `json:"pass_filenames"`
	}
	if err := yaml.Unmarshal(data, &hooks); err != nil {
		t.Fatal(err)
	}
	if len(hooks) != 1 || hooks[0].ID != "gitops-diff" || hooks[0].Language != "script" || hooks[0].PassFilenames == nil || *hooks[0].PassFilenames {
		t.Fatalf("hooks %+v", hooks)
	}
	entry := filepath.Join(root, hooks[0].Entry)
	readme, err := os.ReadFile(filepath.Join(root, "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(readme), "      - id: gitops-diff\n        args: [--version, v0.1.0]\n") {
		t.Errorf("README.md does not show the hook with its args")
	}
	hook := func(t *testing.T, srv *httptest.Server, work, cache string, extra ...string) testbed.Run {
		cmd := exec.CommandContext(ctx, entry, append([]string{"--version", ciVersion}, extra...)...)
		cmd.Dir = work
		cmd.Env = []string{"PATH=/usr/bin:/bin", "HOME=" + cache, "XDG_CACHE_HOME=" + cache, "KUBECTL_GITOPS_RELEASES=" + srv.URL, "GIT_CONFIG_GLOBAL=/dev/null"}
		var stdout, stderr bytes.Buffer
		cmd.Stdout, cmd.Stderr = &stdout, &stderr
		code := 0
		if err := cmd.Run(); err != nil {
			code = -1
			if ee, ok := err.(*exec.ExitError); ok {
				code = ee.ExitCode()
			}
		}
		return testbed.Run{Stdout: stdout.String(), Stderr: stderr.String(), Code: code}
	}
	stage := func(t *testing.T, work, color string) {
		data, err := os.ReadFile(filepath.Join(work, "apps", "release.yaml"))
		if err != nil {
			t.Fatal(err)
		}
		changed := strings.Replace(string(data), "color: green", "color: "+color, 1)
		if err := os.WriteFile(filepath.Join(work, "apps", "release.yaml"), []byte(changed), 0o644); err != nil {
			t.Fatal(err)
		}
		if out, err := exec.CommandContext(ctx, "git", "-C", work, "add", "apps/release.yaml").CombinedOutput(); err != nil {
			t.Fatalf("git add: %v\n%s", err, out)
		}
	}

	t.Run("a staged change is shown, not a failure; the binary is kept", func(t *testing.T) {
		srv, downloads := releaseServer(t, "")
		work, cache := ciFleet(t, ctx), t.TempDir()
		stage(t, work, "purple")
		r := hook(t, srv, work, cache)
		if r.Code != 0 || !strings.Contains(r.Stdout, "HelmRelease shop/web changed (chart web@1.0.0)") || !strings.Contains(r.Stdout, "+  color: purple") {
			t.Fatalf("hook:\n%s", r)
		}
		if r := hook(t, srv, work, cache, "-o", "markdown"); r.Code != 0 || !strings.Contains(r.Stdout, "### kubectl gitops diff") || downloads() != 1 {
			t.Errorf("hook again, -o markdown (%d downloads, want 1):\n%s", downloads(), r)
		}
	})

	t.Run("a Kustomization that no longer builds fails the commit", func(t *testing.T) {
		srv, _ := releaseServer(t, "")
		work, cache := ciFleet(t, ctx), t.TempDir()
		if err := os.WriteFile(filepath.Join(work, "apps", "kustomization.yaml"), []byte("apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nresources:\n  - missing.yaml\n"), 0o644); err != nil {
			t.Fatal(err)
		}
		if r := hook(t, srv, work, cache); r.Code != 1 {
			t.Errorf("hook: exit %d, want 1:\n%s", r.Code, r)
		}
	})

	t.Run("an archive that does not match its checksum is not run", func(t *testing.T) {
		srv, _ := releaseServer(t, strings.Repeat("ab", 32))
		work, cache := ciFleet(t, ctx), t.TempDir()
		r := hook(t, srv, work, cache)
		if r.Code == 0 || !strings.Contains(r.Stderr, "does not match its sha256 in checksums.txt") {
			t.Errorf("hook:\n%s", r)
		}
		if left, _ := filepath.Glob(filepath.Join(cache, "kubectl-gitops", "*", "*", "kubectl-gitops")); len(left) != 0 {
			t.Errorf("the unchecked binary was kept: %v", left)
		}
	})
}
