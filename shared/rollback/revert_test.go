package rollback

import (
	"context"
	"reflect"
	"strings"
	"testing"
	"time"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"

	"github.com/kubectl-gitops/kubectl-gitops/shared/cluster/clustertest"
	"github.com/kubectl-gitops/kubectl-gitops/shared/exitcode"
	"github.com/kubectl-gitops/kubectl-gitops/shared/git"
	"github.com/kubectl-gitops/kubectl-gitops/shared/git/gittest"
	"github.com/kubectl-gitops/kubectl-gitops/shared/history"
	"github.com/kubectl-gitops/kubectl-gitops/shared/status"
	"github.com/kubectl-gitops/kubectl-gitops/shared/write"
)

// upstream is a remote (a bare repository, the source's URL) and a user's clone of it,
// with three commits on main: good (the target), drift (changes apps and a file no
// Kustomization reads) and tweak (changes the base apps pulls in).
type upstream struct {
	remote, clone      *gittest.Repo
	good, drift, tweak string
}

func newUpstream(t *testing.T) *upstream {
	t.Helper()
	gittest.Isolate(t)
	u := &upstream{remote: gittest.Bare(t), clone: gittest.New(t)}
	u.good = u.clone.Commit("good", map[string]string{
		"apps/kustomization.yaml": "resources:\n  - cm.yaml\n  - ../base\n",
		"apps/cm.yaml":            "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: app\ndata:\n  v: \"1\"\n",
		"base/kustomization.yaml": "resources:\n  - ns.yaml\n",
		"base/ns.yaml":            "apiVersion: v1\nkind: Namespace\nmetadata:\n  name: apps\n",
	})
	u.drift = u.clone.Commit("drift", map[string]string{
		"apps/cm.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: app\ndata:\n  v: \"2\"\n",
		"other/x.yaml": "x: 1\n",
	})
	u.tweak = u.clone.Commit("tweak", map[string]string{
		"base/ns.yaml": "apiVersion: v1\nkind: Namespace\nmetadata:\n  name: apps\n  labels:\n    team: a\n",
	})
	u.clone.Git("remote", "add", "origin", u.remote.Dir)
	u.clone.Git("push", "--quiet", "origin", "main")
	// The user is elsewhere: another branch checked out, a change staged, one not.
	u.clone.Git("checkout", "--quiet", "-b", "feature", u.good)
	u.clone.Write(map[string]string{"apps/cm.yaml": "staged\n"})
	u.clone.Git("add", "apps/cm.yaml")
	u.clone.Write(map[string]string{"apps/cm.yaml": "unstaged\n", "notes.txt": "untracked\n"})
	return u
}

// land pushes a commit of files on top of the remote's main from another clone, as a
// colleague would, and returns its SHA.
func (u *upstream) land(t *testing.T, message string, files map[string]string) string {
	t.Helper()
	w := gittest.New(t)
	w.Git("pull", "--quiet", u.remote.Dir, "main")
	sha := w.Commit(message, files)
	w.Git("push", "--quiet", u.remote.Dir, "HEAD:refs/heads/main")
	return sha
}

// state is what a revert must leave alone in the clone and the remote.
func (u *upstream) state() []string {
	return []string{
		u.clone.Git("symbolic-ref", "HEAD"), u.clone.Git("rev-parse", "HEAD"),
		u.clone.Git("status", "--porcelain"), u.clone.Git("diff", "--cached"), u.clone.Git("diff"),
		u.clone.Git("for-each-ref", "--format=%(refname) %(objectname)", "refs/heads/"),
		u.remote.Git("for-each-ref", "--format=%(refname) %(objectname)"),
	}
}

func snapshot(sha, status string, age int) map[string]any {
	first := time.Date(2026, 1, 1, 12, 0, 0, 0, time.UTC).Add(-time.Duration(age) * time.Hour).Format(time.RFC3339)
	return map[string]any{
		"digest": "sha256:" + sha, "firstReconciled": first, "lastReconciled": "2026-01-02T00:00:00Z",
		"lastReconciledDuration": "1s", "lastReconciledStatus": status, "totalReconciliations": int64(1),
		"metadata": map[string]any{"revision": "main@sha1:" + sha},
	}
}

