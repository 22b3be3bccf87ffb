package dev

import (
	"context"
	"slices"
	"strings"
	"testing"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"

	"github.com/kubectl-gitops/kubectl-gitops/shared/exitcode"
	"github.com/kubectl-gitops/kubectl-gitops/shared/flux"
	"github.com/kubectl-gitops/kubectl-gitops/shared/git/gittest"
	"github.com/kubectl-gitops/kubectl-gitops/shared/output"
)

func TestFind(t *testing.T) {
	alice := session()
	bob := session()
	bob.ID, bob.User, bob.Branch = "cache", "bob", "dev/cache"
	alice2 := session()
	alice2.ID, alice2.Branch = "db", "dev/db"
	gittest.Isolate(t)
	repo := gittest.New(t)
	repo.Commit("initial", nil)
	for _, tc := range []struct {
		name   string
		open   []*Session
		id     string
		branch string // checked out in the clone; "" for no clone
		user   string
		want   string
		code   exitcode.Code
		msg    string
	}{
		{"named", []*Session{alice, bob}, "cache", "", "alice", "cache", exitcode.OK, ""},
		{"named wins over the branch", []*Session{alice, bob}, "cache", "dev/feature-x", "alice", "cache", exitcode.OK, ""},
		{"named, not open", []*Session{alice}, "nope", "", "alice", "", exitcode.NotFound, `no open dev session "nope"`},
		{"from the branch checked out", []*Session{alice, alice2, bob}, "", "dev/db", "alice", "db", exitcode.OK, ""},
		{"from someone else's branch", []*Session{alice, bob}, "", "dev/cache", "alice", "cache", exitcode.OK, ""},
		{"branch of no open session", []*Session{alice, bob}, "", "dev/closed", "alice", "", exitcode.NotFound, `no open dev session "closed"`},
		{"not a session branch: the user's only one", []*Session{alice, bob}, "", "main", "alice", "feature-x", exitcode.OK, ""},
		{"no clone: the user's only one", []*Session{bob, alice}, "", "", "alice", "feature-x", exitcode.OK, ""},
		{"the user has two", []*Session{alice, alice2, bob}, "", "main", "alice", "", exitcode.Usage, "which session? name it with --session ID, or check out its branch: open are "},
		{"someone else's only", []*Session{bob}, "", "", "alice", "", exitcode.Usage, "open are cache (bob)"},
		{"none open", nil, "", "main", "alice", "", exitcode.NotFound, "no dev session is open"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dyn := fakeCluster()
			for _, s := range tc.open {
				c := *s
				if err := (Store{Dyn: dyn}).Create(context.Background(), &c); err != nil {
					t.Fatal(err)
				}
			}
			var clone *Clone
			if tc.branch != "" {
				repo.Git("checkout", "--quiet", "-B", tc.branch)
				clone = LocalClone(context.Background(), repo.Dir)
			}
			got, err := Find(context.Background(), dyn, tc.id, clone, tc.user, "flux-system")
			if exitcode.Of(err) != tc.code || (err != nil && !strings.Contains(err.Error(), tc.msg)) {
				t.Fatalf("Find = %v (code %d), want code %d %q", err, exitcode.Of(err), tc.code, tc.msg)
			}
			if err == nil && got.ID != tc.want {
				t.Errorf("Find = %s, want %s", got.ID, tc.want)
			}
		})
	}
}

func TestSourceURL(t *testing.T) {
	s := session()
	s.Source.Namespace, s.Source.Name = "flux-system", "flux-system"
	dyn := fakeCluster(gitRepository("flux-system", "flux-system", "https://git.example/fleet.git", map[string]any{"branch": "main"}))
	if url, err := SourceURL(context.Background(), dyn, s); err != nil || url != "https://git.example/fleet.git" {
		t.Errorf("SourceURL = %q, %v", url, err)
	}
	s.Source.Name = "gone"
	if _, err := SourceURL(context.Background(), dyn, s); exitcode.Of(err) != exitcode.NotFound {
		t.Errorf("SourceURL of a missing GitRepository = %v", err)
	}
}

