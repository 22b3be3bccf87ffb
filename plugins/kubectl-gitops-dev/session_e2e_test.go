package main_test

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"

	"github.com/kubectl-gitops/kubectl-gitops/shared/dev"
	"github.com/kubectl-gitops/kubectl-gitops/shared/diff"
	"github.com/kubectl-gitops/kubectl-gitops/shared/flux"
	"github.com/kubectl-gitops/kubectl-gitops/shared/output"
	"github.com/kubectl-gitops/kubectl-gitops/shared/output/outputtest"
	"github.com/kubectl-gitops/kubectl-gitops/shared/status"
	"github.com/kubectl-gitops/kubectl-gitops/shared/testbed"
)

// TestDevSession is the guide's development workflow on the demo fleet (the `flux
// bootstrap` layout: the root applies infrastructure and apps from Git), with the real
// controllers and a real Git server: start, test a changed ConfigMap and a new Service,
// diff, two checkpoints, a finish refused because the remote moved (nothing lost), the
// finish that squashes, pushes and hands back (the ConfigMap as Git says, the Service
// gone, nothing suspended), then the merge that makes the Service Flux's; the refusals
// (an overlapping session, objects another owner holds); status from another user; an
// abort from another shell that leaves the cluster as Git says.
func TestDevSession(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
	defer cancel()
	bed, fleet := testbed.StartDemo(t, ctx)
	clone := filepath.Join(t.TempDir(), "fleet")
	git := func(dir string, args ...string) string {
		t.Helper()
		out, err := exec.CommandContext(ctx, "git", append([]string{"-C", dir}, args...)...).CombinedOutput()
		if err != nil {
			t.Fatalf("git %v: %v\n%s", args, err, out)
		}
		return strings.TrimSpace(string(out))
	}
	git(filepath.Dir(clone), "clone", "--quiet", fleet.Repo.URL, clone)
	git(clone, "config", "user.name", "Dev User")
	git(clone, "config", "user.email", "dev@example.com")
	write := func(path, content string) {
		t.Helper()
		full := filepath.Join(clone, path)
		if err := os.MkdirAll(filepath.Dir(full), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(full, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	kubectl := func(kubeconfig, dir string, args ...string) testbed.Run {
		t.Helper()
		run, err := testbed.KubectlIn(ctx, bed.Assets, kubeconfig, dir, append([]string{"gitops", "dev"}, args...)...)
		if err != nil {
			t.Fatal(err)
		}
		if strings.Contains(run.Stderr, "panic") || strings.Contains(run.Stderr, "goroutine ") {
			t.Fatalf("crashed: %s", run)
		}
		return run
	}
	devIn := func(args ...string) testbed.Run { t.Helper(); return kubectl(bed.Kubeconfig, clone, args...) }
	step := func(run testbed.Run) *dev.Result {
		t.Helper()
		if run.Code != 0 {
			t.Fatalf("exit %d\n%s", run.Code, run)
		}
		var res *dev.Result
		if err := outputtest.Decode(output.FormatJSON, []byte(run.Stdout), output.KindDevStep, func() any { return &dev.Result{} }, func(d any) { res = d.(*dev.Result) }); err != nil || res == nil {
			t.Fatalf("%v\n%s", err, run)
		}
		return res
	}
	get := func(kind, namespace, name string) *unstructured.Unstructured {
		t.Helper()
		if _, ok := flux.GVR(kind); ok {
			u, err := bed.Get(ctx, kind, namespace, name)
			if err != nil {
				return nil
			}
			return u
		}
		o := &unstructured.Unstructured{}
		o.SetAPIVersion("v1")
		o.SetKind(kind)
		o.SetNamespace(namespace)
		ri, err := bed.Resource(o)
		if err != nil {
			t.Fatal(err)
		}
		u, err := ri.Get(ctx, name, metav1.GetOptions{})
		if err != nil {
			return nil
		}
		return u
	}
	suspended := func(name string) bool {
		return status.Of(get(flux.KindKustomization, testbed.FluxNamespace, name)).Suspended
	}

	t.Run("refusals change nothing", func(t *testing.T) {
		write("scratch.txt", "dirty\n")
		testbed.CheckKubectl(t, ctx, bed.Assets, bed.Kubeconfig, []testbed.KubectlCase{
			{Args: []string{"gitops", "dev", "start", "x"}, Code: 2, Stderr: "name the Kustomizations to pause with -k"},
			{Args: []string{"gitops", "dev", "start", "!!!", "-k", "apps"}, Code: 2, Stderr: "has no letter or digit"},
			{Args: []string{"gitops", "dev", "start", "x", "-k", "nope", "-n", "flux-system", "--git-dir", clone, "--yes"}, Code: 3, Stderr: "Kustomization flux-system/nope not found"},
			{Args: []string{"gitops", "dev", "start", "x", "-k", "apps", "-n", "flux-system", "--git-dir", clone, "--yes"}, Code: 2, Stderr: "has uncommitted changes (?? scratch.txt)"},
			{Args: []string{"gitops", "dev", "start", "x", "-k", "apps", "-n", "flux-system", "--git-dir", t.TempDir(), "--yes"}, Code: 2, Stderr: "is not a git clone"},
			{Args: []string{"gitops", "dev", "abort", "--session", "nope", "--yes"}, Code: 3, Stderr: `no open dev session "nope"`},
			{Args: []string{"gitops", "dev", "status"}, Stdout: []string{"No dev session is open."}},
		})
		if err := os.Remove(filepath.Join(clone, "scratch.txt")); err != nil {
			t.Fatal(err)
		}
		run := devIn("start", "x", "-k", "apps", "-n", "flux-system")
		if run.Code != 2 || !strings.Contains(run.Stderr, "without --yes") {
			t.Fatalf("start without --yes and a terminal: %s", run)
		}
		if suspended("apps") || git(clone, "branch", "--list", "dev/*") != "" {
			t.Fatal("a refused start changed something")
		}
	})

	// start: the branch from main, apps and infrastructure paused with the reason.
	res := step(devIn("start", "implementing feature X", "-k", "infrastructure", "-k", "apps", "-n", "flux-system", "--yes", "-o", "json"))
	s := res.Session
	if s.ID != "implementing-feature-x" || s.Branch != "dev/implementing-feature-x" || s.Base != fleet.Commit || s.User != "admin" || len(res.Suspended) != 2 {
		t.Fatalf("start: %+v", res)
	}
	if got := git(clone, "branch", "--show-current"); got != s.Branch {
		t.Fatalf("the clone is on %s", got)
	}
	for _, ks := range []string{"apps", "infrastructure"} {
		u := get(flux.KindKustomization, testbed.FluxNamespace, ks)
		if rec := status.SuspensionOf(u.GetAnnotations()); !status.Of(u).Suspended || rec.Reason != "dev session implementing-feature-x: implementing feature X" || rec.By != "admin" {
			t.Fatalf("%s: suspended %v, %+v", ks, status.Of(u).Suspended, rec)
		}
	}

	t.Run("a second session on an overlapping Kustomization is refused", func(t *testing.T) {
		run := devIn("start", "other work", "-k", "apps", "-n", "flux-system", "--yes")
		if run.Code != 1 || !strings.Contains(run.Stderr, `paused by dev session "implementing-feature-x" of admin`) {
			t.Fatalf("%s", run)
		}
	})

	t.Run("status from another user shows the session", func(t *testing.T) {
		other, err := bed.AddUser("colleague", "system:masters")
		if err != nil {
			t.Fatal(err)
		}
		run := kubectl(other, t.TempDir(), "status")
		if run.Code != 0 || !strings.Contains(run.Stdout, "implementing-feature-x  admin") || !strings.Contains(run.Stdout, "flux-system/infrastructure,flux-system/apps") {
			t.Fatalf("%s", run)
		}
	})

	// test: the ConfigMap infrastructure applies, changed and with a key Git lacks; a
	// new Service.
	write("infrastructure/platform-config.yaml", testbed.ConfigMapYAML("shop", "platform-config", "region", "test")+"  debug: \"true\"\n")
	write("apps/service.yaml", "apiVersion: v1\nkind: Service\nmetadata:\n  name: api\n  namespace: shop\nspec:\n  ports:\n    - port: 80\n  selector:\n    app: api\n")
	write("apps/kustomization.yaml", "apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nresources:\n  - deployment.yaml\n  - web.yaml\n  - service.yaml\n")
	res = step(devIn("test", "infrastructure/platform-config.yaml", "--yes", "-o", "json"))
	if len(res.Applied) != 1 || res.Applied[0].Operation != "configured" {
		t.Fatalf("test configmap: %+v", res.Applied)
	}
	res = step(devIn("test", "apps/service.yaml", "--yes", "-o", "json"))
	if len(res.Applied) != 1 || res.Applied[0].Operation != "created" {
		t.Fatalf("test service: %+v", res.Applied)
	}
	if cm := get("ConfigMap", "shop", "platform-config"); cm == nil || cm.Object["data"].(map[string]any)["region"] != "test" {
		t.Fatalf("the ConfigMap was not applied: %v", cm)
	}
	if get("Service", "shop", "api") == nil {
		t.Fatal("the Service was not created")
	}

	t.Run("objects the session does not hold are refused", func(t *testing.T) {
		dir := t.TempDir()
		for name, content := range map[string]string{
			"source.yaml":  testbed.GitRepositoryYAML("flux-system", "flux-system", fleet.Repo.URL, "main"),
			"release.yaml": testbed.ConfigMapYAML("shop", "web-config", "greeting", "hi"),
			"ks.yaml":      testbed.KustomizationYAML(testbed.Kustomization{Namespace: "flux-system", Name: "apps", Path: "./apps", Source: "flux-system"}),
		} {
			if err := os.WriteFile(filepath.Join(dir, name), []byte(content), 0o644); err != nil {
				t.Fatal(err)
			}
		}
		for file, want := range map[string]string{
			"source.yaml":  "is applied by Kustomization flux-system/flux-system, which this session did not pause",
			"release.yaml": "is installed by HelmRelease shop/web",
			"ks.yaml":      "is paused by this session",
		} {
			run := devIn("test", filepath.Join(dir, file), "--yes")
			// The documented usage error (exit 2): an argument that cannot work, nothing written.
			if run.Code != 2 || !strings.Contains(run.Stderr, want) {
				t.Errorf("test %s: %s", file, run)
			}
		}
	})

	t.Run("diff against the cluster and Git", func(t *testing.T) {
		run := devIn("diff", "infrastructure/platform-config.yaml")
		if run.Code != 0 || !strings.Contains(run.Stdout, "cluster: no change") || !strings.Contains(run.Stdout, "-  region: local") || !strings.Contains(run.Stdout, "+  region: test") {
			t.Fatalf("%s", run)
		}
		run = devIn("diff", "apps/service.yaml")
		if run.Code != 0 || !strings.Contains(run.Stdout, "git: not declared by the tracked branch") {
			t.Fatalf("%s", run)
		}
	})

	t.Run("diff previews what Flux will change when it applies the session branch", func(t *testing.T) {
		// Nothing committed yet: the session branch is main's commit, and Flux applying
		// it puts the tested region back; the files changed since are named, not previewed.
		rv := func() []string {
			return []string{get("ConfigMap", "shop", "platform-config").GetResourceVersion(), get(flux.KindKustomization, testbed.FluxNamespace, "infrastructure").GetResourceVersion()}
		}
		before := rv()
		res := step(devIn("diff", "infrastructure/platform-config.yaml", "-o", "json"))
		var infra *diff.ConsumerPreview
		for i, c := range res.Changes {
			if c.Kustomization.Name == "infrastructure" {
				infra = &res.Changes[i]
			}
		}
		if len(res.Changes) != 2 || infra == nil || infra.Error != "" || infra.Revision != fleet.Commit {
			t.Fatalf("changes %+v, want apps and infrastructure at %s", res.Changes, fleet.Commit)
		}
		named := false
		for _, o := range infra.Objects {
			named = named || (o.Kind == "ConfigMap" && o.Namespace == "shop" && o.Name == "platform-config" && o.Action == diff.Changed && slices.Contains(o.Fields, ".data.region"))
		}
		if !named || infra.DriftOverwritten < 1 {
			t.Errorf("infrastructure's preview %+v does not name platform-config's .data.region put back", infra.Preview)
		}
		if !slices.ContainsFunc(res.Notes, func(n string) bool {
			return strings.HasPrefix(n, "the preview is of dev/implementing-feature-x at "+fleet.Commit[:12])
		}) {
			t.Errorf("notes %q do not say the uncommitted changes are not previewed", res.Notes)
		}
		text := devIn("diff", "infrastructure/platform-config.yaml")
		if want := "Changes:    Kustomization flux-system/infrastructure: the apply of " + fleet.Commit; !strings.Contains(text.Stdout, want) || !strings.Contains(text.Stdout, "changed ConfigMap shop/platform-config (") {
			t.Errorf("text view lacks %q naming platform-config:\n%s", want, text)
		}
		off := step(devIn("diff", "infrastructure/platform-config.yaml", "--preview=false", "-o", "json"))
		if off.Changes != nil {
			t.Errorf("--preview=false previewed: %+v", off.Changes)
		}
		if after := rv(); !slices.Equal(after, before) {
			t.Errorf("a diff with its preview wrote: resourceVersions %v -> %v", before, after)
		}
	})

	// Two checkpoints.
	step(devIn("checkpoint", "the config and the service", "--yes", "-o", "json"))
	write("apps/README.md", "notes\n")
	res = step(devIn("checkpoint", "notes", "--yes", "-o", "json"))
	if res.Checkpoint == nil || len(res.Session.Checkpoints) != 2 {
		t.Fatalf("checkpoint: %+v", res)
	}
	head := git(clone, "rev-parse", "HEAD")

	t.Run("finish when the remote moved is rejected, nothing lost", func(t *testing.T) {
		moved := git(fleet.Repo.Work, "commit-tree", "HEAD^{tree}", "-p", "HEAD", "-m", "someone else")
		git(fleet.Repo.Work, "push", "--quiet", "origin", moved+":refs/heads/dev/implementing-feature-x")
		run := devIn("finish", "Add feature X", "--yes")
		if run.Code != 1 || !strings.Contains(run.Stderr, "the push was rejected") || !strings.Contains(run.Stderr, "nothing was lost") {
			t.Fatalf("%s", run)
		}
		if got := git(clone, "rev-parse", "HEAD"); got != head {
			t.Fatalf("the branch moved from %s to %s", head, got)
		}
		if !suspended("apps") || get("Service", "shop", "api") == nil {
			t.Fatal("a rejected finish touched the cluster")
		}
		git(fleet.Repo.Work, "push", "--quiet", "origin", ":refs/heads/dev/implementing-feature-x")
	})

	res = step(devIn("finish", "Add feature X", "--yes", "-o", "json"))
	if !res.Pushed || !res.Closed || len(res.Resumed) != 2 || !strings.Contains(res.PullRequest, "--head dev/implementing-feature-x") {
		t.Fatalf("finish: %+v", res)
	}
	for _, c := range res.Consumers {
		if c.Status != "Applied" || !strings.HasSuffix(c.Applied, fleet.Commit) {
			t.Errorf("finish: %s %s/%s %s %s", c.Kind, c.Namespace, c.Name, c.Status, c.Applied)
		}
	}
	if len(res.Deleted) != 1 || res.Deleted[0].Name != "api" || res.Deleted[0].Kind != "Service" {
		t.Errorf("deleted %+v", res.Deleted)
	}
	git(clone, "fetch", "--quiet", "origin")
	if n := git(clone, "rev-list", "--count", fleet.Commit+"..origin/dev/implementing-feature-x"); n != "1" {
		t.Errorf("the pushed branch has %s commits over main, want one squashed commit", n)
	}
	if msg := git(clone, "log", "-1", "--format=%s", "origin/dev/implementing-feature-x"); msg != "Add feature X" {
		t.Errorf("squashed commit message %q", msg)
	}
	cm := get("ConfigMap", "shop", "platform-config")
	if data := cm.Object["data"].(map[string]any); len(data) != 1 || data["region"] != "local" {
		t.Errorf("the ConfigMap is not as Git says: %v", data)
	}
	if get("Service", "shop", "api") != nil {
		t.Error("the Service the session created is still there")
	}
	if suspended("apps") || suspended("infrastructure") || get("ConfigMap", "flux-system", "gitops-dev-implementing-feature-x") != nil {
		t.Error("the session left something behind")
	}

	t.Run("after the merge Flux owns the Service", func(t *testing.T) {
		git(fleet.Repo.Work, "fetch", "--quiet", "origin", "dev/implementing-feature-x")
		git(fleet.Repo.Work, "merge", "--quiet", "--ff-only", "FETCH_HEAD")
		git(fleet.Repo.Work, "push", "--quiet", "origin", "HEAD:refs/heads/main")
		merged := git(fleet.Repo.Work, "rev-parse", "HEAD")
		if err := bed.Reconcile(ctx, "GitRepository", "flux-system", "flux-system"); err != nil {
			t.Fatal(err)
		}
		if _, err := bed.WaitApplied(ctx, "flux-system", "apps", merged); err != nil {
			t.Fatal(err)
		}
		svc := get("Service", "shop", "api")
		if svc == nil || svc.GetLabels()[flux.KustomizeNameLabel] != "apps" {
			t.Fatalf("the merged Service is not Flux's: %v", svc)
		}
	})

	t.Run("abort from another shell leaves the cluster as Git says", func(t *testing.T) {
		git(clone, "checkout", "--quiet", "main")
		git(clone, "pull", "--quiet", "--ff-only")
		step(devIn("start", "try a cache", "-k", "apps", "-n", "flux-system", "--yes", "-o", "json"))
		write("apps/cache.yaml", testbed.ConfigMapYAML("shop", "cache", "size", "1Gi"))
		step(devIn("test", "apps/cache.yaml", "--yes", "-o", "json"))
		if get("ConfigMap", "shop", "cache") == nil {
			t.Fatal("not applied")
		}
		// A new shell, elsewhere, without the clone.
		res := step(kubectl(bed.Kubeconfig, t.TempDir(), "abort", "--session", "try-a-cache", "--yes", "-o", "json"))
		if !res.Closed || len(res.Deleted) != 1 || res.Pushed {
			t.Fatalf("abort: %+v", res)
		}
		if get("ConfigMap", "shop", "cache") != nil || suspended("apps") {
			t.Fatal("abort left the session's changes")
		}
		if out := git(fleet.Repo.Work, "ls-remote", "origin", "refs/heads/dev/try-a-cache"); out != "" {
			t.Fatalf("abort pushed: %s", out)
		}
		if err := os.Remove(filepath.Join(clone, "apps/cache.yaml")); err != nil {
			t.Fatal(err)
		}
		// The way to delete the kept branch that abort names works in the clone, which
		// start left on that branch.
		var del string
		for _, n := range res.Notes {
			if _, rest, ok := strings.Cut(n, "(to delete it: '"); ok {
				del, _, _ = strings.Cut(rest, "')")
			}
		}
		sh := exec.CommandContext(ctx, "sh", "-c", del)
		sh.Dir = clone
		if out, err := sh.CombinedOutput(); del == "" || err != nil {
			t.Fatalf("abort's notes %q: running %q in the clone: %v\n%s", res.Notes, del, err, out)
		}
		if b := git(clone, "branch", "--list", "dev/try-a-cache"); b != "" {
			t.Fatalf("the session branch is still there after %q: %s", del, b)
		}
	})

	t.Run("finish --preview has Flux apply the pushed branch, then main again", func(t *testing.T) {
		git(clone, "checkout", "--quiet", "main")
		git(clone, "pull", "--quiet", "--ff-only")
		main := git(clone, "rev-parse", "HEAD")
		step(devIn("start", "preview a feature", "-k", "apps", "-n", "flux-system", "--yes", "-o", "json"))
		write("apps/feature.yaml", testbed.ConfigMapYAML("shop", "feature", "enabled", "true"))
		write("apps/kustomization.yaml", "apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nresources:\n  - deployment.yaml\n  - web.yaml\n  - service.yaml\n  - feature.yaml\n")
		step(devIn("checkpoint", "the feature flag", "--yes", "-o", "json"))
		res := step(devIn("finish", "Add the feature flag", "--preview", "--yes", "-o", "json"))
		pushed := git(fleet.Repo.Work, "ls-remote", "origin", "refs/heads/dev/preview-a-feature")
		applied := false
		for _, c := range res.Preview {
			if c.Kind == flux.KindKustomization && c.Name == "apps" {
				applied = c.Status == "Applied" && strings.HasPrefix(c.Applied, "dev/preview-a-feature@sha1:") && strings.HasPrefix(pushed, strings.TrimPrefix(c.Applied, "dev/preview-a-feature@sha1:"))
			}
		}
		if !applied || !res.Closed {
			t.Fatalf("preview: %+v (pushed %s)", res, pushed)
		}
		for _, c := range res.Consumers {
			if c.Status != "Applied" || !strings.HasSuffix(c.Applied, main) {
				t.Errorf("after the preview: %+v, want main %s applied", c, main)
			}
		}
		repo := get(flux.KindGitRepository, "flux-system", "flux-system")
		if ref, _, _ := unstructured.NestedString(repo.Object, "spec", "ref", "branch"); ref != "main" || repo.GetAnnotations()["gitops.kubectl.io/switch"] != "" {
			t.Errorf("the source is not back on main: %s %v", ref, repo.GetAnnotations())
		}
		if get("ConfigMap", "shop", "feature") != nil {
			t.Error("the previewed ConfigMap outlived the return to main")
		}
	})

	t.Run("a start killed part way is shown by status and closed by abort", func(t *testing.T) {
		git(clone, "checkout", "--quiet", "main")
		bin, err := testbed.PluginBin()
		if err != nil {
			t.Fatal(err)
		}
		cmd := exec.CommandContext(ctx, filepath.Join(bin, "kubectl-gitops-dev"), "start", "killed", "-k", "infrastructure", "-k", "apps", "-n", "flux-system", "--git-dir", clone, "--yes", "--kubeconfig", bed.Kubeconfig)
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		for get("ConfigMap", "flux-system", "gitops-dev-killed") == nil {
			time.Sleep(5 * time.Millisecond)
		}
		_ = cmd.Process.Kill()
		_ = cmd.Wait()
		run := kubectl(bed.Kubeconfig, t.TempDir(), "status")
		if run.Code != 0 || !strings.Contains(run.Stdout, "killed") {
			t.Fatalf("status after the kill: %s", run)
		}
		res := step(kubectl(bed.Kubeconfig, t.TempDir(), "abort", "--session", "killed", "--yes", "-o", "json"))
		if !res.Closed || suspended("apps") || suspended("infrastructure") {
			t.Fatalf("abort after the kill: %+v", res)
		}
	})
}