// kustomization is apps, reading GitRepository flux-system from ./apps, that applied
// the commits of history (newest first) and runs the first.
func kustomization(sourceKind string, history ...string) *unstructured.Unstructured {
	snaps := []any{}
	for i, sha := range history {
		snaps = append(snaps, snapshot(sha, "ReconciliationSucceeded", i))
	}
	status := map[string]any{"history": snaps}
	if len(history) > 0 {
		status["lastAppliedRevision"] = "main@sha1:" + history[0]
		status["lastAttemptedRevision"] = "main@sha1:" + history[0]
	}
	return &unstructured.Unstructured{Object: map[string]any{
		"apiVersion": "kustomize.toolkit.fluxcd.io/v1", "kind": "Kustomization",
		"metadata": map[string]any{"namespace": "flux-system", "name": "apps", "resourceVersion": "3"},
		"spec":     map[string]any{"path": "./apps", "interval": "1m", "prune": true, "sourceRef": map[string]any{"kind": sourceKind, "name": "flux-system"}},
		"status":   status,
	}}
}

func gitRepository(url string, ref map[string]any, annotations map[string]any, tip string) *unstructured.Unstructured {
	meta := map[string]any{"namespace": "flux-system", "name": "flux-system", "resourceVersion": "7"}
	if annotations != nil {
		meta["annotations"] = annotations
	}
	return &unstructured.Unstructured{Object: map[string]any{
		"apiVersion": "source.toolkit.fluxcd.io/v1", "kind": "GitRepository", "metadata": meta,
		"spec":   map[string]any{"url": url, "interval": "1m", "ref": ref},
		"status": map[string]any{"artifact": map[string]any{"revision": "main@sha1:" + tip, "path": "p", "url": "http://x", "digest": "sha256:0", "lastUpdateTime": "2026-01-02T00:00:00Z"}},
	}}
}

func TestRevertDryRun(t *testing.T) {
	u := newUpstream(t)
	before := u.state()
	f := clustertest.New("flux-system", kustomization("GitRepository", u.tweak, u.good), gitRepository(u.remote.Dir, map[string]any{"branch": "main"}, nil, u.tweak))
	asked := 0
	res, err := Revert(context.Background(), f.Dynamic, RevertRequest{
		Namespace: "flux-system", Name: "apps", Choice: history.Choice{Steps: 1}, GitDir: u.clone.Dir, Wait: true,
		Hooks: write.Hooks{DryRun: true, Confirm: func(string) error { asked++; return nil }},
	})
	if err != nil {
		t.Fatal(err)
	}
	if res.Remote != "origin" || res.Branch != "main" || res.URL != u.remote.Dir || res.Target != u.good || res.Base != u.tweak ||
		!reflect.DeepEqual(res.Paths, []string{"apps", "base"}) || !reflect.DeepEqual(res.Files, []string{"apps/cm.yaml", "base/ns.yaml"}) ||
		!res.BuildChecked || !res.DryRun || res.Changed || res.Pushed || res.Commit != "" || res.LocalBranch != "" || res.Undo != "" ||
		!reflect.DeepEqual(res.Notes, []string{"dry run: the commit was built and checked, nothing was pushed or changed"}) {
		t.Errorf("result %+v", res)
	}
	if res.Plan == nil || len(res.Plan.Undoes) != 2 || res.Plan.Undoes[0].SHA != u.tweak || res.Plan.Undoes[1].SHA != u.drift {
		t.Errorf("plan %+v", res.Plan)
	}
	if asked != 0 {
		t.Errorf("a dry run asked %d times", asked)
	}
	if after := u.state(); !reflect.DeepEqual(after, before) {
		t.Errorf("the dry run changed the clone or the remote:\n%q\n%q", before, after)
	}
}

