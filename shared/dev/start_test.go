package dev

import (
	"context"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	sourcev1 "github.com/fluxcd/source-controller/api/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
	dynamicfake "k8s.io/client-go/dynamic/fake"

	"github.com/kubectl-gitops/kubectl-gitops/shared/exitcode"
	"github.com/kubectl-gitops/kubectl-gitops/shared/flux"
	"github.com/kubectl-gitops/kubectl-gitops/shared/git"
	"github.com/kubectl-gitops/kubectl-gitops/shared/git/gittest"
	"github.com/kubectl-gitops/kubectl-gitops/shared/output"
	"github.com/kubectl-gitops/kubectl-gitops/shared/status"
	"github.com/kubectl-gitops/kubectl-gitops/shared/write"
)

// fakeCluster is an in-memory cluster holding objs, where Flux's kinds and the
// session records (ConfigMaps) can be listed.
func fakeCluster(objs ...runtime.Object) *dynamicfake.FakeDynamicClient {
	lists := map[schema.GroupVersionResource]string{configMaps: "ConfigMapList"}
	for _, kind := range []string{flux.KindKustomization, flux.KindGitRepository, flux.KindHelmRelease} {
		gvr, _ := flux.GVR(kind)
		lists[gvr] = kind + "List"
	}
	return dynamicfake.NewSimpleDynamicClientWithCustomListKinds(runtime.NewScheme(), lists, objs...)
}

// kustomization is a Kustomization of path reading source (KIND/NAME, or
// KIND/NAMESPACE/NAME).
func kustomization(namespace, name, path, source string) *unstructured.Unstructured {
	parts := strings.Split(source, "/")
	ref := map[string]any{"kind": parts[0], "name": parts[len(parts)-1]}
	if len(parts) == 3 {
		ref["namespace"] = parts[1]
	}
	u := object("kustomize.toolkit.fluxcd.io/v1", flux.KindKustomization, namespace, name, nil)
	u.Object["spec"] = map[string]any{"path": path, "sourceRef": ref, "interval": "1m", "prune": true}
	return u
}

func gitRepository(namespace, name, url string, ref map[string]any) *unstructured.Unstructured {
	u := object("source.toolkit.fluxcd.io/v1", flux.KindGitRepository, namespace, name, nil)
	u.Object["spec"] = map[string]any{"url": url, "ref": ref, "interval": "1m"}
	return u
}

func names(us []*unstructured.Unstructured) []string {
	var out []string
	for _, u := range us {
		out = append(out, u.GetNamespace()+"/"+u.GetName())
	}
	slices.Sort(out)
	return out
}

func TestByPath(t *testing.T) {
	dyn := fakeCluster(
		kustomization("flux-system", "flux-system", "./clusters/prod", "GitRepository/flux-system"),
		kustomization("flux-system", "root", ".", "GitRepository/flux-system"),
		kustomization("flux-system", "apps", "./apps", "GitRepository/flux-system"),
		kustomization("flux-system", "apps-extra", "apps/", "GitRepository/flux-system"),
		kustomization("flux-system", "web", "./apps/web", "GitRepository/flux-system"),
		kustomization("flux-system", "oci", "./apps/web/base", "OCIRepository/charts"),
	)
	for _, tc := range []struct {
		path string
		want []string
		code exitcode.Code
	}{
		{"apps/web/base/deploy.yaml", []string{"flux-system/web"}, exitcode.OK}, // the deepest; the OCI one does not count
		{"./apps/web", []string{"flux-system/web"}, exitcode.OK},
		{"apps/api", []string{"flux-system/apps", "flux-system/apps-extra"}, exitcode.OK}, // two at the same depth
		{"apps", []string{"flux-system/apps", "flux-system/apps-extra"}, exitcode.OK},
		{"appsx/a.yaml", []string{"flux-system/root"}, exitcode.OK}, // a prefix of a name is not a folder
		{"infra/redis", []string{"flux-system/root"}, exitcode.OK},
	} {
		got, err := byPath(context.Background(), dyn, tc.path)
		if exitcode.Of(err) != tc.code || !slices.Equal(names(got), tc.want) {
			t.Errorf("byPath(%q) = %v, %v; want %v", tc.path, names(got), err, tc.want)
		}
	}
	noRoot := fakeCluster(kustomization("flux-system", "apps", "./apps", "GitRepository/flux-system"))
	if _, err := byPath(context.Background(), noRoot, "infra"); exitcode.Of(err) != exitcode.NotFound || !strings.Contains(err.Error(), "no Kustomization applies infra") {
		t.Errorf("byPath outside every path = %v", err)
	}
}

