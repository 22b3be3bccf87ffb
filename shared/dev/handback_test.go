package dev

import (
	"context"
	"encoding/json"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/types"
	dynamicfake "k8s.io/client-go/dynamic/fake"
	k8stesting "k8s.io/client-go/testing"

	"github.com/kubectl-gitops/kubectl-gitops/shared/exitcode"
	"github.com/kubectl-gitops/kubectl-gitops/shared/flux"
	"github.com/kubectl-gitops/kubectl-gitops/shared/git/gittest"
	"github.com/kubectl-gitops/kubectl-gitops/shared/output"
	"github.com/kubectl-gitops/kubectl-gitops/shared/status"
	"github.com/kubectl-gitops/kubectl-gitops/shared/write"
)

// suspended is Kustomization namespace/name suspended with reason.
func suspended(namespace, name, reason string) *unstructured.Unstructured {
	u := kustomization(namespace, name, "./"+name, "GitRepository/flux-system/flux-system")
	u.Object["spec"].(map[string]any)["suspend"] = true
	u.SetAnnotations(map[string]string{status.SuspendReasonAnnotation: reason, status.SuspendByAnnotation: "alice"})
	return u
}

func TestResume(t *testing.T) {
	s := session()
	s.Kustomizations = []output.ObjectRef{
		{Kind: flux.KindKustomization, Namespace: "flux-system", Name: "apps"},
		{Kind: flux.KindKustomization, Namespace: "flux-system", Name: "infra"},
		{Kind: flux.KindKustomization, Namespace: "flux-system", Name: "db"},
		{Kind: flux.KindKustomization, Namespace: "flux-system", Name: "gone"},
	}
	dyn := fakeCluster(
		suspended("flux-system", "apps", s.Reason()),
		suspended("flux-system", "infra", "INC-42: freeze"),
		kustomization("flux-system", "db", "./db", "GitRepository/flux-system"),
	)
	res := newResult("abort", s, false)
	if err := (HandBack{Session: s, Hooks: write.Hooks{Now: time.Now}}).resume(context.Background(), dyn, res); err != nil {
		t.Fatal(err)
	}
	if len(res.Resumed) != 1 || res.Resumed[0].Name != "apps" {
		t.Errorf("resumed %+v, want apps alone", res.Resumed)
	}
	for name, want := range map[string]bool{"apps": false, "infra": true, "db": false} {
		u, err := flux.Get(context.Background(), dyn, flux.KindKustomization, "flux-system", name)
		if err != nil || status.Of(u).Suspended != want {
			t.Errorf("%s suspended = %v (%v), want %v", name, status.Of(u).Suspended, err, want)
		}
	}
	for _, want := range []string{"Kustomization flux-system/infra was suspended again by someone else (INC-42: freeze", "Kustomization flux-system/gone no longer exists"} {
		if !slices.ContainsFunc(res.Notes, func(n string) bool { return strings.HasPrefix(n, want) }) {
			t.Errorf("notes %q, want one starting %q", res.Notes, want)
		}
	}
}

func TestSummary(t *testing.T) {
	s := session()
	s.Kustomizations = append(s.Kustomizations, output.ObjectRef{Kind: flux.KindKustomization, Namespace: "shop", Name: "web"})
	s.record(Applied{ObjectRef: output.ObjectRef{APIVersion: "v1", Kind: "Service", Namespace: "shop", Name: "new"}, Created: true})
	s.record(Applied{ObjectRef: output.ObjectRef{APIVersion: "v1", Kind: "ConfigMap", Namespace: "shop", Name: "cfg"}})
	want := "abort dev session feature-x: resume Kustomization flux-system/apps, shop/web, give back 2 applied objects (delete the 1 it created unless Git declares them)"
	if got := (HandBack{Session: s}).summary("abort"); got != want {
		t.Errorf("summary = %q, want %q", got, want)
	}
}