func TestRevertPushes(t *testing.T) {
	u := newUpstream(t)
	f := clustertest.New("flux-system", kustomization("GitRepository", u.tweak, u.good), gitRepository(u.remote.Dir, map[string]any{"branch": "main"}, nil, u.tweak))
	var summary string
	res, err := Revert(context.Background(), f.Dynamic, RevertRequest{
		Namespace: "flux-system", Name: "apps", Choice: history.Choice{To: u.good[:10]}, GitDir: u.clone.Dir, Reason: "outage",
		Hooks: write.Hooks{Confirm: func(s string) error { summary = s; return nil }},
	})
	if err != nil {
		t.Fatal(err)
	}
	head := u.remote.Git("rev-parse", "main")
	if !res.Pushed || !res.Changed || res.Commit != head || res.LocalBranch != "" || !res.BuildChecked {
		t.Errorf("result %+v; remote main at %s", res, head)
	}
	if want := "commit a revert of Kustomization flux-system/apps to " + git.Short(u.good) + " on main (2 files) and push it to origin: "; !strings.HasPrefix(summary, want) {
		t.Errorf("asked %q, want it to start with %q", summary, want)
	}
	if parent := u.remote.Git("rev-parse", head+"^"); parent != u.tweak {
		t.Errorf("the revert's parent is %s, want the branch head %s", parent, u.tweak)
	}
	// apps and base as they were at good; the file no Kustomization reads kept.
	want := u.remote.Files(u.good)
	want["other/x.yaml"] = "x: 1\n"
	if got := u.remote.Files(head); !reflect.DeepEqual(got, want) {
		t.Errorf("the revert's tree is %q, want %q", got, want)
	}
	msg := u.remote.Git("show", "-s", "--format=%B", head)
	if !strings.HasPrefix(msg, "Revert flux-system/apps to "+git.Short(u.good)+"\n\nRestores what Kustomization flux-system/apps builds from (apps, base) to commit "+u.good) || !strings.Contains(msg, "\n\nReason: outage\n") {
		t.Errorf("message %q", msg)
	}
	if res.Undo != "kubectl gitops rollback revert apps -n flux-system --commit "+git.Short(head)+" --git-dir "+u.clone.Git("rev-parse", "--show-toplevel") {
		t.Errorf("undo %q", res.Undo)
	}
	// The user's checkout is where it was.
	if b := u.clone.Git("symbolic-ref", "--short", "HEAD"); b != "feature" || u.clone.Git("diff") == "" || u.clone.Git("rev-parse", "refs/heads/main") != u.tweak {
		t.Errorf("the clone's checkout moved: on %s", b)
	}

	// Undoing that one commit is the undo it printed, and brings back the tweak's tree.
	res, err = Revert(context.Background(), f.Dynamic, RevertRequest{Namespace: "flux-system", Name: "apps", OneCommit: head, GitDir: u.clone.Dir})
	if err != nil {
		t.Fatal(err)
	}
	back := u.remote.Git("rev-parse", "main")
	if res.Reverted != head || !res.Pushed || back == head || !reflect.DeepEqual(u.remote.Files(back), u.remote.Files(u.tweak)) {
		t.Errorf("undo of the revert: %+v", res)
	}
}

func TestRevertNoPushKeepsALocalBranch(t *testing.T) {
	u := newUpstream(t)
	remoteBefore := u.remote.Git("for-each-ref")
	f := clustertest.New("flux-system", kustomization("GitRepository", u.tweak, u.good), gitRepository(u.remote.Dir, map[string]any{"branch": "main"}, nil, u.tweak))
	res, err := Revert(context.Background(), f.Dynamic, RevertRequest{Namespace: "flux-system", Name: "apps", Choice: history.Choice{Steps: 1}, GitDir: u.clone.Dir, NoPush: true})
	if err != nil {
		t.Fatal(err)
	}
	if res.Pushed || !res.Changed || res.LocalBranch != "rollback/apps-"+git.Short(res.Commit) || u.clone.Git("rev-parse", res.LocalBranch) != res.Commit {
		t.Errorf("result %+v", res)
	}
	if got := u.remote.Git("for-each-ref"); got != remoteBefore {
		t.Errorf("--no-push changed the remote: %s", got)
	}
}