func TestResolve(t *testing.T) {
	main := map[string]any{"branch": "main"}
	dyn := fakeCluster(
		kustomization("flux-system", "apps", "./apps", "GitRepository/flux-system"),
		kustomization("flux-system", "infra", "./infra", "GitRepository/flux-system/flux-system"),
		kustomization("flux-system", "other", "./other", "GitRepository/other"),
		kustomization("flux-system", "charts", "./charts", "OCIRepository/charts"),
		kustomization("flux-system", "orphan", "./orphan", "GitRepository/gone"),
		gitRepository("flux-system", "flux-system", "https://git.example/fleet.git", main),
		gitRepository("flux-system", "other", "https://git.example/other.git", main),
	)
	for _, tc := range []struct {
		name string
		req  StartRequest
		want []string
		repo string
		code exitcode.Code
		msg  string
	}{
		{"named", StartRequest{Namespace: "flux-system", Kustomizations: []string{"apps", "infra"}}, []string{"flux-system/apps", "flux-system/infra"}, "https://git.example/fleet.git", exitcode.OK, ""},
		{"by path", StartRequest{Path: "other/x.yaml"}, []string{"flux-system/other"}, "https://git.example/other.git", exitcode.OK, ""},
		{"missing Kustomization", StartRequest{Namespace: "flux-system", Kustomizations: []string{"nope"}}, nil, "", exitcode.NotFound, "Kustomization flux-system/nope not found"},
		{"not a Git source", StartRequest{Namespace: "flux-system", Kustomizations: []string{"charts"}}, nil, "", exitcode.Usage, "reads a OCIRepository: a dev session works on a Git source"},
		{"two repositories", StartRequest{Namespace: "flux-system", Kustomizations: []string{"apps", "other"}}, nil, "", exitcode.Usage, "one session works on one repository"},
		{"missing GitRepository", StartRequest{Namespace: "flux-system", Kustomizations: []string{"orphan"}}, nil, "", exitcode.NotFound, "GitRepository flux-system/gone not found"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, repo, err := tc.req.resolve(context.Background(), dyn)
			if exitcode.Of(err) != tc.code || (err != nil && !strings.Contains(err.Error(), tc.msg)) {
				t.Fatalf("resolve error = %v (code %d), want code %d %q", err, exitcode.Of(err), tc.code, tc.msg)
			}
			if !slices.Equal(names(got), tc.want) && err == nil {
				t.Errorf("targets = %v, want %v", names(got), tc.want)
			}
			if err == nil && repo.Spec.URL != tc.repo {
				t.Errorf("repository = %q, want %q", repo.Spec.URL, tc.repo)
			}
		})
	}
}

func TestTrackedBranch(t *testing.T) {
	switched := `{"previous":{"branch":"main"}}`
	for _, tc := range []struct {
		name   string
		ref    *sourcev1.GitRepositoryRef
		record string
		want   string
		code   exitcode.Code
	}{
		{"branch", &sourcev1.GitRepositoryRef{Branch: "main"}, "", "main", exitcode.OK},
		{"no ref is master", nil, "", "master", exitcode.OK},
		{"tag", &sourcev1.GitRepositoryRef{Tag: "v1.0.0"}, "", "", exitcode.Usage},
		{"commit", &sourcev1.GitRepositoryRef{Commit: "0123456789abcdef0123456789abcdef01234567"}, "", "", exitcode.Usage},
		{"branch and commit", &sourcev1.GitRepositoryRef{Branch: "main", Commit: "0123456789abcdef0123456789abcdef01234567"}, "", "", exitcode.Usage},
		{"switched by the suite", &sourcev1.GitRepositoryRef{Branch: "feature"}, switched, "", exitcode.Failure},
		{"unreadable switch record", &sourcev1.GitRepositoryRef{Branch: "main"}, "{", "", exitcode.Failure},
	} {
		t.Run(tc.name, func(t *testing.T) {
			repo := &sourcev1.GitRepository{ObjectMeta: metav1.ObjectMeta{Namespace: "flux-system", Name: "fleet"}, Spec: sourcev1.GitRepositorySpec{Reference: tc.ref}}
			if tc.record != "" {
				repo.Annotations = map[string]string{status.SwitchAnnotation: tc.record}
			}
			got, err := trackedBranch(t.Context(), repo)
			if got != tc.want || exitcode.Of(err) != tc.code {
				t.Errorf("trackedBranch = %q, %v (code %d); want %q, code %d", got, err, exitcode.Of(err), tc.want, tc.code)
			}
		})
	}
}

