package rollback

import (
	"bytes"
	"context"
	"os"
	"reflect"
	"strings"
	"testing"

	"github.com/kubectl-gitops/kubectl-gitops/shared/git/gittest"
)

// fleet is a repository laid out the ways a Kustomization pulls in files from outside
// its own folder.
func fleet(t *testing.T) (*gittest.Repo, string) {
	t.Helper()
	r := gittest.New(t)
	sha := r.Commit("fleet", map[string]string{
		"apps/prod/kustomization.yaml": `apiVersion: kustomize.config.k8s.io/v1beta1
kind: Kustomization
namespace: prod
resources:
  - ../../base
  - extra.yaml
components:
  - ../../components/monitoring
patches:
  - path: ../../patches/replicas.yaml
configMapGenerator:
  - name: app
    files:
      - app.properties=../../config/app.properties
    envs:
      - ../../config/app.env
`,
		"apps/prod/extra.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: extra\n",
		"base/kustomization.yaml": `resources:
  - deploy.yaml
  - ../shared/ns.yaml
`,
		"base/deploy.yaml":                         "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: base\n",
		"shared/ns.yaml":                           "apiVersion: v1\nkind: Namespace\nmetadata:\n  name: prod\n",
		"shared/unrelated.yaml":                    "apiVersion: v1\nkind: Namespace\nmetadata:\n  name: other\n",
		"components/monitoring/kustomization.yaml": "apiVersion: kustomize.config.k8s.io/v1alpha1\nkind: Component\nresources:\n  - ../../shared/monitor.yaml\n",
		"shared/monitor.yaml":                      "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: monitor\n",
		"patches/replicas.yaml":                    "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: base\ndata:\n  replicas: \"3\"\n",
		"config/app.properties":                    "a=1\n",
		"config/app.env":                           "B=2\n",
		"plain/one.yaml":                           "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: one\n",
		"plain/sub/two.yml":                        "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: two\n",
		"plain/README.md":                          "not a manifest\n",
		"remote/kustomization.yaml":                "resources:\n  - https://github.com/org/remote//deploy?ref=v1\n  - github.com/org/other/deploy\n  - git@github.com:org/x.git\n  - ../../outside\n  - ../base\n",
		"broken/kustomization.yaml":                "resources: [unclosed\n",
		"loop/a/kustomization.yaml":                "resources:\n  - ../b\n",
		"loop/b/kustomization.yaml":                "resources:\n  - ../a\n  - ../../base/deploy.yaml\n",
	})
	return r, sha
}

func TestInputs(t *testing.T) {
	r, sha := fleet(t)
	tests := []struct {
		root string
		want []string
	}{
		{"./apps/prod", []string{"apps/prod", "base", "components/monitoring", "config/app.env", "config/app.properties", "patches/replicas.yaml", "shared/monitor.yaml", "shared/ns.yaml"}},
		{"/apps/prod/", []string{"apps/prod", "base", "components/monitoring", "config/app.env", "config/app.properties", "patches/replicas.yaml", "shared/monitor.yaml", "shared/ns.yaml"}},
		{"base", []string{"base", "shared/ns.yaml"}},
		// Remote bases and paths above the repository are not the repository's.
		{"remote", []string{"base", "remote", "shared/ns.yaml"}},
		// Flux's generated kustomization: the folder alone.
		{"./plain", []string{"plain"}},
		// kustomize fails on it; the build check says so, not the walk.
		{"broken", []string{"broken"}},
		{"loop/a", []string{"base/deploy.yaml", "loop/a", "loop/b"}},
		// The whole repository covers everything it pulls in.
		{"./", []string{"."}},
		{"nope", []string{"nope"}},
	}
	for _, tt := range tests {
		t.Run(tt.root, func(t *testing.T) {
			got, err := Inputs(context.Background(), r.Dir, sha, tt.root)
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("Inputs(%q) = %q, want %q", tt.root, got, tt.want)
			}
		})
	}
}