// TestRevertOneCommit undoes one commit's changes under the Kustomization's inputs:
// the rest of that commit stays, and a change later commits built on is refused.
func TestRevertOneCommit(t *testing.T) {
	u := newUpstream(t)
	f := clustertest.New("flux-system", kustomization("GitRepository", u.tweak, u.good), gitRepository(u.remote.Dir, map[string]any{"branch": "main"}, nil, u.tweak))
	res, err := Revert(context.Background(), f.Dynamic, RevertRequest{Namespace: "flux-system", Name: "apps", OneCommit: u.drift[:8], GitDir: u.clone.Dir, NoPush: true})
	if err != nil {
		t.Fatal(err)
	}
	want := u.clone.Files(u.tweak)
	want["apps/cm.yaml"] = u.clone.Files(u.good)["apps/cm.yaml"]
	if res.Reverted != u.drift || !reflect.DeepEqual(res.Files, []string{"apps/cm.yaml"}) || !res.BuildChecked || !reflect.DeepEqual(u.clone.Files(res.Commit), want) {
		t.Errorf("result %+v, tree %q", res, u.clone.Files(res.Commit))
	}

	// A commit that changed nothing apps builds from: nothing to revert.
	other := u.land(t, "other", map[string]string{"other/x.yaml": "x: 2\n"})
	res, err = Revert(context.Background(), f.Dynamic, RevertRequest{Namespace: "flux-system", Name: "apps", OneCommit: other, GitDir: u.clone.Dir})
	if err != nil || res.Changed || res.Commit != "" || len(res.Files) != 0 ||
		!reflect.DeepEqual(res.Notes, []string{"commit " + git.Short(other) + " changed nothing Kustomization flux-system/apps builds from: nothing to revert"}) {
		t.Errorf("no-op revert: %+v, %v", res, err)
	}

	// A later commit changed the same lines: the revert does not apply.
	u.land(t, "later", map[string]string{"apps/cm.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: app\ndata:\n  v: \"3\"\n"})
	before := u.remote.Git("for-each-ref")
	_, err = Revert(context.Background(), f.Dynamic, RevertRequest{Namespace: "flux-system", Name: "apps", OneCommit: u.drift, GitDir: u.clone.Dir})
	if exitcode.Of(err) != exitcode.Failure || err == nil || !strings.HasPrefix(err.Error(), "commit "+git.Short(u.drift)+"'s changes do not revert cleanly on main") {
		t.Errorf("conflicting revert: %v (code %d)", err, exitcode.Of(err))
	}
	if after := u.remote.Git("for-each-ref"); after != before {
		t.Errorf("a refused revert changed the remote: %s", after)
	}
}

