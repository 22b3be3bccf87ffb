package cmd

import (
	"bytes"
	"errors"

	"context"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
	k8stesting "k8s.io/client-go/testing"

	"github.com/spf13/cobra"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/cli-runtime/pkg/genericiooptions"

	"github.com/kubectl-gitops/kubectl-gitops/shared/cluster/clustertest"
	"github.com/kubectl-gitops/kubectl-gitops/shared/deps/render"
	"github.com/kubectl-gitops/kubectl-gitops/shared/exitcode"
	"github.com/kubectl-gitops/kubectl-gitops/shared/output"
	"github.com/kubectl-gitops/kubectl-gitops/shared/output/outputtest"
)

func ks(name string, deps ...string) *unstructured.Unstructured {
	var dependsOn []any
	for _, d := range deps {
		dependsOn = append(dependsOn, map[string]any{"name": d})
	}
	return &unstructured.Unstructured{Object: map[string]any{
		"apiVersion": "kustomize.toolkit.fluxcd.io/v1", "kind": "Kustomization",
		"metadata": map[string]any{"namespace": "flux-system", "name": name},
		"spec":     map[string]any{"path": "./" + name, "dependsOn": dependsOn, "sourceRef": map[string]any{"kind": "GitRepository", "name": "flux-system"}},
		"status": map[string]any{"conditions": []any{map[string]any{
			"type": "Ready", "status": "True", "reason": "ReconciliationSucceeded", "message": "Applied", "lastTransitionTime": "2026-01-01T00:00:00Z",
		}}},
	}}
}

// runDeps runs `kubectl gitops deps` through its Options; flags are set as cobra would.
func runDeps(t *testing.T, f *clustertest.Factory, set func(*Options, *cobra.Command), args ...string) (string, error) {
	t.Helper()
	var out, errOut bytes.Buffer
	o := NewOptions(genericiooptions.IOStreams{Out: &out, ErrOut: &errOut})
	cmd := &cobra.Command{}
	o.AddFlags(cmd)
	if set != nil {
		set(o, cmd)
	}
	if err := o.Complete(f, cmd, args); err != nil {
		return "", err
	}
	if err := o.Validate(); err != nil {
		return "", err
	}
	err := o.Run(context.Background())
	return out.String(), err
}

func TestOptionsLive(t *testing.T) {
	f := clustertest.New("flux-system", ks("a", "b"), ks("b", "a"), ks("c", "typo"))
	out, err := runDeps(t, f, func(o *Options, _ *cobra.Command) { o.Check = true })
	if exitcode.Of(err) != exitcode.ProblemFound {
		t.Errorf("--check on a cycle: %v", err)
	}
	for _, w := range []string{"Kustomization cycle: flux-system/a -> flux-system/b -> flux-system/a", "Kustomization flux-system/c depends on flux-system/typo, which does not exist"} {
		if !strings.Contains(out, w) {
			t.Errorf("tree lacks %q:\n%s", w, out)
		}
	}
	out, err = runDeps(t, f, func(o *Options, _ *cobra.Command) { o.Output.Value = "yaml" })
	if err != nil {
		t.Fatal(err)
	}
	if err := outputtest.Decode(output.FormatYAML, []byte(out), output.KindDependencyReport, func() any { return &render.DependencyReport{} }, nil); err != nil {
		t.Errorf("-o yaml: %v\n%s", err, out)
	}
	if _, err := runDeps(t, f, nil, "nope"); exitcode.Of(err) != exitcode.NotFound {
		t.Errorf("unknown name: %v", err)
	}
	f.Explicit = true
	if _, err := runDeps(t, f, func(o *Options, _ *cobra.Command) { o.AllNamespaces = true }); exitcode.Of(err) != exitcode.Usage {
		t.Errorf("-A with -n: %v", err)
	}
}