func TestFindDeclared(t *testing.T) {
	declared := []*unstructured.Unstructured{
		object("v1", "ConfigMap", "shop", "cfg", nil),
		object("apps/v1", "Deployment", "", "api", nil), // namespace left to the Kustomization
		object("rbac.authorization.k8s.io/v1", "ClusterRole", "", "reader", nil),
	}
	for _, tc := range []struct {
		name string
		want *unstructured.Unstructured
		hit  int // index in declared, -1 for none
	}{
		{"same object", object("v1", "ConfigMap", "shop", "cfg", nil), 0},
		{"other namespace", object("v1", "ConfigMap", "web", "cfg", nil), -1},
		{"other name", object("v1", "ConfigMap", "shop", "other", nil), -1},
		{"namespace from the Kustomization", object("apps/v1", "Deployment", "shop", "api", nil), 1},
		{"another version of the group", object("apps/v1beta2", "Deployment", "shop", "api", nil), 1},
		{"another group", object("example.com/v1", "Deployment", "shop", "api", nil), -1},
		{"cluster-scoped", object("rbac.authorization.k8s.io/v1", "ClusterRole", "", "reader", nil), 2},
	} {
		got := find(declared, tc.want)
		if (tc.hit < 0) != (got == nil) || (tc.hit >= 0 && got != declared[tc.hit]) {
			t.Errorf("%s: find = %v, want index %d", tc.name, got, tc.hit)
		}
	}
}

// TestDeclared: what the tracked branch declares is read at the remote's head, not
// at the clone's checkout, and built as kustomize-controller builds it, with the
// Kustomization's targetNamespace on what names a namespace (an object that names none
// is left to find, which matches it in any namespace).
func TestDeclared(t *testing.T) {
	gittest.Isolate(t)
	remote := gittest.Bare(t)
	clone := gittest.New(t)
	clone.Commit("initial", map[string]string{
		"apps/kustomization.yaml": "resources:\n- cm.yaml\n",
		"apps/cm.yaml":            "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: cfg\n  namespace: default\ndata:\n  region: eu\n",
	})
	clone.Git("remote", "add", "origin", remote.Dir)
	clone.Git("push", "--quiet", "origin", "main")
	// Someone else pushes to main after the clone was made.
	other := gittest.New(t)
	other.Git("pull", "--quiet", remote.Dir, "main")
	head := other.Commit("more", map[string]string{
		"apps/kustomization.yaml": "resources:\n- cm.yaml\n- sa.yaml\n",
		"apps/sa.yaml":            "apiVersion: v1\nkind: ServiceAccount\nmetadata:\n  name: api\n",
	})
	other.Git("push", "--quiet", remote.Dir, "main")

	ks := kustomization("flux-system", "apps", "./apps", "GitRepository/flux-system")
	ks.Object["spec"].(map[string]any)["targetNamespace"] = "shop"
	dyn := fakeCluster(ks)
	c, err := OpenClone(context.Background(), clone.Dir, remote.Dir)
	if err != nil {
		t.Fatal(err)
	}
	s := session()
	got, gotHead, err := DiffRequest{Session: s, Clone: c}.declared(context.Background(), dyn)
	if err != nil {
		t.Fatal(err)
	}
	var objs []string
	for _, u := range got {
		objs = append(objs, u.GetKind()+" "+u.GetNamespace()+"/"+u.GetName())
	}
	slices.Sort(objs)
	if gotHead != head || !slices.Equal(objs, []string{"ConfigMap shop/cfg", "ServiceAccount /api"}) {
		t.Errorf("declared = %v at %s, want the ConfigMap moved to shop and the ServiceAccount at %s", objs, gotHead, head)
	}
	if none, _, err := (DiffRequest{Session: s}).declared(context.Background(), dyn); none != nil || err != nil {
		t.Errorf("without a clone: %v, %v", none, err)
	}
	s.Kustomizations = []output.ObjectRef{{Kind: flux.KindKustomization, Namespace: "flux-system", Name: "gone"}}
	if _, _, err := (DiffRequest{Session: s, Clone: c}).declared(context.Background(), dyn); exitcode.Of(err) != exitcode.NotFound {
		t.Errorf("a Kustomization gone: %v", err)
	}
}
