package rollback

import (
	"archive/tar"
	"bytes"
	"context"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/kubectl-gitops/kubectl-gitops/shared/git/gittest"
)

// entry is one member of a tar stream built for untar.
type entry struct {
	name, body, link string
	kind             byte
	size             int64 // the header's size, when it lies about the body
}

func tarOf(t *testing.T, entries ...entry) *bytes.Buffer {
	t.Helper()
	var buf bytes.Buffer
	tw := tar.NewWriter(&buf)
	for _, e := range entries {
		h := &tar.Header{Name: e.name, Typeflag: e.kind, Linkname: e.link, Mode: 0o644, Size: int64(len(e.body))}
		if e.kind == 0 {
			h.Typeflag = tar.TypeReg
		}
		if e.kind != tar.TypeReg && e.kind != 0 {
			h.Size = 0
		}
		if e.size != 0 {
			h.Size = e.size
		}
		if err := tw.WriteHeader(h); err != nil {
			t.Fatal(err)
		}
		if e.size != 0 {
			// The header is in buf already: untar must refuse it before reading a body.
			return &buf
		}
		if _, err := tw.Write([]byte(e.body)); err != nil {
			t.Fatal(err)
		}
	}
	if err := tw.Close(); err != nil {
		t.Fatal(err)
	}
	return &buf
}

// tree lists every path under dir (folders with a trailing "/", symlinks with "@")
// and the content of each file.
func tree(t *testing.T, dir string) map[string]string {
	t.Helper()
	out := map[string]string{}
	err := filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
		if err != nil || p == dir {
			return err
		}
		rel, _ := filepath.Rel(dir, p)
		rel = filepath.ToSlash(rel)
		switch {
		case d.Type()&os.ModeSymlink != 0:
			out[rel+"@"] = ""
		case d.IsDir():
			out[rel+"/"] = ""
		default:
			data, err := os.ReadFile(p)
			if err != nil {
				return err
			}
			out[rel] = string(data)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// TestUntar checks the guard between git archive's stream and the disk: nothing is
// written outside the destination, links are never made, and a stream larger than a
// manifest folder is refused before its body is read.
func TestUntar(t *testing.T) {
	tests := []struct {
		name    string
		entries []entry
		want    map[string]string
		err     string
	}{
		{
			name:    "files and folders",
			entries: []entry{{name: "apps/", kind: tar.TypeDir}, {name: "apps/a.yaml", body: "a: 1\n"}, {name: "base/b.yaml", body: "b: 2\n"}},
			want:    map[string]string{"apps/": "", "apps/a.yaml": "a: 1\n", "base/": "", "base/b.yaml": "b: 2\n"},
		},
		{
			name:    "parent folder",
			entries: []entry{{name: "ok.yaml", body: "x"}, {name: "../evil.yaml", body: "x"}},
			err:     `git archive: unexpected path "../evil.yaml"`,
		},
		{
			name:    "parent folder after a clean prefix",
			entries: []entry{{name: "apps/../../evil.yaml", body: "x"}},
			err:     `git archive: unexpected path "apps/../../evil.yaml"`,
		},
		{
			name:    "parent folder of a folder",
			entries: []entry{{name: "../up/", kind: tar.TypeDir}},
			err:     `git archive: unexpected path "../up/"`,
		},
		{
			// The leading slash is dropped: the file lands inside the destination.
			name:    "absolute path",
			entries: []entry{{name: "/etc/evil.yaml", body: "x"}},
			want:    map[string]string{"etc/": "", "etc/evil.yaml": "x"},
		},
		{
			// The link is not made, so a file "through" it is a plain file inside.
			name:    "symlink out, then a file through it",
			entries: []entry{{name: "out", kind: tar.TypeSymlink, link: "/tmp"}, {name: "out/evil.yaml", body: "x"}},
			want:    map[string]string{"out/": "", "out/evil.yaml": "x"},
		},
		{
			name:    "symlink to a parent file",
			entries: []entry{{name: "apps/secret.yaml", kind: tar.TypeSymlink, link: "../../../etc/passwd"}},
			want:    map[string]string{},
		},
		{
			name:    "hard link",
			entries: []entry{{name: "a.yaml", body: "a"}, {name: "b.yaml", kind: tar.TypeLink, link: "a.yaml"}},
			want:    map[string]string{"a.yaml": "a"},
		},
		{
			name:    "oversized entry",
			entries: []entry{{name: "big.bin", size: maxCheckout + 1}},
			err:     "the Kustomization's inputs exceed 256 MiB: not a manifest folder",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			root := t.TempDir()
			dest := filepath.Join(root, "dest")
			if err := os.Mkdir(dest, 0o755); err != nil {
				t.Fatal(err)
			}
			err := untar(tarOf(t, tt.entries...), dest)
			if tt.err != "" {
				if err == nil || err.Error() != tt.err {
					t.Fatalf("err = %v, want %q", err, tt.err)
				}
			} else if err != nil {
				t.Fatal(err)
			}
			if tt.want != nil {
				if got := tree(t, dest); !reflect.DeepEqual(got, tt.want) {
					t.Errorf("extracted %v, want %v", got, tt.want)
				}
			}
			// Nothing ever lands beside the destination.
			if got := tree(t, root); len(got) != 1+len(tree(t, dest)) {
				t.Errorf("written outside the destination: %v", got)
			}
			if _, err := os.Lstat(filepath.Join(root, "evil.yaml")); err == nil {
				t.Errorf("evil.yaml written beside the destination")
			}
		})
	}
}

// TestUntarTotal checks that the bound is on the sum of the entries, not each one.
func TestUntarTotal(t *testing.T) {
	var buf bytes.Buffer
	tw := tar.NewWriter(&buf)
	if err := tw.WriteHeader(&tar.Header{Name: "half1", Typeflag: tar.TypeReg, Size: 0, Mode: 0o644}); err != nil {
		t.Fatal(err)
	}
	// Two headers that fit alone and not together; the second one's body is never read.
	for _, name := range []string{"a.bin", "b.bin"} {
		if err := tw.WriteHeader(&tar.Header{Name: name, Typeflag: tar.TypeReg, Size: maxCheckout/2 + 1, Mode: 0o644}); err != nil {
			t.Fatal(err)
		}
		if name == "a.bin" {
			if _, err := tw.Write(make([]byte, maxCheckout/2+1)); err != nil {
				t.Fatal(err)
			}
		}
	}
	err := untar(&buf, t.TempDir())
	if err == nil || !strings.Contains(err.Error(), "exceed 256 MiB") {
		t.Errorf("err = %v, want the size refusal", err)
	}
}

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