func TestCheckFree(t *testing.T) {
	ctx := context.Background()
	byGit := kustomization("flux-system", "apps", "./apps", "GitRepository/flux-system")
	byGit.SetManagedFields([]metav1.ManagedFieldsEntry{
		{Manager: "kubectl-gitops", FieldsType: "FieldsV1", FieldsV1: metav1.NewFieldsV1(`{"f:spec":{"f:interval":{}}}`)},
		{Manager: fluxManager, FieldsType: "FieldsV1", FieldsV1: metav1.NewFieldsV1(`{"f:spec":{"f:suspend":{}}}`)},
	})
	notByGit := kustomization("flux-system", "apps", "./apps", "GitRepository/flux-system")
	notByGit.SetManagedFields([]metav1.ManagedFieldsEntry{
		{Manager: fluxManager, FieldsType: "FieldsV1", FieldsV1: metav1.NewFieldsV1(`{"f:spec":{"f:path":{}}}`)},
		{Manager: "kubectl-gitops", FieldsType: "FieldsV1", FieldsV1: metav1.NewFieldsV1(`{"f:spec":{"f:suspend":{}}}`)},
	})
	suspended := kustomization("flux-system", "apps", "./apps", "GitRepository/flux-system")
	suspended.Object["spec"].(map[string]any)["suspend"] = true
	free := kustomization("flux-system", "apps", "./apps", "GitRepository/flux-system")

	other := session()
	other.ID, other.User, other.Branch = "cache", "bob", "dev/cache"
	other.Kustomizations = []output.ObjectRef{{Kind: flux.KindKustomization, Namespace: "flux-system", Name: "apps"}}
	sameID := session()
	sameID.Kustomizations = []output.ObjectRef{{Kind: flux.KindKustomization, Namespace: "flux-system", Name: "infra"}}
	elsewhere := session()
	elsewhere.ID, elsewhere.Kustomizations = "db", []output.ObjectRef{{Kind: flux.KindKustomization, Namespace: "flux-system", Name: "db"}}

	for _, tc := range []struct {
		name   string
		open   []*Session
		target *unstructured.Unstructured
		msg    string // "" when free
	}{
		{"free", []*Session{elsewhere}, free, ""},
		{"Git's apply does not own spec.suspend", nil, notByGit, ""},
		{"paused by another session", []*Session{elsewhere, other}, free, `Kustomization flux-system/apps is paused by dev session "cache" of bob`},
		{"same session open", []*Session{sameID}, free, `a dev session "feature-x" is already open (by alice`},
		{"spec.suspend declared in Git", nil, byGit, "declares spec.suspend in Git (field manager kustomize-controller)"},
		{"suspended by someone", nil, suspended, "is already suspended (someone"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dyn := fakeCluster()
			for _, o := range tc.open {
				if err := (Store{Dyn: dyn}).Create(ctx, o); err != nil {
					t.Fatal(err)
				}
			}
			s := session()
			err := checkFree(ctx, dyn, s, []*unstructured.Unstructured{tc.target})
			if (tc.msg == "") != (err == nil) || (err != nil && (!strings.Contains(err.Error(), tc.msg) || exitcode.Of(err) != exitcode.Failure)) {
				t.Errorf("checkFree = %v, want %q", err, tc.msg)
			}
		})
	}
}

func TestParentNotes(t *testing.T) {
	child := kustomization("shop", "web", "./web", "GitRepository/flux-system/flux-system")
	child.SetLabels(map[string]string{flux.KustomizeNameLabel: "apps", flux.KustomizeNamespaceLabel: "flux-system"})
	notes := parentNotes([]*unstructured.Unstructured{child, kustomization("flux-system", "apps", "./apps", "GitRepository/flux-system")})
	if len(notes) != 1 || !strings.HasPrefix(notes[0], "Kustomization flux-system/apps applies shop/web from Git") {
		t.Errorf("notes = %q", notes)
	}
}

// startFixture is a cluster with Kustomization flux-system/apps reading GitRepository
// flux-system/flux-system on branch main at the URL of a bare repository, and a clone
// of it with one commit.
func startFixture(t *testing.T) (*dynamicfake.FakeDynamicClient, *gittest.Repo, *gittest.Repo) {
	t.Helper()
	gittest.Isolate(t)
	remote := gittest.Bare(t)
	clone := gittest.New(t)
	clone.Commit("initial", map[string]string{"apps/cm.yaml": "kind: ConfigMap\n"})
	clone.Git("remote", "add", "origin", remote.Dir)
	clone.Git("push", "--quiet", "origin", "main")
	dyn := fakeCluster(kustomization("flux-system", "apps", "./apps", "GitRepository/flux-system"),
		gitRepository("flux-system", "flux-system", remote.Dir, map[string]any{"branch": "main"}))
	return dyn, remote, clone
}