func TestRevertRefusals(t *testing.T) {
	u := newUpstream(t)
	held := map[string]any{status.SwitchAnnotation: `{"action":"pin","refBefore":{"branch":"main"},"at":"2026-01-01T00:00:00Z","undo":"kubectl gitops rollback unpin apps -n flux-system"}`}
	tests := []struct {
		name   string
		ks     *unstructured.Unstructured
		repo   *unstructured.Unstructured
		req    RevertRequest
		code   exitcode.Code
		prefix string
	}{
		{
			name: "clone of another repository",
			ks:   kustomization("GitRepository", u.tweak, u.good),
			repo: gitRepository("https://deploy:s3cret@git.example.com/other.git", map[string]any{"branch": "main"}, nil, u.tweak),
			code: exitcode.Usage, prefix: "no remote of the clone at " + u.clone.Dir + " points at the source's URL: clone https://git.example.com/other.git, or pass the folder of a clone of it",
		},
		{
			name: "a source held by a pin",
			ks:   kustomization("GitRepository", u.tweak, u.good),
			repo: gitRepository(u.remote.Dir, map[string]any{"branch": "main", "commit": u.good}, held, u.good),
			code: exitcode.Failure, prefix: "GitRepository flux-system/flux-system is held on commit " + u.good + " (on branch main) by kubectl gitops: Flux would not apply the revert; undo that first ('kubectl gitops rollback unpin apps -n flux-system') or use --no-push",
		},
		{
			name: "a source on a tag",
			ks:   kustomization("GitRepository", u.tweak, u.good),
			repo: gitRepository(u.remote.Dir, map[string]any{"tag": "v1"}, nil, u.tweak),
			code: exitcode.Usage, prefix: "GitRepository flux-system/flux-system tracks tag v1, not a branch: a revert needs a branch to commit on",
		},
		{
			name: "an OCI source",
			ks:   kustomization("OCIRepository", u.tweak, u.good),
			repo: gitRepository(u.remote.Dir, map[string]any{"branch": "main"}, nil, u.tweak),
			code: exitcode.Usage, prefix: "Kustomization flux-system/apps reads a OCIRepository, not a GitRepository",
		},
		{
			name: "a target the clone lacks",
			ks:   kustomization("GitRepository", u.tweak, strings.Repeat("9", 40)),
			repo: gitRepository(u.remote.Dir, map[string]any{"branch": "main"}, nil, u.tweak),
			code: exitcode.NotFound, prefix: "commit 999999999999 is not in the clone at ",
		},
		{
			name: "a commit not on the branch",
			ks:   kustomization("GitRepository", u.tweak, u.good),
			repo: gitRepository(u.remote.Dir, map[string]any{"branch": "main"}, nil, u.tweak),
			req:  RevertRequest{OneCommit: "feature-only"},
			code: exitcode.NotFound, prefix: "commit feature-only is not in the clone at ",
		},
		{
			name: "the answer is no",
			ks:   kustomization("GitRepository", u.tweak, u.good),
			repo: gitRepository(u.remote.Dir, map[string]any{"branch": "main"}, nil, u.tweak),
			req:  RevertRequest{Hooks: write.Hooks{Confirm: func(string) error { return exitcode.New(exitcode.Usage, "refused") }}},
			code: exitcode.Usage, prefix: "refused",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			before := u.state()
			f := clustertest.New("flux-system", tt.ks, tt.repo)
			r := tt.req
			r.Namespace, r.Name, r.GitDir = "flux-system", "apps", u.clone.Dir
			if r.OneCommit == "" {
				r.Choice = history.Choice{Steps: 1}
			}
			res, err := Revert(context.Background(), f.Dynamic, r)
			if res != nil || err == nil || exitcode.Of(err) != tt.code || !strings.HasPrefix(err.Error(), tt.prefix) || strings.Contains(err.Error(), "s3cret") {
				t.Errorf("Revert = %+v, %v (code %d), want code %d with %q", res, err, exitcode.Of(err), tt.code, tt.prefix)
			}
			if after := u.state(); !reflect.DeepEqual(after, before) {
				t.Errorf("a refusal changed the clone or the remote:\n%q\n%q", before, after)
			}
		})
	}
}

// TestRevertNothingToDo: the inputs on the branch already equal the target's.
func TestRevertNothingToDo(t *testing.T) {
	u := newUpstream(t)
	f := clustertest.New("flux-system", kustomization("GitRepository", u.good, u.good), gitRepository(u.remote.Dir, map[string]any{"branch": "main"}, nil, u.tweak))
	u.clone.Git("push", "--quiet", "--force", "origin", u.good+":refs/heads/main")
	res, err := Revert(context.Background(), f.Dynamic, RevertRequest{Namespace: "flux-system", Name: "apps", Choice: history.Choice{To: u.good}, GitDir: u.clone.Dir})
	if err != nil {
		t.Fatal(err)
	}
	if res.Changed || res.Pushed || res.Commit != "" || len(res.Files) != 0 ||
		!reflect.DeepEqual(res.Notes, []string{"what Kustomization flux-system/apps builds from on main already equals " + git.Short(u.good) + ": nothing to revert"}) {
		t.Errorf("result %+v", res)
	}
}
