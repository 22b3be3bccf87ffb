package main_test

import (
	"bytes"
	"context"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/kubectl-gitops/kubectl-gitops/shared/testbed"
)

// TestInstall installs the release the way users do and runs it on the real bed:
// `make dist` twice gives the same bytes; the generated krew manifests pass krew's own
// validator (which installs them); a real `krew install --manifest --archive` into a
// fresh KREW_ROOT gives `kubectl gitops …` and `kubectl gitops-trace …` through the
// real kubectl, and `krew uninstall` leaves nothing on PATH; the real flux CLI installs
// the suite from the generated catalog and runs it as `flux gitops …`. The archives and
// manifests are served from a loopback HTTP server.
func TestInstall(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 15*time.Minute)
	defer cancel()
	bed, fleet := testbed.StartDemo(t, ctx)
	root, err := testbed.RepoRoot()
	if err != nil {
		t.Fatal(err)
	}
	release := func(args ...string) {
		t.Helper()
		cmd := exec.CommandContext(ctx, "go", append([]string{"run", "."}, args...)...)
		cmd.Dir = filepath.Join(root, "hack", "release")
		cmd.Env = append(os.Environ(), "GOWORK=off")
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("release %v: %v\n%s", args, err, out)
		}
	}
	const version = "v0.0.0-test"
	platform := runtime.GOOS + "/" + runtime.GOARCH
	dist, again := t.TempDir(), t.TempDir()
	release("dist", "-version", version, "-platforms", platform, "-out", dist)
	release("dist", "-version", version, "-platforms", platform, "-out", again)
	sums, _ := os.ReadFile(filepath.Join(dist, "checksums.txt"))
	sums2, _ := os.ReadFile(filepath.Join(again, "checksums.txt"))
	if len(sums) == 0 || !bytes.Equal(sums, sums2) {
		t.Fatalf("two builds of one commit differ:\n%s\n%s", sums, sums2)
	}
	archive := filepath.Join(dist, strings.Fields(string(sums))[1])

	srv := httptest.NewServer(http.FileServer(http.Dir(dist)))
	defer srv.Close()
	release("manifests", "-version", version, "-dist", dist, "-base-url", srv.URL, "-krew", filepath.Join(dist, "krew"), "-flux", dist)

	// kubectl and krew as the user has them: kubectl-krew on PATH.
	tools := t.TempDir()
	for name, target := range map[string]string{"kubectl": bed.Assets.Bin("kubectl"), "kubectl-krew": bed.Assets.Bin("krew")} {
		if err := os.Symlink(target, filepath.Join(tools, name)); err != nil {
			t.Fatal(err)
		}
	}
	home := t.TempDir()
	krewRoot := filepath.Join(t.TempDir(), "krew")
	env := func(extra ...string) []string {
		return append([]string{"PATH=" + tools + string(os.PathListSeparator) + os.Getenv("PATH"), "HOME=" + home, "KREW_ROOT=" + krewRoot}, extra...)
	}
	exe := func(name string, env []string, args ...string) testbed.Run {
		t.Helper()
		return runEnv(t, ctx, env, name, args...)
	}

	t.Run("krew's validator accepts every manifest", func(t *testing.T) {
		manifests, _ := filepath.Glob(filepath.Join(dist, "krew", "*.yaml"))
		if len(manifests) != 8 {
			t.Fatalf("manifests %v, want gitops and seven per-plugin ones", manifests)
		}
		for _, m := range manifests {
			if r := exe(bed.Assets.Bin("validate-krew-manifest"), env(), "-manifest", m); r.Code != 0 {
				t.Errorf("validate-krew-manifest %s:\n%s", filepath.Base(m), r)
			}
		}
	})

	t.Run("krew install, use through kubectl, uninstall", func(t *testing.T) {
		for _, name := range []string{"gitops", "gitops-trace"} {
			r := exe(filepath.Join(tools, "kubectl"), env(), "krew", "install", "--manifest="+filepath.Join(dist, "krew", name+".yaml"), "--archive="+archive)
			if r.Code != 0 {
				t.Fatalf("krew install %s:\n%s", name, r)
			}
		}
		bin := filepath.Join(krewRoot, "bin")
		for _, args := range [][]string{
			{"gitops", "trace", "--help"}, {"gitops", "deps", "--help"}, {"gitops", "branch", "--help"}, {"gitops", "diff", "--help"}, {"gitops", "follow", "--help"}, {"gitops-trace", "--help"},
		} {
			r, err := testbed.KubectlWith(ctx, bed.Assets, bed.Kubeconfig, "", bin, args...)
			if err != nil || r.Code != 0 || !strings.Contains(r.Stdout, "Usage:") {
				t.Errorf("kubectl %s: %v\n%s", strings.Join(args, " "), err, r)
			}
		}
		if r, _ := testbed.KubectlWith(ctx, bed.Assets, bed.Kubeconfig, "", bin, "gitops-trace", "--help"); !strings.Contains(r.Stdout, "kubectl gitops-trace deploy/api -n shop") {
			t.Errorf("krew's gitops-trace names itself otherwise:\n%s", r)
		}
		r, err := testbed.KubectlWith(ctx, bed.Assets, bed.Kubeconfig, "", bin, "gitops", "trace", "deploy/api", "-n", "shop")
		if err != nil || r.Code != 0 || !strings.Contains(r.Stdout, fleet.Commit[:12]) {
			t.Errorf("kubectl gitops trace from krew's install: %v\n%s", err, r)
		}
		// krew uninstall reads its local index; offline, an empty one stands in.
		index := filepath.Join(krewRoot, "index", "default")
		if err := os.MkdirAll(filepath.Join(index, "plugins"), 0o755); err != nil {
			t.Fatal(err)
		}
		if out, err := exec.CommandContext(ctx, "git", "init", "--quiet", index).CombinedOutput(); err != nil {
			t.Fatalf("git init: %v\n%s", err, out)
		}
		if r := exe(filepath.Join(tools, "kubectl"), env(), "krew", "uninstall", "gitops", "gitops-trace"); r.Code != 0 {
			t.Fatalf("krew uninstall:\n%s", r)
		}
		left, _ := os.ReadDir(bin)
		if len(left) != 0 {
			t.Errorf("krew uninstall left %v on PATH", left)
		}
	})

	t.Run("the flux CLI installs it from the catalog and runs it as flux gitops", func(t *testing.T) {
		plugins := t.TempDir()
		fluxEnv := env("FLUXCD_PLUGINS="+plugins, "FLUXCD_PLUGIN_CATALOG="+srv.URL+"/", "KUBECONFIG="+bed.Kubeconfig)
		flux := bed.Assets.Bin("flux")
		if r := exe(flux, fluxEnv, "plugin", "install", "gitops"); r.Code != 0 {
			t.Fatalf("flux plugin install gitops:\n%s", r)
		}
		r := exe(flux, fluxEnv, "gitops", "trace", "deploy/api", "-n", "shop", "--kubeconfig", bed.Kubeconfig)
		if r.Code != 0 || !strings.Contains(r.Stdout, fleet.Commit[:12]) {
			t.Errorf("flux gitops trace:\n%s", r)
		}
		if r := exe(flux, fluxEnv, "gitops", "rollback", "--help"); r.Code != 0 || !strings.Contains(r.Stdout, "flux gitops rollback history apps -n flux-system") {
			t.Errorf("flux gitops rollback --help does not name flux gitops:\n%s", r)
		}
		if r := exe(flux, fluxEnv, "gitops", "deps", "-A", "--kubeconfig", bed.Kubeconfig, "-o", "json"); r.Code != 0 || !strings.Contains(r.Stdout, `"kind": "DependencyReport"`) {
			t.Errorf("flux gitops deps -A:\n%s", r)
		}
		if r := exe(flux, fluxEnv, "__complete", "gitops", "rollback", "history", "-n", "flux-system", "--kubeconfig", bed.Kubeconfig, ""); !strings.Contains(r.Stdout, "apps\n") {
			t.Errorf("flux __complete gitops rollback history does not complete names from the cluster:\n%s", r)
		}
	})
}