// TestStartRefuses: what Start refuses, it refuses before it writes anything: no
// record, no branch, nothing suspended.
func TestStartRefuses(t *testing.T) {
	for _, tc := range []struct {
		name    string
		prepare func(t *testing.T, clone *gittest.Repo) string // returns --git-dir
		desc    string
		code    exitcode.Code
		msg     string
	}{
		{"dirty clone", func(t *testing.T, c *gittest.Repo) string {
			c.Write(map[string]string{"apps/new.yaml": "kind: Secret\n"})
			return c.Dir
		}, "feature X", exitcode.Usage, "has uncommitted changes (?? apps/new.yaml): commit or stash them first"},
		{"branch exists", func(t *testing.T, c *gittest.Repo) string {
			c.Git("branch", "dev/feature-x")
			return c.Dir
		}, "feature X", exitcode.Usage, "branch dev/feature-x already exists"},
		{"not a clone", func(t *testing.T, c *gittest.Repo) string { return t.TempDir() }, "feature X", exitcode.Usage, "is not a git clone"},
		{"a clone of another repository", func(t *testing.T, c *gittest.Repo) string {
			c.Git("remote", "set-url", "origin", "https://git.example/other.git")
			return c.Dir
		}, "feature X", exitcode.Usage, "the session works on a clone of"},
		{"no description", func(t *testing.T, c *gittest.Repo) string { return c.Dir }, "!!", exitcode.Usage, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dyn, _, clone := startFixture(t)
			dir := tc.prepare(t, clone)
			_, err := Start(context.Background(), dyn, StartRequest{
				Hooks: write.Hooks{User: "alice", Now: time.Now}, Description: tc.desc, GitDir: dir,
				Namespace: "flux-system", Kustomizations: []string{"apps"},
			})
			if exitcode.Of(err) != tc.code || err == nil || !strings.Contains(err.Error(), tc.msg) {
				t.Fatalf("Start = %v (code %d), want code %d %q", err, exitcode.Of(err), tc.code, tc.msg)
			}
			if open, _, err := (Store{Dyn: dyn}).List(context.Background(), "", ""); err != nil || len(open) != 0 {
				t.Errorf("records after a refused start: %v, %v", open, err)
			}
			if b := clone.Git("branch", "--show-current"); b != "main" {
				t.Errorf("clone on %q after a refused start", b)
			}
		})
	}
}

// TestStartDryRun plans the session (branch from the tracked branch's remote head,
// what is suspended) and asks nothing; the branch is not created. (The record and the
// suspension are server-side dry runs, which the in-memory client does not honour.)
func TestStartDryRun(t *testing.T) {
	dyn, remote, clone := startFixture(t)
	head := remote.Git("rev-parse", "main")
	clone.Commit("local only", map[string]string{"apps/local.yaml": "kind: ConfigMap\n"})
	var asked string
	res, err := Start(context.Background(), dyn, StartRequest{
		Hooks:       write.Hooks{User: "alice", DryRun: true, Now: time.Now, Confirm: func(s string) error { asked = s; return nil }},
		Description: "feature X", GitDir: filepath.Join(clone.Dir, "apps"), Path: "apps/cm.yaml", For: time.Hour,
	})
	if err != nil {
		t.Fatal(err)
	}
	s := res.Session
	if s.ID != "feature-x" || s.Branch != "dev/feature-x" || s.TrackedBranch != "main" || s.Base != head || s.User != "alice" ||
		s.Until == nil || !s.Until.Equal(s.Started.Add(time.Hour)) || s.Source.Name != "flux-system" {
		t.Errorf("session = %+v", s)
	}
	if len(res.Suspended) != 1 || res.Suspended[0].Name != "apps" {
		t.Errorf("suspended = %+v", res.Suspended)
	}
	if asked != "" {
		t.Errorf("a dry run asked %q", asked)
	}
	if !slices.ContainsFunc(res.Notes, func(n string) bool {
		return strings.HasPrefix(n, "would create branch dev/feature-x from main ("+git.Short(head)+")")
	}) {
		t.Errorf("notes = %q", res.Notes)
	}
	if clone.Git("branch", "--list", "dev/*") != "" {
		t.Error("a dry run created the branch")
	}
	if _, err := os.Stat(filepath.Join(clone.Dir, "apps", "local.yaml")); err != nil {
		t.Errorf("a dry run touched the working tree: %v", err)
	}
}