func TestOptionsDir(t *testing.T) {
	dir := t.TempDir()
	manifest := "apiVersion: kustomize.toolkit.fluxcd.io/v1\nkind: Kustomization\nmetadata:\n  name: apps\nspec:\n  dependsOn:\n    - name: infra\n"
	if err := os.WriteFile(filepath.Join(dir, "apps.yaml"), []byte(manifest), 0o644); err != nil {
		t.Fatal(err)
	}
	f := clustertest.New("default")
	out, err := runDeps(t, f, func(o *Options, cmd *cobra.Command) { _ = cmd.Flags().Set("dir", dir); o.Check = true })
	if exitcode.Of(err) != exitcode.ProblemFound || !strings.Contains(out, "depends on flux-system/infra, which does not exist") {
		t.Errorf("--dir --check: %v\n%s", err, out)
	}
	if _, err := runDeps(t, f, func(_ *Options, cmd *cobra.Command) { _ = cmd.Flags().Set("dir", "") }); exitcode.Of(err) != exitcode.Usage {
		t.Errorf(`--dir "": %v`, err)
	}

	// A pull request cannot hang or exhaust the check: a FIFO and a link to /dev/zero
	// are reported and skipped, and fail --check.
	hostile := t.TempDir()
	if err := os.WriteFile(filepath.Join(hostile, "apps.yaml"), []byte(manifest), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := syscall.Mkfifo(filepath.Join(hostile, "fifo.yaml"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink("/dev/zero", filepath.Join(hostile, "zero.yaml")); err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	var errOut bytes.Buffer
	o := NewOptions(genericiooptions.IOStreams{Out: &bytes.Buffer{}, ErrOut: &errOut})
	cmd := &cobra.Command{}
	o.AddFlags(cmd)
	_ = cmd.Flags().Set("dir", hostile)
	if err := o.Complete(f, cmd, nil); err != nil {
		t.Fatal(err)
	}
	if err := o.Validate(); err != nil {
		t.Fatal(err)
	}
	err = o.Run(context.Background())
	if err != nil || time.Since(start) > 5*time.Second {
		t.Errorf("hostile --dir: %v after %s", err, time.Since(start))
	}
	for _, w := range []string{"fifo.yaml: not a regular file", "zero.yaml: a symbolic link to /dev/zero, outside"} {
		if !strings.Contains(errOut.String(), w) {
			t.Errorf("warnings lack %q:\n%s", w, errOut.String())
		}
	}
}

// TestCheckIncomplete: a check that could not read the sources has not proved the
// fleet healthy; it says so with the forbidden code rather than passing.
func TestCheckIncomplete(t *testing.T) {
	f := clustertest.New("flux-system", ks("a"), ks("b", "a"))
	f.Dynamic.PrependReactor("list", "gitrepositories", func(k8stesting.Action) (bool, runtime.Object, error) {
		return true, nil, apierrors.NewForbidden(schema.GroupResource{Group: "source.toolkit.fluxcd.io", Resource: "gitrepositories"}, "", errors.New("RBAC"))
	})
	_, err := runDeps(t, f, func(o *Options, _ *cobra.Command) { o.Check = true; o.AllNamespaces = true })
	if exitcode.Of(err) != exitcode.Forbidden || !strings.Contains(err.Error(), "the check is incomplete") {
		t.Errorf("--check without sources: %v (code %d)", err, exitcode.Of(err))
	}
	if _, err := runDeps(t, f, func(o *Options, _ *cobra.Command) { o.AllNamespaces = true }); err != nil {
		t.Errorf("without --check the view is still shown: %v", err)
	}
}

// TestOptionsDirVerdict: summary.hasProblems is exactly the --check verdict, and what
// the check could not read, or that it read nothing, is a problem in the report too.
func TestOptionsDirVerdict(t *testing.T) {
	f := clustertest.New("default")
	broken := t.TempDir()
	if err := os.WriteFile(filepath.Join(broken, "x.yaml"), []byte("a: [\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name     string
		dirs     []string
		wantCode exitcode.Code
		fileErrs int
		nothing  bool
		problems bool
	}{
		{"an empty folder checks nothing", []string{t.TempDir()}, exitcode.ProblemFound, 0, true, true},
		{"a malformed file is in the report", []string{broken}, exitcode.ProblemFound, 1, true, true},
		{"--dir twice is refused", []string{broken, broken}, exitcode.Usage, 0, false, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			out, err := runDeps(t, f, func(o *Options, cmd *cobra.Command) {
				for _, d := range tc.dirs {
					_ = cmd.Flags().Set("dir", d)
				}
				o.Check = true
				_ = cmd.Flags().Set("output", "json")
			})
			if exitcode.Of(err) != tc.wantCode {
				t.Fatalf("exit code %d, want %d: %v", exitcode.Of(err), tc.wantCode, err)
			}
			if tc.wantCode == exitcode.Usage {
				return
			}
			var r render.DependencyReport
			if err := outputtest.Decode(output.FormatJSON, []byte(out), output.KindDependencyReport, func() any { return &render.DependencyReport{} }, func(d any) { r = *d.(*render.DependencyReport) }); err != nil {
				t.Fatal(err)
			}
			if r.Summary.FileErrors != tc.fileErrs || len(r.FileErrors) != tc.fileErrs || r.Summary.NothingChecked != tc.nothing || r.Summary.HasProblems != tc.problems {
				t.Errorf("summary %+v, file errors %+v", r.Summary, r.FileErrors)
			}
		})
	}
}

// TestOptionsDirNamespace: -n with --dir shows that namespace of the rendered fleet;
// without -n, every namespace.
func TestOptionsDirNamespace(t *testing.T) {
	dir := t.TempDir()
	for ns, name := range map[string]string{"shop": "web", "db": "pg"} {
		manifest := "apiVersion: kustomize.toolkit.fluxcd.io/v1\nkind: Kustomization\nmetadata:\n  name: " + name + "\n  namespace: " + ns + "\nspec:\n  path: ./x\n  sourceRef:\n    kind: GitRepository\n    name: flux-system\n"
		if err := os.WriteFile(filepath.Join(dir, name+".yaml"), []byte(manifest), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	f := clustertest.New("shop")
	f.Explicit = true
	out, err := runDeps(t, f, func(o *Options, cmd *cobra.Command) { _ = cmd.Flags().Set("dir", dir); o.All = true })
	if err != nil || !strings.Contains(out, "Kustomization shop/web") || strings.Contains(out, "db/pg") {
		t.Errorf("-n shop --dir: %v\n%s", err, out)
	}
	all := clustertest.New("default")
	out, err = runDeps(t, all, func(o *Options, cmd *cobra.Command) { _ = cmd.Flags().Set("dir", dir); o.All = true })
	if err != nil || !strings.Contains(out, "shop/web") || !strings.Contains(out, "db/pg") {
		t.Errorf("--dir without -n: %v\n%s", err, out)
	}
}

// TestCheckNothingLive: a live --check of a namespace holding no Kustomization or
// HelmRelease (a wrong -n) fails as an empty --dir does, instead of passing silently.
func TestCheckNothingLive(t *testing.T) {
	f := clustertest.New("default", ks("a"))
	out, err := runDeps(t, f, func(o *Options, _ *cobra.Command) { o.Check = true })
	if exitcode.Of(err) != exitcode.ProblemFound || !strings.Contains(out, "Nothing was checked: --check fails on it.") ||
		!strings.Contains(out, "No Kustomizations or HelmReleases found in namespace default; flux-system has some: add -n flux-system.") {
		t.Errorf("--check in an empty namespace: %v (code %d)\n%s", err, exitcode.Of(err), out)
	}
	out, err = runDeps(t, f, func(o *Options, cmd *cobra.Command) { o.Check = true; _ = cmd.Flags().Set("output", "json") })
	var r render.DependencyReport
	if derr := outputtest.Decode(output.FormatJSON, []byte(out), output.KindDependencyReport, func() any { return &render.DependencyReport{} }, func(d any) { r = *d.(*render.DependencyReport) }); derr != nil {
		t.Fatal(derr)
	}
	if exitcode.Of(err) != exitcode.ProblemFound || !r.Summary.NothingChecked || !r.Summary.HasProblems {
		t.Errorf("-o json --check in an empty namespace: %v, summary %+v", err, r.Summary)
	}
	if _, err := runDeps(t, f, nil); err != nil {
		t.Errorf("without --check an empty view is no error: %v", err)
	}
	if _, err := runDeps(t, clustertest.New("flux-system", ks("a")), func(o *Options, _ *cobra.Command) { o.Check = true }); err != nil {
		t.Errorf("--check where the object is: %v", err)
	}
}

// TestUnknownNameHints: a name found in another namespace says which and the -n to
// add; a typo gets the close names; names are printed as typed, never as a Go slice.
func TestUnknownNameHints(t *testing.T) {
	f := clustertest.New("default", ks("apps"), ks("infra"))
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"apps"}, "Kustomization default/apps not found; flux-system has one: add -n flux-system"},
		{[]string{"flux-system/aps"}, "no Kustomization or HelmRelease named aps in namespace flux-system; did you mean apps?"},
		{[]string{"apps", "nope"}, "Kustomization default/apps not found; flux-system has one: add -n flux-system; no Kustomization or HelmRelease named nope in namespace default"},
	} {
		_, err := runDeps(t, f, nil, tc.args...)
		if exitcode.Of(err) != exitcode.NotFound || err.Error() != tc.want {
			t.Errorf("deps %v: %v (code %d), want %q", tc.args, err, exitcode.Of(err), tc.want)
		}
	}
}

// TestDirShown: a --dir made of dots is named by its absolute path in what is printed
// ("found in .." says nothing); another path as typed.
func TestDirShown(t *testing.T) {
	parent := t.TempDir()
	sub := filepath.Join(parent, "sub")
	if err := os.Mkdir(sub, 0o755); err != nil {
		t.Fatal(err)
	}
	t.Chdir(sub)
	f := clustertest.New("default")
	for _, tc := range []struct{ dir, want string }{
		{"..", "No Kustomizations or HelmReleases found in " + parent + "."},
		{".", "No Kustomizations or HelmReleases found in " + sub + "."},
		{"../sub", "No Kustomizations or HelmReleases found in " + sub + "."},
		{sub, "No Kustomizations or HelmReleases found in " + sub + "."},
	} {
		out, err := runDeps(t, f, func(_ *Options, cmd *cobra.Command) { _ = cmd.Flags().Set("dir", tc.dir) })
		if err != nil || !strings.Contains(out, tc.want) {
			t.Errorf("--dir %s: %v\n%s", tc.dir, err, out)
		}
	}
}

// TestCheckNamespaceAcrossClusters: offline, -n names a namespace one cluster of the
// repository has and another has not: that is no failure; a namespace no cluster has
// checks nothing and fails --check.
func TestCheckNamespaceAcrossClusters(t *testing.T) {
	repo := t.TempDir()
	sync := func(cluster string) string {
		return "apiVersion: source.toolkit.fluxcd.io/v1\nkind: GitRepository\nmetadata:\n  name: flux-system\n  namespace: flux-system\nspec:\n  url: https://example.com/fleet.git\n  ref:\n    branch: main\n---\n" +
			"apiVersion: kustomize.toolkit.fluxcd.io/v1\nkind: Kustomization\nmetadata:\n  name: flux-system\n  namespace: flux-system\nspec:\n  path: ./clusters/" + cluster + "\n  sourceRef:\n    kind: GitRepository\n    name: flux-system\n"
	}
	files := map[string]string{
		"clusters/prod/flux-system/gotk-sync.yaml": sync("prod"),
		"clusters/prod/shop.yaml":                  "apiVersion: kustomize.toolkit.fluxcd.io/v1\nkind: Kustomization\nmetadata:\n  name: web\n  namespace: shop\nspec:\n  path: ./shop\n  sourceRef:\n    kind: GitRepository\n    name: flux-system\n    namespace: flux-system\n",
		"clusters/test/flux-system/gotk-sync.yaml": sync("test"),
		"shop/cm.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: web\n  namespace: shop\n",
	}
	for name, content := range files {
		if err := os.MkdirAll(filepath.Dir(filepath.Join(repo, name)), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(repo, name), []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	for _, tc := range []struct {
		ns   string
		code exitcode.Code
		want string
	}{
		{"shop", exitcode.OK, "Cluster clusters/prod"},
		{"nope", exitcode.ProblemFound, "Nothing was checked: --check fails on it."},
	} {
		f := clustertest.New(tc.ns)
		f.Explicit = true
		out, err := runDeps(t, f, func(o *Options, cmd *cobra.Command) { _ = cmd.Flags().Set("dir", repo); o.Check = true })
		if exitcode.Of(err) != tc.code || !strings.Contains(out, tc.want) || strings.Count(out, "Cluster ") != 1 {
			t.Errorf("-n %s --check: %v (code %d)\n%s", tc.ns, err, exitcode.Of(err), out)
		}
	}
}