// handBackCluster holds a session's paused Kustomization, whose inventory declares
// ConfigMap shop/declared, and the ConfigMaps the session created: created (Git does
// not declare it), declared, labelled (another Kustomization applies it since) and
// gone (deleted since).
func handBackCluster(t *testing.T) (*HandBack, *dynamicfake.FakeDynamicClient) {
	t.Helper()
	s := session()
	ks := suspended("flux-system", "apps", s.Reason())
	ks.Object["status"] = map[string]any{"inventory": map[string]any{"entries": []any{
		map[string]any{"id": "shop_declared__ConfigMap", "v": "v1"},
	}}}
	dyn := fakeCluster(ks,
		object("v1", "ConfigMap", "shop", "created", nil),
		object("v1", "ConfigMap", "shop", "declared", nil),
		object("v1", "ConfigMap", "shop", "labelled", map[string]string{flux.KustomizeNameLabel: "other", flux.KustomizeNamespaceLabel: "flux-system"}))
	for _, name := range []string{"created", "declared", "labelled", "gone"} {
		s.record(Applied{ObjectRef: output.ObjectRef{APIVersion: "v1", Kind: "ConfigMap", Namespace: "shop", Name: name}, Created: true})
	}
	if err := (Store{Dyn: dyn}).Create(context.Background(), s); err != nil {
		t.Fatal(err)
	}
	// The in-memory client has no server-side apply: the give-back, an apply of nothing
	// under the suite's field manager, is checked as it is sent.
	dyn.PrependReactor("patch", "configmaps", func(a k8stesting.Action) (bool, runtime.Object, error) {
		p := a.(k8stesting.PatchAction)
		if p.GetPatchType() != types.ApplyPatchType {
			return false, nil, nil
		}
		var body map[string]any
		if err := json.Unmarshal(p.GetPatch(), &body); err != nil {
			t.Fatal(err)
		}
		want := map[string]any{"apiVersion": "v1", "kind": "ConfigMap", "metadata": map[string]any{"name": p.GetName(), "namespace": "shop"}}
		if !reflect.DeepEqual(body, want) {
			t.Errorf("give-back of %s applies %v, want only its identity", p.GetName(), body)
		}
		u, err := dyn.Tracker().Get(configMaps, p.GetNamespace(), p.GetName())
		return true, u, err
	})
	mapper := meta.NewDefaultRESTMapper(nil)
	mapper.Add(schema.GroupVersionKind{Version: "v1", Kind: "ConfigMap"}, meta.RESTScopeNamespace)
	return &HandBack{Session: s, Mapper: mapper, Hooks: write.Hooks{User: "alice", Now: time.Now}}, dyn
}

func configMapExists(t *testing.T, dyn *dynamicfake.FakeDynamicClient, name string) bool {
	t.Helper()
	_, err := dyn.Resource(configMaps).Namespace("shop").Get(context.Background(), name, metav1.GetOptions{})
	if err != nil && !apierrors.IsNotFound(err) {
		t.Fatal(err)
	}
	return err == nil
}

func objectNames(os []output.ObjectRef) []string {
	var out []string
	for _, o := range os {
		out = append(out, o.Name)
	}
	slices.Sort(out)
	return out
}

// TestAbort: the session's pause is resumed, what it created and Git does not declare
// is deleted, the rest given back, and the record closed.
func TestAbort(t *testing.T) {
	r, dyn := handBackCluster(t)
	res, err := Abort(context.Background(), dyn, *r)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(objectNames(res.Deleted), []string{"created"}) || !slices.Equal(objectNames(res.Released), []string{"declared", "labelled"}) ||
		!slices.Equal(objectNames(res.Resumed), []string{"apps"}) || !res.Closed || res.Pushed {
		t.Errorf("abort: deleted %v, released %v, resumed %v, closed %v, pushed %v", objectNames(res.Deleted), objectNames(res.Released), objectNames(res.Resumed), res.Closed, res.Pushed)
	}
	for name, want := range map[string]bool{"created": false, "declared": true, "labelled": true} {
		if configMapExists(t, dyn, name) != want {
			t.Errorf("ConfigMap %s exists = %v, want %v", name, !want, want)
		}
	}
	if _, err := (Store{Dyn: dyn}).Get(context.Background(), "flux-system", "feature-x"); exitcode.Of(err) != exitcode.NotFound {
		t.Errorf("record after abort: %v", err)
	}
	if !slices.Contains(res.Notes, keptBranchNote(r.Session)) {
		t.Errorf("notes %q lack where the branch is", res.Notes)
	}
}

// TestAbortDryRun plans the hand-back and deletes nothing.
func TestAbortDryRun(t *testing.T) {
	r, dyn := handBackCluster(t)
	r.DryRun = true
	res, err := Abort(context.Background(), dyn, *r)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"would delete ConfigMap shop/created unless Git declares it", "would delete ConfigMap shop/gone unless Git declares it"} {
		if !slices.Contains(res.Notes, want) {
			t.Errorf("notes %q, want %q", res.Notes, want)
		}
	}
	if res.Closed || len(res.Deleted) != 0 || !configMapExists(t, dyn, "created") {
		t.Errorf("a dry run deleted or closed: %+v", res)
	}
	if _, err := (Store{Dyn: dyn}).Get(context.Background(), "flux-system", "feature-x"); err != nil {
		t.Errorf("record after a dry run: %v", err)
	}
}

// finishFixture is handBackCluster with a clone whose session branch has checkpoints
// commits on top of the remote's main.
func finishFixture(t *testing.T, checkpoints int) (*FinishRequest, *dynamicfake.FakeDynamicClient, *gittest.Repo, *gittest.Repo) {
	t.Helper()
	r, dyn := handBackCluster(t)
	gittest.Isolate(t)
	remote := gittest.Bare(t)
	clone := gittest.New(t)
	base := clone.Commit("initial", map[string]string{"apps/cm.yaml": "kind: ConfigMap\n"})
	clone.Git("remote", "add", "origin", remote.Dir)
	clone.Git("push", "--quiet", "origin", "main")
	clone.Git("checkout", "--quiet", "-b", "dev/feature-x")
	for i := range checkpoints {
		clone.Commit("checkpoint", map[string]string{"apps/cm.yaml": strings.Repeat("x", i+1) + "\n"})
	}
	r.Session.Base = base
	c, err := OpenClone(context.Background(), clone.Dir, remote.Dir)
	if err != nil {
		t.Fatal(err)
	}
	return &FinishRequest{HandBack: *r, Clone: c, Message: "Add feature X"}, dyn, remote, clone
}

