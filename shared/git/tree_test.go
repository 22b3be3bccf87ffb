package git

import (
	"context"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/kubectl-gitops/kubectl-gitops/shared/git/gittest"
)

// userState is what the commit writers promise to leave alone: the index file byte
// for byte (read before anything else runs git), the checked-out branch and its
// commit, the working tree's changes and every ref.
func userState(t *testing.T, r *gittest.Repo) []string {
	t.Helper()
	index, err := os.ReadFile(filepath.Join(r.Dir, ".git", "index"))
	if err != nil {
		t.Fatal(err)
	}
	return []string{string(index), r.Git("symbolic-ref", "HEAD"), r.Git("rev-parse", "HEAD"),
		r.Git("diff", "--cached"), r.Git("diff"), r.Git("status", "--porcelain", "--untracked-files=all"),
		r.Git("for-each-ref", "--format=%(refname) %(objectname)")}
}

// repoHistory is a repository with three commits on main (a: the first state, b and c
// on top of it), d on top of c on branch later, and the user's own work in progress on
// a branch checked out at a.
type repoHistory struct {
	r          *gittest.Repo
	a, b, c, d string
}

func newHistory(t *testing.T) repoHistory {
	t.Helper()
	gittest.Isolate(t)
	r := gittest.New(t)
	h := repoHistory{r: r}
	h.a = r.Commit("a", map[string]string{
		"apps/cm.yaml":  "v: 1\n",
		"apps/old.yaml": "old\n",
		"base/ns.yaml":  "ns: a\n",
		"other.txt":     "1\n",
		"run.sh":        "#!/bin/sh\n",
	})
	r.Git("update-index", "--chmod=+x", "run.sh")
	r.Git("commit", "--quiet", "--amend", "--no-edit")
	h.a = r.Git("rev-parse", "HEAD")
	h.b = r.Commit("b", map[string]string{
		"apps/cm.yaml":  "v: 2\n",
		"apps/old.yaml": "",
		"apps/new.yaml": "new\n",
		"other.txt":     "2\n",
	})
	h.c = r.Commit("c", map[string]string{"base/ns.yaml": "ns: c\n", "run.sh": "#!/bin/sh\necho c\n"})
	// d, on a branch of its own, changes the line b changed.
	r.Git("checkout", "--quiet", "-b", "later")
	h.d = r.Commit("d", map[string]string{"apps/cm.yaml": "v: 3\n"})
	r.Git("checkout", "--quiet", "-b", "work", h.a)
	r.Write(map[string]string{"apps/cm.yaml": "staged\n"})
	r.Git("add", "apps/cm.yaml")
	r.Write(map[string]string{"other.txt": "unstaged\n", "untracked.txt": "u\n"})
	return h
}

func TestCommitWithPaths(t *testing.T) {
	h := newHistory(t)
	atC := h.r.Files(h.c)
	with := func(changes map[string]string) map[string]string {
		out := map[string]string{}
		for k, v := range atC {
			out[k] = v
		}
		for k, v := range changes {
			if v == "" {
				delete(out, k)
			} else {
				out[k] = v
			}
		}
		return out
	}
	tests := []struct {
		name  string
		from  string
		paths []string
		want  map[string]string
	}{
		{"a folder: changed, removed and re-added files", h.a, []string{"apps"}, with(map[string]string{"apps/cm.yaml": "v: 1\n", "apps/old.yaml": "old\n", "apps/new.yaml": ""})},
		{"one file", h.a, []string{"apps/cm.yaml"}, with(map[string]string{"apps/cm.yaml": "v: 1\n"})},
		{"two folders", h.a, []string{"apps", "base"}, with(map[string]string{"apps/cm.yaml": "v: 1\n", "apps/old.yaml": "old\n", "apps/new.yaml": "", "base/ns.yaml": "ns: a\n"})},
		{"a file the source lacks is removed", h.a, []string{"apps/new.yaml"}, with(map[string]string{"apps/new.yaml": ""})},
		{"a path in neither: the parent's tree", h.a, []string{"nowhere"}, atC},
		{"from the parent itself: the parent's tree", h.c, []string{"apps", "base"}, atC},
		{"the whole repository", h.a, []string{"."}, h.r.Files(h.a)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			before := userState(t, h.r)
			sha, err := CommitWithPaths(context.Background(), h.r.Dir, h.c, tt.from, tt.paths, "restore\n\nbody")
			if err != nil {
				t.Fatal(err)
			}
			if after := userState(t, h.r); !reflect.DeepEqual(after, before) {
				t.Errorf("the user's index, checkout or refs changed:\n%q\n%q", before, after)
			}
			if got := h.r.Files(sha); !reflect.DeepEqual(got, tt.want) {
				t.Errorf("tree %q, want %q", got, tt.want)
			}
			if parents := h.r.Git("rev-list", "--parents", "-n1", sha); parents != sha+" "+h.c {
				t.Errorf("parents %q, want %s", parents, h.c)
			}
			if msg := h.r.Git("show", "-s", "--format=%B", sha); msg != "restore\n\nbody" {
				t.Errorf("message %q", msg)
			}
		})
	}
	// Modes come from the source too: the executable bit survives a restore.
	sha, err := CommitWithPaths(context.Background(), h.r.Dir, h.c, h.a, []string{"run.sh"}, "m")
	if err != nil {
		t.Fatal(err)
	}
	if mode := h.r.Git("ls-tree", sha, "run.sh"); !strings.HasPrefix(mode, "100755 blob ") {
		t.Errorf("run.sh is %q, want mode 100755", mode)
	}
	for _, bad := range [][2]string{{"nope", h.a}, {h.c, "nope"}} {
		before := userState(t, h.r)
		if _, err := CommitWithPaths(context.Background(), h.r.Dir, bad[0], bad[1], []string{"apps"}, "m"); err == nil {
			t.Errorf("CommitWithPaths(%s, %s) made a commit", bad[0], bad[1])
		}
		if after := userState(t, h.r); !reflect.DeepEqual(after, before) {
			t.Errorf("a failure changed the user's state")
		}
	}
}

