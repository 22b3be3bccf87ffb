package main_test

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"

	"github.com/kubectl-gitops/kubectl-gitops/shared/branch"
	"github.com/kubectl-gitops/kubectl-gitops/shared/diff"
	"github.com/kubectl-gitops/kubectl-gitops/shared/flux"
	"github.com/kubectl-gitops/kubectl-gitops/shared/history"
	"github.com/kubectl-gitops/kubectl-gitops/shared/output"
	"github.com/kubectl-gitops/kubectl-gitops/shared/output/outputtest"
	"github.com/kubectl-gitops/kubectl-gitops/shared/rollback"
	"github.com/kubectl-gitops/kubectl-gitops/shared/status"
	"github.com/kubectl-gitops/kubectl-gitops/shared/testbed"
)

// TestPinAndRevert rolls back on the `flux bootstrap` layout, where apps builds from
// ./apps and the ../base/app its kustomization.yaml pulls in: three commits, the third
// fails to apply; history lists and marks them; pin --to-last-good holds the source on
// the good commit through a forced parent reconcile; unpin hands it back to the fixed
// branch; revert --steps 1 writes a commit on the server that Flux applies and that
// restores the base too; a remote that moved during the push is refused with nothing
// lost; --no-push and --dry-run leave the server alone.
func TestPinAndRevert(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 8*time.Minute)
	defer cancel()
	bed := testbed.Start(t, testbed.Options{Flux: true})
	repo, err := bed.Git.CreateRepo(ctx, "fleet")
	if err != nil {
		t.Fatal(err)
	}
	bootstrap := testbed.BootstrapYAML(repo.URL, "./clusters/test")
	files := func(version, from string) map[string]string {
		return map[string]string{
			"clusters/test/flux-system/gotk-sync.yaml": bootstrap,
			"clusters/test/infra.yaml":                 testbed.KustomizationYAML(testbed.Kustomization{Namespace: testbed.FluxNamespace, Name: "infra", Path: "./infra", Source: "flux-system"}),
			"clusters/test/apps.yaml":                  testbed.KustomizationYAML(testbed.Kustomization{Namespace: testbed.FluxNamespace, Name: "apps", Path: "./apps", Source: "flux-system", DependsOn: []string{"infra"}}),
			"infra/config.yaml":                        testbed.ConfigMapYAML("default", "infra", "from", "infra"),
			"base/app/kustomization.yaml":              "apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nresources:\n  - configmap.yaml\n",
			"base/app/configmap.yaml":                  testbed.ConfigMapYAML("default", "base", "version", version),
			"apps/kustomization.yaml":                  "apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nresources:\n  - ../base/app\n  - config.yaml\n",
			"apps/config.yaml":                         testbed.ConfigMapYAML("default", "release", "from", from),
		}
	}
	c1, err := repo.Commit(ctx, "first", files("v1", "v1"))
	if err != nil {
		t.Fatal(err)
	}
	if err := bed.Apply(ctx, bootstrap); err != nil {
		t.Fatal(err)
	}
	for _, ks := range []string{"flux-system", "infra", "apps"} {
		if _, err := bed.WaitApplied(ctx, testbed.FluxNamespace, ks, c1); err != nil {
			t.Fatal(err)
		}
	}
	commitApplied := func(msg string, f map[string]string) string {
		t.Helper()
		sha, err := repo.Commit(ctx, msg, f)
		if err != nil {
			t.Fatal(err)
		}
		if err := bed.Reconcile(ctx, flux.KindGitRepository, testbed.FluxNamespace, "flux-system"); err != nil {
			t.Fatal(err)
		}
		if _, err := bed.WaitSourceRevision(ctx, flux.KindGitRepository, testbed.FluxNamespace, "flux-system", sha); err != nil {
			t.Fatal(err)
		}
		return sha
	}
	c2 := commitApplied("second", files("v2", "v2"))
	if _, err := bed.WaitApplied(ctx, testbed.FluxNamespace, "apps", c2); err != nil {
		t.Fatal(err)
	}
	broken := files("v3", "v3")
	broken["apps/config.yaml"] = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: release\n  namespace: default\ndata:\n  from: [not, a, string]\n"
	c3 := commitApplied("third, broken", broken)
	if _, err := bed.WaitFor(ctx, 2*time.Minute, flux.KindKustomization, testbed.FluxNamespace, "apps", func(u *unstructured.Unstructured) bool {
		rev, _, _ := unstructured.NestedString(u.Object, "status", "lastAttemptedRevision")
		hist, _, _ := unstructured.NestedSlice(u.Object, "status", "history")
		return rev == "main@sha1:"+c3 && len(hist) >= 3
	}); err != nil {
		t.Fatal(err)
	}

	clone := filepath.Join(t.TempDir(), "clone")
	gitIn := func(dir string, args ...string) string {
		t.Helper()
		cmd := exec.CommandContext(ctx, "git", append([]string{"-C", dir}, args...)...)
		cmd.Env = append(os.Environ(), "GIT_TERMINAL_PROMPT=0")
		out, err := cmd.CombinedOutput()
		if err != nil {
			t.Fatalf("git %v: %v\n%s", args, err, out)
		}
		return strings.TrimSpace(string(out))
	}
	gitIn(filepath.Dir(clone), "clone", "--quiet", repo.URL, clone)
	gitIn(clone, "config", "user.name", "On Call")
	gitIn(clone, "config", "user.email", "oncall@example.com")
	serverHead := func() string { return gitIn(repo.Bare, "rev-parse", "refs/heads/main") }

	kubectl := func(args ...string) testbed.Run {
		t.Helper()
		run, err := testbed.Kubectl(ctx, bed.Assets, bed.Kubeconfig, append([]string{"gitops", "rollback"}, args...)...)
		if err != nil {
			t.Fatal(err)
		}
		return run
	}
	applied := func(name string) string {
		t.Helper()
		u, err := bed.Get(ctx, flux.KindKustomization, testbed.FluxNamespace, name)
		if err != nil {
			t.Fatal(err)
		}
		rev, _, _ := unstructured.NestedString(u.Object, "status", "lastAppliedRevision")
		return rev
	}
	configMap := func(name, key string) string {
		t.Helper()
		cm, err := bed.Dynamic.Resource(schema.GroupVersionResource{Version: "v1", Resource: "configmaps"}).Namespace("default").Get(ctx, name, metav1.GetOptions{})
		if err != nil {
			t.Fatal(err)
		}
		v, _, _ := unstructured.NestedString(cm.Object, "data", key)
		return v
	}
	gitRepo := func() *unstructured.Unstructured {
		t.Helper()
		u, err := bed.Get(ctx, flux.KindGitRepository, testbed.FluxNamespace, "flux-system")
		if err != nil {
			t.Fatal(err)
		}
		return u
	}

	t.Run("history lists the commits and marks the current and the last good one", func(t *testing.T) {
		run := kubectl("history", "apps", "-n", "flux-system", "-o", "json", "--git-dir", clone)
		var doc history.History
		if err := outputtest.Decode(output.FormatJSON, []byte(run.Stdout), output.KindHistory, func() any { return &history.History{} }, func(d any) { doc = *d.(*history.History) }); err != nil {
			t.Fatalf("%v\n%s", err, run)
		}
		if len(doc.Entries) < 3 || doc.Entries[0].SHA != c3 || doc.Entries[0].Status == history.Succeeded {
			t.Fatalf("newest entry is not the failed %s: %+v", c3, doc.Entries)
		}
		marks := map[string]string{}
		for _, e := range doc.Entries {
			if e.Current {
				marks["current"] = e.SHA
			}
			if e.LastGood {
				marks["lastGood"] = e.SHA
			}
			if e.Commit == nil || e.Commit.Author != "Test Bed <bed@example.com>" {
				t.Errorf("entry %s has no commit description from the clone: %+v", e.SHA, e.Commit)
			}
		}
		if marks["current"] != c2 || marks["lastGood"] != c2 {
			t.Errorf("current %s, last good %s; want both %s", marks["current"], marks["lastGood"], c2)
		}
		if e := doc.Entries[0]; e.Commit == nil || e.Commit.Subject != "third, broken" || strings.Join(e.Commit.Files, ",") != "apps/config.yaml" {
			t.Errorf("the broken commit described as %+v, want its subject and apps/config.yaml", e.Commit)
		}
		table := kubectl("history", "apps", "-n", "flux-system")
		if !strings.Contains(table.Stdout, "current,last-good") {
			t.Errorf("the table does not mark the current, last good commit:\n%s", table)
		}
	})

	t.Run("a Kustomization that applied nothing yet has no history to go back to", func(t *testing.T) {
		fresh := testbed.KustomizationYAML(testbed.Kustomization{Namespace: testbed.FluxNamespace, Name: "fresh", Path: "./apps", Source: "flux-system", Suspend: true})
		if err := bed.Apply(ctx, fresh); err != nil {
			t.Fatal(err)
		}
		testbed.CheckKubectl(t, ctx, bed.Assets, bed.Kubeconfig, []testbed.KubectlCase{
			{Args: []string{"gitops", "rollback", "history", "fresh", "-n", "flux-system"}, Stdout: []string{"Kustomization flux-system/fresh has no history yet"}},
			{Args: []string{"gitops", "rollback", "pin", "fresh", "-n", "flux-system", "--to-last-good", "--yes"}, Code: 3, Stderr: "no earlier revision applied successfully in status.history (0 entries)"},
			{Args: []string{"gitops", "rollback", "revert", "fresh", "-n", "flux-system", "--steps", "1", "--git-dir", clone, "--yes"}, Code: 3, Stderr: "status.history holds 0 earlier commits, not 1"},
		})
		if err := bed.Delete(ctx, fresh); err != nil {
			t.Fatal(err)
		}
	})

	t.Run("refusals change nothing", func(t *testing.T) {
		// A user who may read Flux's objects but not change them.
		if err := bed.Apply(ctx, testbed.ReadOnlyUserYAML("flux-reader", []string{"source.toolkit.fluxcd.io", "kustomize.toolkit.fluxcd.io", "helm.toolkit.fluxcd.io"}, []string{"*"})); err != nil {
			t.Fatal(err)
		}
		rv := gitRepo().GetResourceVersion()
		head := serverHead()
		testbed.CheckKubectl(t, ctx, bed.Assets, bed.Kubeconfig, []testbed.KubectlCase{
			{Args: []string{"gitops", "rollback", "pin", "apps", "-n", "flux-system"}, Code: 2, Stderr: "say where to go back to with --to SHA, --steps N or --to-last-good"},
			{Args: []string{"gitops", "rollback", "pin", "apps", "-n", "flux-system", "--steps", "1", "--to-last-good"}, Code: 2, Stderr: "give one"},
			{Args: []string{"gitops", "rollback", "pin", "helmrelease/web", "-n", "shop", "--to-last-good"}, Code: 2, Stderr: "a HelmRelease cannot be pinned"},
			{Args: []string{"gitops", "rollback", "pin", "apps", "-n", "flux-system", "--to", c1}, Code: 2, Stderr: "without --yes: there is no terminal"},
			{Args: []string{"gitops", "rollback", "pin", "apps", "-n", "flux-system", "--to", "0000000"}, Code: 3, Stderr: "commit 0000000 is not in status.history"},
			{Args: []string{"gitops", "rollback", "pin", "apps", "-n", "flux-system", "--to-last-good", "--yes", "--as", "nobody"}, Code: 5, Stderr: "forbidden"},
			{Args: []string{"gitops", "rollback", "pin", "apps", "-n", "flux-system", "--to", c1, "--yes", "--as", "flux-reader"}, Code: 5, Stderr: "cannot patch resource"},
			{Args: []string{"gitops", "rollback", "pin", "apps", "-n", "flux-system", "--to", c1, "--dry-run"}, Stdout: []string{
				"would be pinned: branch main -> commit " + c1 + " (on branch main)", "Consumer:   Kustomization flux-system/apps Planned", "Note:       the cluster now differs from branch main",
				"Target:     " + c1[:12] + " (first applied ", "Undoes:     " + c3[:12] + " (first applied ", "Undoes:     " + c2[:12] + " (first applied "}},
			{Args: []string{"gitops", "rollback", "pin", "apps", "-n", "flux-system", "--steps", "2", "--git-dir", clone, "--dry-run"}, Stdout: []string{
				"would be pinned: branch main -> commit " + c1, "Target:     " + c1[:12] + ` "first" by Test Bed <bed@example.com>`,
				"Undoes:     " + c3[:12] + ` "third, broken" by Test Bed <bed@example.com>`, "Undoes:     " + c2[:12] + ` "second" by Test Bed <bed@example.com>`}},
			{Args: []string{"gitops", "rollback", "pin", "apps", "-n", "flux-system", "--steps", "2", "--git-dir", t.TempDir(), "--dry-run"}, Code: 2, Stderr: "--git-dir"},
			{Args: []string{"gitops", "rollback", "revert", "apps", "-n", "flux-system", "--steps", "1"}, Code: 2, Stderr: "--git-dir is required"},
			{Args: []string{"gitops", "rollback", "revert", "apps", "-n", "flux-system", "--steps", "1", "--git-dir", t.TempDir()}, Code: 2, Stderr: "is not a git clone"},
			{Args: []string{"gitops", "rollback", "revert", "apps", "-n", "flux-system", "--to-last-good", "--git-dir", clone, "--dry-run"}, Stdout: []string{
				"would be reverted to " + c2, "Checked:    kustomize builds the result to the same objects as " + c2, "Files:      apps/config.yaml, base/app/configmap.yaml",
				"Target:     " + c2[:12] + ` "second" by Test Bed <bed@example.com>`, "Undoes:     " + c3[:12] + ` "third, broken" by Test Bed <bed@example.com>`}},
			{Args: []string{"gitops", "rollback", "revert", "apps", "-n", "flux-system", "--to-last-good", "--git-dir", clone}, Code: 2, Stderr: "without --yes: there is no terminal"},
		})
		if got := gitRepo().GetResourceVersion(); got != rv {
			t.Errorf("resourceVersion %s -> %s: a refusal or dry run wrote", rv, got)
		}
		if got := serverHead(); got != head {
			t.Errorf("the server moved %s -> %s: a dry run pushed", head, got)
		}
	})

	t.Run("the newest commit failed: the last good revision is the one running, nothing is pinned", func(t *testing.T) {
		rv := gitRepo().GetResourceVersion()
		for _, args := range [][]string{{"--to-last-good"}, {"--steps", "1"}} {
			run := kubectl(append([]string{"pin", "apps", "-n", "flux-system", "--yes"}, args...)...)
			if run.Code != 0 || !strings.Contains(run.Stdout, "the cluster already runs the last good revision, "+c2[:12]) || !strings.Contains(run.Stdout, "nothing was changed") {
				t.Errorf("pin %v when the newest commit failed:\n%s", args, run)
			}
		}
		if got := gitRepo().GetResourceVersion(); got != rv {
			t.Errorf("resourceVersion %s -> %s: a pin to the running revision wrote", rv, got)
		}
	})

	t.Run("pin an earlier commit, held through a forced parent reconcile", func(t *testing.T) {
		run := kubectl("pin", "apps", "-n", "flux-system", "--to", c2, "--yes", "-o", "json")
		var res branch.Result
		if err := outputtest.Decode(output.FormatJSON, []byte(run.Stdout), output.KindBranchSwitch, func() any { return &branch.Result{} }, func(d any) { res = *d.(*branch.Result) }); err != nil || run.Code != 0 {
			t.Fatalf("%v\n%s", err, run)
		}
		if res.Action != "pin" || res.To == nil || res.To.Value != c2 || res.To.Branch != "main" || len(res.Consumers) != 3 || res.Undo != "kubectl gitops rollback unpin apps -n flux-system" {
			t.Errorf("pin result %+v", res)
		}
		for _, c := range res.Consumers {
			if c.Status != "Applied" {
				t.Errorf("consumer %+v did not apply the pin", c)
			}
		}
		for _, ks := range []string{"flux-system", "infra", "apps"} {
			if got := applied(ks); got != "main@sha1:"+c2 {
				t.Errorf("%s applied %s, want main@sha1:%s", ks, got, c2)
			}
		}
		// The root re-applies the GitRepository as Git declares it, unless it skips it.
		if err := bed.Reconcile(ctx, flux.KindKustomization, testbed.FluxNamespace, "flux-system"); err != nil {
			t.Fatal(err)
		}
		if _, err := bed.WaitReady(ctx, flux.KindKustomization, testbed.FluxNamespace, "flux-system"); err != nil {
			t.Fatal(err)
		}
		time.Sleep(2 * time.Second)
		if commit, _, _ := unstructured.NestedString(gitRepo().Object, "spec", "ref", "commit"); commit != c2 {
			t.Errorf("after the parent's reconcile spec.ref.commit = %q, want %s", commit, c2)
		}
		// deps says why nothing newer moves.
		deps, err := testbed.Kubectl(ctx, bed.Assets, bed.Kubeconfig, "gitops", "deps", "-A")
		unpin := "'kubectl gitops rollback unpin apps -n flux-system'"
		if err != nil || !strings.Contains(deps.Stderr, "GitRepository flux-system/flux-system is pinned to commit "+c2+" (on branch main) by admin") || !strings.Contains(deps.Stderr, unpin) {
			t.Errorf("deps does not say the source is pinned, with the pin's own undo: %v\n%s", err, deps)
		}
		// One undo everywhere: the one the pin printed.
		trace, err := testbed.Kubectl(ctx, bed.Assets, bed.Kubeconfig, "gitops", "trace", "configmap/release", "-n", "default")
		if err != nil || !strings.Contains(trace.Stdout, unpin+" puts it back") {
			t.Errorf("trace does not name the pin's undo: %v\n%s", err, trace)
		}
		// A revert would not be applied while the source is pinned.
		testbed.CheckKubectl(t, ctx, bed.Assets, bed.Kubeconfig, []testbed.KubectlCase{
			{Args: []string{"gitops", "rollback", "revert", "apps", "-n", "flux-system", "--to", c1, "--git-dir", clone, "--yes"}, Code: 1, Stderr: "rollback unpin apps -n flux-system"},
			{Args: []string{"gitops", "branch", "show", "flux-system", "-n", "flux-system"}, Stdout: []string{"Pinned:        the cluster differs from the branch head; was branch main by admin", "undo with 'kubectl gitops rollback unpin apps -n flux-system'"}},
		})
	})

	// The fix lands on main (base and app move on); unpin hands the source back to it.
	c4, err := repo.Commit(ctx, "fourth, fixed", files("v4", "v4"))
	if err != nil {
		t.Fatal(err)
	}
	t.Run("unpin follows the branch again", func(t *testing.T) {
		run := kubectl("unpin", "apps", "-n", "flux-system", "--yes")
		if run.Code != 0 || !strings.Contains(run.Stdout, "restored: commit "+c2+" (on branch main) -> branch main") {
			t.Fatalf("unpin:\n%s", run)
		}
		for _, ks := range []string{"flux-system", "infra", "apps"} {
			if got := applied(ks); got != "main@sha1:"+c4 {
				t.Errorf("%s applied %s, want main@sha1:%s", ks, got, c4)
			}
		}
		if configMap("base", "version") != "v4" || configMap("release", "from") != "v4" {
			t.Errorf("after unpin: base %s, release %s; want v4", configMap("base", "version"), configMap("release", "from"))
		}
	})

	t.Run("a remote that moved during the push is refused, nothing lost", func(t *testing.T) {
		// A pre-push hook moves the server's main between the fetch and the push, as a
		// colleague's merge would.
		hook := filepath.Join(clone, ".git", "hooks", "pre-push")
		script := "#!/bin/sh\nrm -f \"$0\"\nunset GIT_DIR GIT_WORK_TREE GIT_INDEX_FILE\ncd '" + repo.Work + "' && git commit -q --allow-empty -m 'moved meanwhile' && git push -q origin HEAD:refs/heads/main\n"
		if err := os.WriteFile(hook, []byte(script), 0o755); err != nil {
			t.Fatal(err)
		}
		gitIn(repo.Work, "config", "user.name", "Colleague")
		gitIn(repo.Work, "config", "user.email", "colleague@example.com")
		run := kubectl("revert", "apps", "-n", "flux-system", "--to", c2, "--git-dir", clone, "--yes")
		if run.Code != 1 || !strings.Contains(run.Stderr, "the remote moved or cannot be written, nothing was forced; the commit is kept on local branch rollback/apps-") {
			t.Fatalf("revert against a moved remote:\n%s", run)
		}
		moved := serverHead()
		if subject := gitIn(repo.Bare, "log", "-1", "--format=%s", moved); subject != "moved meanwhile" {
			t.Errorf("the server's head is %q, want the colleague's commit", subject)
		}
		if branches := gitIn(clone, "branch", "--list", "rollback/apps-*"); branches == "" {
			t.Errorf("the refused commit is not kept on a local branch")
		}
		if err := bed.Reconcile(ctx, flux.KindGitRepository, testbed.FluxNamespace, "flux-system"); err != nil {
			t.Fatal(err)
		}
		if _, err := bed.WaitSourceRevision(ctx, flux.KindGitRepository, testbed.FluxNamespace, "flux-system", moved); err != nil {
			t.Fatal(err)
		}
	})

	t.Run("revert --no-push leaves the commit for a pull request", func(t *testing.T) {
		head := serverHead()
		// A folder inside the clone is as good as its top.
		run := kubectl("revert", "apps", "-n", "flux-system", "--to", c2, "--git-dir", filepath.Join(clone, "apps"), "--no-push", "--yes", "-o", "json")
		var res rollback.RevertResult
		if err := outputtest.Decode(output.FormatJSON, []byte(run.Stdout), output.KindRevert, func() any { return &rollback.RevertResult{} }, func(d any) { res = *d.(*rollback.RevertResult) }); err != nil || run.Code != 0 {
			t.Fatalf("%v\n%s", err, run)
		}
		if res.Pushed || res.LocalBranch == "" || !res.BuildChecked || gitIn(clone, "rev-parse", res.LocalBranch) != res.Commit {
			t.Errorf("--no-push result %+v", res)
		}
		if got := serverHead(); got != head {
			t.Errorf("--no-push pushed: %s -> %s", head, got)
		}
	})

	// previewOf is the apps entry of a revert's preview, and whether it names the
	// ConfigMaps the revert takes back to v2, by field.
	previewOf := func(changes []diff.ConsumerPreview) (*diff.ConsumerPreview, bool) {
		for i, c := range changes {
			if c.Kustomization.Name != "apps" {
				continue
			}
			fields := map[string]string{}
			for _, o := range c.Objects {
				if o.Kind == "ConfigMap" && o.Action == diff.Changed {
					fields[o.Name] = strings.Join(o.Fields, ",")
				}
			}
			return &changes[i], fields["base"] == ".data.version" && fields["release"] == ".data.from"
		}
		return nil, false
	}

	t.Run("revert --dry-run previews what Flux will change, and writes nothing", func(t *testing.T) {
		head, rv := serverHead(), gitRepo().GetResourceVersion()
		branches := gitIn(clone, "for-each-ref", "refs/heads/")
		run := kubectl("revert", "apps", "-n", "flux-system", "--to", c2, "--git-dir", clone, "--dry-run", "-o", "json")
		var res rollback.RevertResult
		if err := outputtest.Decode(output.FormatJSON, []byte(run.Stdout), output.KindRevert, func() any { return &rollback.RevertResult{} }, func(d any) { res = *d.(*rollback.RevertResult) }); err != nil || run.Code != 0 {
			t.Fatalf("%v\n%s", err, run)
		}
		// Every Kustomization reading the source is previewed; apps names what goes back.
		apps, named := previewOf(res.Changes)
		if len(res.Changes) != 3 || apps == nil || apps.Error != "" || !named {
			t.Errorf("changes %+v, want flux-system, infra and apps, apps changing base .data.version and release .data.from", res.Changes)
		}
		text := kubectl("revert", "apps", "-n", "flux-system", "--to", c2, "--git-dir", clone, "--dry-run")
		if want := "Changes:    Kustomization flux-system/apps: the apply of "; text.Code != 0 || !strings.Contains(text.Stdout, want) || !strings.Contains(text.Stdout, "changed ConfigMap default/release (.data.from)") {
			t.Errorf("text view lacks %q naming the release ConfigMap:\n%s", want, text)
		}
		if got := serverHead(); got != head {
			t.Errorf("a dry run with its preview pushed: %s -> %s", head, got)
		}
		if got := gitRepo().GetResourceVersion(); got != rv {
			t.Errorf("a dry run with its preview wrote the GitRepository: resourceVersion %s -> %s", rv, got)
		}
		if got := gitIn(clone, "for-each-ref", "refs/heads/"); got != branches {
			t.Errorf("a dry run left a branch in the clone:\n%s\nwas\n%s", got, branches)
		}
		if got := configMap("release", "from"); got != "v4" {
			t.Errorf("a dry run with its preview changed the release ConfigMap: from %s", got)
		}
	})

	reverted, undo := "", ""
	t.Run("revert to the second commit: pushed, applied, base restored", func(t *testing.T) {
		run := kubectl("revert", "apps", "-n", "flux-system", "--to", c2[:10], "--git-dir", clone, "--reason", "INC-42", "--yes", "-o", "json")
		var res rollback.RevertResult
		if err := outputtest.Decode(output.FormatJSON, []byte(run.Stdout), output.KindRevert, func() any { return &rollback.RevertResult{} }, func(d any) { res = *d.(*rollback.RevertResult) }); err != nil || run.Code != 0 {
			t.Fatalf("%v\n%s", err, run)
		}
		if !res.Pushed || res.Commit != serverHead() || res.Applied == nil || res.Applied.Status != "Applied" || strings.Join(res.Paths, ",") != "apps,base/app" {
			t.Errorf("revert result %+v", res)
		}
		if msg := gitIn(repo.Bare, "log", "-1", "--format=%B", res.Commit); !strings.Contains(msg, "Revert flux-system/apps to "+c2[:12]) || !strings.Contains(msg, "Reason: INC-42") {
			t.Errorf("commit message:\n%s", msg)
		}
		if got := applied("apps"); got != "main@sha1:"+res.Commit {
			t.Errorf("apps applied %s, want the revert %s", got, res.Commit)
		}
		if configMap("base", "version") != "v2" || configMap("release", "from") != "v2" {
			t.Errorf("after the revert: base %s, release %s; want the second commit's v2", configMap("base", "version"), configMap("release", "from"))
		}
		// Content equal to the second commit, for everything apps builds from.
		if diff := gitIn(repo.Bare, "diff", "--stat", c2, res.Commit, "--", "apps", "base"); diff != "" {
			t.Errorf("the revert differs from %s:\n%s", c2, diff)
		}
		if apps, named := previewOf(res.Changes); apps == nil || !named || apps.Revision != res.Commit {
			t.Errorf("changes %+v, want apps' preview of %s naming base and release", res.Changes, res.Commit)
		}
		reverted, undo = res.Commit, res.Undo
	})

	t.Run("revert --commit undoes one commit: the revert itself", func(t *testing.T) {
		if reverted == "" {
			t.Skip("no revert to undo")
		}
		// The undo the revert printed, run as printed, from the clone it left alone.
		args, ok := strings.CutPrefix(undo, "kubectl ")
		if !ok || !strings.Contains(undo, "--commit "+reverted[:12]) {
			t.Fatalf("the revert's undo is %q", undo)
		}
		run, err := testbed.Kubectl(ctx, bed.Assets, bed.Kubeconfig, append(strings.Fields(args), "--yes", "-o", "json")...)
		if err != nil {
			t.Fatal(err)
		}
		var res rollback.RevertResult
		if err := outputtest.Decode(output.FormatJSON, []byte(run.Stdout), output.KindRevert, func() any { return &rollback.RevertResult{} }, func(d any) { res = *d.(*rollback.RevertResult) }); err != nil || run.Code != 0 {
			t.Fatalf("%v\n%s", err, run)
		}
		if res.Reverted != reverted || !res.Pushed || res.Applied == nil || res.Applied.Status != "Applied" {
			t.Errorf("revert --commit result %+v", res)
		}
		if configMap("base", "version") != "v4" || configMap("release", "from") != "v4" {
			t.Errorf("after undoing the revert: base %s, release %s; want v4 again", configMap("base", "version"), configMap("release", "from"))
		}
		// Now at v4, the second commit (v1 -> v2) no longer reverts cleanly: refused.
		testbed.CheckKubectl(t, ctx, bed.Assets, bed.Kubeconfig, []testbed.KubectlCase{
			{Args: []string{"gitops", "rollback", "revert", "apps", "-n", "flux-system", "--commit", c1, "--git-dir", clone, "--yes"}, Code: 2, Stderr: "has no parent to revert to"},
			{Args: []string{"gitops", "rollback", "revert", "apps", "-n", "flux-system", "--commit", c2, "--git-dir", clone, "--yes"}, Code: 1, Stderr: "do not revert cleanly"},
			{Args: []string{"gitops", "rollback", "revert", "apps", "-n", "flux-system", "--commit", c2, "--steps", "1", "--git-dir", clone}, Code: 2, Stderr: "--commit undoes one commit"},
		})
	})

	// A commit that does not build: kustomize-controller leaves no snapshot for it.
	headBefore := serverHead()
	for _, args := range [][]string{{"fetch", "--quiet", "origin"}, {"reset", "--quiet", "--hard", "origin/main"}} {
		if err := repo.Git(ctx, args...); err != nil {
			t.Fatal(err)
		}
	}
	brokenBuild := files("v5", "v5")
	brokenBuild["apps/kustomization.yaml"] = "apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nresources:\n  - ../base/app\n  - config.yaml\n  - missing.yaml\n"
	c5 := commitApplied("fifth, does not build", brokenBuild)
	if _, err := bed.WaitFor(ctx, 2*time.Minute, flux.KindKustomization, testbed.FluxNamespace, "apps", func(u *unstructured.Unstructured) bool {
		rev, _, _ := unstructured.NestedString(u.Object, "status", "lastAttemptedRevision")
		return rev == "main@sha1:"+c5 && !status.Of(u).Ready.IsTrue()
	}); err != nil {
		t.Fatal(err)
	}
	t.Run("a commit that never built is listed, and the running one is the last good", func(t *testing.T) {
		run := kubectl("history", "apps", "-n", "flux-system", "-o", "json")
		var doc history.History
		if err := outputtest.Decode(output.FormatJSON, []byte(run.Stdout), output.KindHistory, func() any { return &history.History{} }, func(d any) { doc = *d.(*history.History) }); err != nil {
			t.Fatalf("%v\n%s", err, run)
		}
		if e := doc.Entries[0]; e.SHA != c5 || !e.NeverApplied || e.Status != "BuildFailed" || !e.LastAttempted {
			t.Errorf("newest entry %+v, want %s never applied (BuildFailed)", e, c5)
		}
		for _, e := range doc.Entries {
			if e.LastGood && (!e.Current || e.SHA != headBefore) {
				t.Errorf("last good is %s (current %v), want the running %s", e.SHA, e.Current, headBefore)
			}
		}
		rv := gitRepo().GetResourceVersion()
		pin := kubectl("pin", "apps", "-n", "flux-system", "--to-last-good", "--yes")
		if pin.Code != 0 || !strings.Contains(pin.Stdout, "the cluster already runs the last good revision, "+headBefore[:12]) ||
			!strings.Contains(pin.Stdout, "the newest commit "+c5[:12]+" never applied (BuildFailed)") || !strings.Contains(pin.Stdout, "rollback revert apps -n flux-system --commit "+c5[:12]) {
			t.Errorf("pin --to-last-good after a build failure:\n%s", pin)
		}
		if got := gitRepo().GetResourceVersion(); got != rv {
			t.Errorf("resourceVersion %s -> %s: nothing should have been written", rv, got)
		}
		table := kubectl("history", "apps", "-n", "flux-system")
		if !strings.Contains(table.Stdout, "never-applied") || !strings.Contains(table.Stderr, "never applied (BuildFailed)") {
			t.Errorf("the table does not show the failed attempt:\n%s", table)
		}
	})

	// The fix lands; a pin goes back to the release before it, and a second pin never
	// goes forward to the release just escaped.
	c6 := commitApplied("sixth, fixed build", files("v6", "v6"))
	if _, err := bed.WaitApplied(ctx, testbed.FluxNamespace, "apps", c6); err != nil {
		t.Fatal(err)
	}
	t.Run("pin --to-last-good twice never goes forward", func(t *testing.T) {
		// With the clone, the plan names every commit the pin takes out, the one that
		// never built too (Flux's status forgets it once a newer commit applied).
		gitIn(clone, "fetch", "--quiet", "origin")
		first := kubectl("pin", "apps", "-n", "flux-system", "--to-last-good", "--yes", "-o", "json", "--git-dir", clone)
		var res branch.Result
		if err := outputtest.Decode(output.FormatJSON, []byte(first.Stdout), output.KindBranchSwitch, func() any { return &branch.Result{} }, func(d any) { res = *d.(*branch.Result) }); err != nil || first.Code != 0 {
			t.Fatalf("%v\n%s", err, first)
		}
		pinned := res.To.Value
		if pinned == c6 || pinned == c5 || res.Plan == nil || res.Plan.Target == nil || res.Plan.Target.SHA != pinned {
			t.Fatalf("first pin went to %s (plan %+v), want a release before %s", pinned, res.Plan, c6)
		}
		undone := map[string]bool{}
		for _, u := range res.Plan.Undoes {
			undone[u.SHA] = true
		}
		if !undone[c6] || !undone[c5] {
			t.Errorf("the plan does not name the commits the pin undoes: %+v", res.Plan.Undoes)
		}
		for _, gitDir := range []string{"", clone} {
			args := []string{"pin", "apps", "-n", "flux-system", "--to-last-good", "--dry-run", "-o", "json"}
			if gitDir != "" {
				args = append(args, "--git-dir", gitDir)
			}
			second := kubectl(args...)
			var again branch.Result
			if err := outputtest.Decode(output.FormatJSON, []byte(second.Stdout), output.KindBranchSwitch, func() any { return &branch.Result{} }, func(d any) { again = *d.(*branch.Result) }); err != nil {
				if second.Code == 3 && strings.Contains(second.Stderr, "no earlier revision") {
					continue // nothing older than the pin: refused, never forward
				}
				t.Fatalf("%v\n%s", err, second)
			}
			target := again.Plan.Target.SHA
			if target == c6 || target == pinned {
				t.Errorf("second pin (git-dir %q) targets %s: forward or in place, want older than %s", gitDir, target, pinned)
			}
			if gitIn(clone, "merge-base", "--is-ancestor", target, pinned) != "" {
				t.Errorf("second pin targets %s, not an ancestor of %s", target, pinned)
			}
		}
		unpin := kubectl("unpin", "apps", "-n", "flux-system", "--yes")
		if unpin.Code != 0 {
			t.Fatalf("unpin:\n%s", unpin)
		}
	})

}