func TestFinish(t *testing.T) {
	r, dyn, remote, clone := finishFixture(t, 3)
	head := clone.Git("rev-parse", "HEAD")
	res, err := Finish(context.Background(), dyn, *r)
	if err != nil {
		t.Fatal(err)
	}
	pushed := remote.Git("rev-parse", "dev/feature-x")
	if res.Commit != pushed || !res.Pushed || !res.Closed || res.PullRequest != `gh pr create --base main --head dev/feature-x --title "Add feature X"` {
		t.Errorf("finish: commit %s (remote %s), pushed %v, closed %v, %q", res.Commit, pushed, res.Pushed, res.Closed, res.PullRequest)
	}
	// One commit on the base, with the checkpoints' tree and the message given.
	if parent := remote.Git("rev-parse", pushed+"^"); parent != r.Session.Base {
		t.Errorf("squashed commit's parent %s, want the base %s", parent, r.Session.Base)
	}
	if remote.Git("rev-parse", pushed+"^{tree}") != clone.Git("rev-parse", head+"^{tree}") || remote.Git("log", "-1", "--format=%s", pushed) != "Add feature X" {
		t.Error("the squashed commit is not the checkpoints' tree with the message")
	}
	if configMapExists(t, dyn, "created") {
		t.Error("finish left what the session created and Git does not declare")
	}
}

// TestFinishPushedAlready: a finish cut short after its push hands back without
// squashing again.
func TestFinishPushedAlready(t *testing.T) {
	r, dyn, remote, clone := finishFixture(t, 1)
	clone.Git("push", "--quiet", "origin", "dev/feature-x")
	head := clone.Git("rev-parse", "HEAD")
	res, err := Finish(context.Background(), dyn, *r)
	if err != nil || res.Commit != head || !res.Closed || remote.Git("rev-parse", "dev/feature-x") != head {
		t.Fatalf("finish = %+v, %v", res, err)
	}
	if want := "dev/feature-x was pushed already, at " + head[:12]; !slices.Contains(res.Notes, want) {
		t.Errorf("notes %q, want %q", res.Notes, want)
	}
}

// TestFinishRefuses: what Finish refuses leaves the cluster, the record and the branch
// as they were.
func TestFinishRefuses(t *testing.T) {
	for _, tc := range []struct {
		name    string
		prepare func(t *testing.T, clone, remote *gittest.Repo)
		code    exitcode.Code
		msg     string
	}{
		{"uncommitted changes", func(t *testing.T, c, _ *gittest.Repo) {
			c.Write(map[string]string{"apps/cm.yaml": "changed\n"})
		}, exitcode.Usage, "has uncommitted changes ( M apps/cm.yaml): save them with 'kubectl gitops dev checkpoint MSG' first"},
		{"no session branch", func(t *testing.T, c, _ *gittest.Repo) {
			c.Git("checkout", "--quiet", "main")
			c.Git("branch", "--quiet", "-D", "dev/feature-x")
		}, exitcode.NotFound, "the session branch dev/feature-x is not in the clone"},
		{"the remote moved", func(t *testing.T, _, remote *gittest.Repo) {
			other := gittest.New(t)
			other.Git("remote", "add", "origin", remote.Dir)
			other.Git("fetch", "--quiet", "origin", "main")
			other.Git("checkout", "--quiet", "-b", "dev/feature-x", "FETCH_HEAD")
			other.Commit("someone else", map[string]string{"other.yaml": "x\n"})
			other.Git("push", "--quiet", "origin", "dev/feature-x")
		}, exitcode.Failure, "the push was rejected"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r, dyn, remote, clone := finishFixture(t, 2)
			head := clone.Git("rev-parse", "dev/feature-x")
			tc.prepare(t, clone, remote)
			_, err := Finish(context.Background(), dyn, *r)
			if exitcode.Of(err) != tc.code || err == nil || !strings.Contains(err.Error(), tc.msg) {
				t.Fatalf("Finish = %v (code %d), want code %d %q", err, exitcode.Of(err), tc.code, tc.msg)
			}
			if tc.code != exitcode.NotFound && clone.Git("rev-parse", "dev/feature-x") != head {
				t.Error("the session branch moved off its checkpoints")
			}
			if _, err := (Store{Dyn: dyn}).Get(context.Background(), "flux-system", "feature-x"); err != nil {
				t.Errorf("record after a refused finish: %v", err)
			}
			if !configMapExists(t, dyn, "created") {
				t.Error("a refused finish deleted what the session created")
			}
		})
	}
}