// TestInputsAtRevision checks that the inputs are read at the commit asked, not from
// the working tree or the branch head.
func TestInputsAtRevision(t *testing.T) {
	r := gittest.New(t)
	old := r.Commit("old", map[string]string{"apps/kustomization.yaml": "resources:\n  - ../base\n", "base/a.yaml": "a: 1\n"})
	r.Commit("new", map[string]string{"apps/kustomization.yaml": "resources:\n  - ../lib\n", "lib/a.yaml": "a: 1\n"})
	r.Write(map[string]string{"apps/kustomization.yaml": "resources:\n  - ../worktree\n"})
	for rev, want := range map[string][]string{old: {"apps", "base"}, "HEAD": {"apps", "lib"}} {
		got, err := Inputs(context.Background(), r.Dir, rev, "apps")
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(got, want) {
			t.Errorf("Inputs at %s = %q, want %q", rev, got, want)
		}
	}
}

func TestOutermostAndUnion(t *testing.T) {
	got := union([]string{"apps", "base/a.yaml", "baseline"}, []string{"base", "apps/prod", "apps"})
	if want := []string{"apps", "base", "baseline"}; !reflect.DeepEqual(got, want) {
		t.Errorf("union = %q, want %q", got, want)
	}
	if got := union([]string{"apps"}, []string{"."}); !reflect.DeepEqual(got, []string{"."}) {
		t.Errorf("union with the top = %q", got)
	}
	if got := union(); got != nil {
		t.Errorf("union() = %q, want nil", got)
	}
}

func TestBuild(t *testing.T) {
	r, sha := fleet(t)
	tmp := t.TempDir()
	t.Setenv("TMPDIR", tmp)
	ctx := context.Background()
	paths, err := Inputs(ctx, r.Dir, sha, "apps/prod")
	if err != nil {
		t.Fatal(err)
	}
	// The working tree is not what is built.
	r.Write(map[string]string{"patches/replicas.yaml": "broken: [\n"})

	got, err := Build(ctx, r.Dir, sha, "./apps/prod", paths)
	if err != nil {
		t.Fatal(err)
	}
	want := "apiVersion: v1\ndata:\n  replicas: \"3\"\nkind: ConfigMap\nmetadata:\n  name: base\n  namespace: prod\n---\n" +
		"apiVersion: v1\nkind: Namespace\nmetadata:\n  name: prod\n---\n" +
		"apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: extra\n  namespace: prod\n---\n" +
		"apiVersion: v1\ndata:\n  B: \"2\"\n  app.properties: |\n    a=1\nkind: ConfigMap\nmetadata:\n  name: app-7484db5gbb\n  namespace: prod\n---\n" +
		"apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: monitor\n  namespace: prod\n"
	if string(got) != want {
		t.Errorf("build = %q, want %q", got, want)
	}
	again, err := Build(ctx, r.Dir, sha, "apps/prod", paths)
	if err != nil || !bytes.Equal(got, again) {
		t.Errorf("a second build differs (%v):\n%s\n---\n%s", err, got, again)
	}

	// Only the paths asked for are extracted: without base, kustomize cannot build.
	if _, err := Build(ctx, r.Dir, sha, "apps/prod", []string{"apps/prod"}); err == nil || !strings.HasPrefix(err.Error(), "kustomize build of apps/prod at "+sha[:12]+": ") {
		t.Errorf("build without base: %v", err)
	}
	if _, err := Build(ctx, r.Dir, sha, "broken", []string{"broken"}); err == nil || !strings.HasPrefix(err.Error(), "kustomize build of broken at ") {
		t.Errorf("broken build: %v", err)
	}

	// A folder without kustomization.yaml: its manifests, in name order.
	plain, err := Build(ctx, r.Dir, sha, "plain", []string{"plain"})
	if err != nil {
		t.Fatal(err)
	}
	want = "# one.yaml\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: one\n\n---\n# sub/two.yml\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: two\n\n---\n"
	if string(plain) != want {
		t.Errorf("plain folder = %q, want %q", plain, want)
	}
	// A folder absent at the commit builds to nothing.
	if empty, err := Build(ctx, r.Dir, sha, "gone", []string{"plain"}); err != nil || len(empty) != 0 {
		t.Errorf("absent folder = %q, %v", empty, err)
	}
	// A revision the clone lacks is git's error.
	if _, err := Build(ctx, r.Dir, strings.Repeat("0", 40), "plain", []string{"plain"}); err == nil || !strings.HasPrefix(err.Error(), "git archive: ") {
		t.Errorf("missing revision: %v", err)
	}
	// The temporary folders are gone.
	if left, err := os.ReadDir(tmp); err != nil || len(left) != 0 {
		t.Errorf("left behind in the temporary folder: %v %v", left, err)
	}
}