func TestRevertPaths(t *testing.T) {
	h := newHistory(t)
	atC := h.r.Files(h.c)
	tests := []struct {
		name   string
		commit string
		paths  []string
		want   map[string]string
	}{
		{"b under apps, its other.txt kept", h.b, []string{"apps"}, func() map[string]string {
			m := h.r.Files(h.c)
			m["apps/cm.yaml"], m["apps/old.yaml"] = "v: 1\n", "old\n"
			delete(m, "apps/new.yaml")
			return m
		}()},
		{"b everywhere", h.b, []string{"."}, func() map[string]string {
			m := h.r.Files(h.c)
			m["apps/cm.yaml"], m["apps/old.yaml"], m["other.txt"] = "v: 1\n", "old\n", "1\n"
			delete(m, "apps/new.yaml")
			return m
		}()},
		{"c under base", h.c, []string{"base"}, func() map[string]string {
			m := h.r.Files(h.c)
			m["base/ns.yaml"] = "ns: a\n"
			return m
		}()},
		{"nothing of b under base: the parent's tree", h.b, []string{"base"}, atC},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			before := userState(t, h.r)
			sha, err := RevertPaths(context.Background(), h.r.Dir, h.c, tt.commit, tt.paths, "revert")
			if err != nil {
				t.Fatal(err)
			}
			if after := userState(t, h.r); !reflect.DeepEqual(after, before) {
				t.Errorf("the user's index, checkout or refs changed:\n%q\n%q", before, after)
			}
			if got := h.r.Files(sha); !reflect.DeepEqual(got, tt.want) {
				t.Errorf("tree %q, want %q", got, tt.want)
			}
			if parents := h.r.Git("rev-list", "--parents", "-n1", sha); parents != sha+" "+h.c {
				t.Errorf("parents %q, want %s", parents, h.c)
			}
		})
	}

	// A later commit changed the same line: the change does not apply, nothing is made.
	d := h.d
	objects := h.r.Git("count-objects", "-v")
	before := userState(t, h.r)
	_, err := RevertPaths(context.Background(), h.r.Dir, d, h.b, []string{"apps"}, "revert")
	if err == nil || !strings.HasPrefix(err.Error(), "git apply: error: ") {
		t.Errorf("conflicting revert: %v", err)
	}
	if after := userState(t, h.r); !reflect.DeepEqual(after, before) || h.r.Git("count-objects", "-v") != objects {
		t.Errorf("a refused revert wrote something")
	}
	// The first commit has no parent to go back to.
	if _, err := RevertPaths(context.Background(), h.r.Dir, d, h.a, []string{"apps"}, "revert"); err == nil || !strings.HasPrefix(err.Error(), "git diff: ") {
		t.Errorf("revert of the root commit: %v", err)
	}
}

func TestChangedKindShow(t *testing.T) {
	h := newHistory(t)
	ctx := context.Background()
	for _, tc := range []struct {
		a, b  string
		paths []string
		want  []string
	}{
		{h.a, h.c, []string{"apps"}, []string{"apps/cm.yaml", "apps/new.yaml", "apps/old.yaml"}},
		{h.a, h.c, []string{"apps", "base"}, []string{"apps/cm.yaml", "apps/new.yaml", "apps/old.yaml", "base/ns.yaml"}},
		{h.a, h.c, nil, []string{"apps/cm.yaml", "apps/new.yaml", "apps/old.yaml", "base/ns.yaml", "other.txt", "run.sh"}},
		{h.b, h.c, []string{"apps"}, []string{}},
		{h.c, h.a, []string{"base"}, []string{"base/ns.yaml"}},
	} {
		got, err := Changed(ctx, h.r.Dir, tc.a, tc.b, tc.paths)
		if err != nil || !reflect.DeepEqual(got, tc.want) {
			t.Errorf("Changed(%.7s, %.7s, %q) = %q, %v; want %q", tc.a, tc.b, tc.paths, got, err, tc.want)
		}
	}
	if _, err := Changed(ctx, h.r.Dir, "nope", h.c, nil); err == nil {
		t.Errorf("Changed from a missing revision did not fail")
	}
	for path, want := range map[string]string{"apps": "tree", "apps/cm.yaml": "blob", "apps/new.yaml": "", "nowhere": ""} {
		if got := Kind(ctx, h.r.Dir, h.a, path); got != want {
			t.Errorf("Kind(%s) = %q, want %q", path, got, want)
		}
	}
	if data, err := Show(ctx, h.r.Dir, h.b, "apps/cm.yaml"); err != nil || string(data) != "v: 2\n" {
		t.Errorf("Show = %q, %v", data, err)
	}
}
