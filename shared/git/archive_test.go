package git

import (
	"archive/tar"
	"bytes"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
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
			entries: []entry{{name: "big.bin", size: maxArchive + 1}},
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
		if err := tw.WriteHeader(&tar.Header{Name: name, Typeflag: tar.TypeReg, Size: maxArchive/2 + 1, Mode: 0o644}); err != nil {
			t.Fatal(err)
		}
		if name == "a.bin" {
			if _, err := tw.Write(make([]byte, maxArchive/2+1)); err != nil {
				t.Fatal(err)
			}
		}
	}
	err := untar(&buf, t.TempDir())
	if err == nil || !strings.Contains(err.Error(), "exceed 256 MiB") {
		t.Errorf("err = %v, want the size refusal", err)
	}
}
