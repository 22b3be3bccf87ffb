// Package gittest makes throwaway Git repositories with the real git binary, so that
// code which reads and writes repositories is tested against git itself, not a model
// of it.
package gittest

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// env fixes who commits and when, and keeps the user's and the system's git
// configuration (signing, hooks, default branch) out of the test.
func env() []string {
	return []string{
		"GIT_CONFIG_GLOBAL=" + os.DevNull, "GIT_CONFIG_NOSYSTEM=1",
		"GIT_AUTHOR_NAME=Ada Lovelace", "GIT_AUTHOR_EMAIL=ada@example.com", "GIT_AUTHOR_DATE=2026-01-01T12:00:00Z",
		"GIT_COMMITTER_NAME=CI Bot", "GIT_COMMITTER_EMAIL=ci@example.com", "GIT_COMMITTER_DATE=2026-01-01T12:00:00Z",
	}
}

// Isolate sets the same environment for the test's process, for the code under test
// that runs git itself (a commit-tree needs an identity). It uses t.Setenv: not for
// parallel tests.
func Isolate(t testing.TB) {
	t.Helper()
	for _, kv := range env() {
		k, v, _ := strings.Cut(kv, "=")
		t.Setenv(k, v)
	}
}

// Repo is a repository in a temporary folder.
type Repo struct {
	t   testing.TB
	Dir string
}

// New initialises a repository with a working tree on branch main.
func New(t testing.TB) *Repo {
	t.Helper()
	r := &Repo{t: t, Dir: t.TempDir()}
	r.Git("init", "--quiet", "--initial-branch=main")
	return r
}

// Bare initialises a bare repository, a remote to push to, on branch main.
func Bare(t testing.TB) *Repo {
	t.Helper()
	r := &Repo{t: t, Dir: t.TempDir()}
	r.Git("init", "--quiet", "--bare", "--initial-branch=main")
	return r
}

// Git runs git in the repository and returns its trimmed output; a failure ends the test.
func (r *Repo) Git(args ...string) string {
	r.t.Helper()
	return strings.TrimSpace(r.raw(args...))
}

// raw runs git and returns its output as it is.
func (r *Repo) raw(args ...string) string {
	r.t.Helper()
	cmd := exec.Command("git", append([]string{"-C", r.Dir, "-c", "commit.gpgsign=false"}, args...)...)
	cmd.Env = append(os.Environ(), env()...)
	out, err := cmd.CombinedOutput()
	if err != nil {
		r.t.Fatalf("git %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	return string(out)
}

// Write puts files (slash paths, relative to the top) into the working tree; an empty
// content removes the file.
func (r *Repo) Write(files map[string]string) {
	r.t.Helper()
	for name, content := range files {
		p := filepath.Join(r.Dir, filepath.FromSlash(name))
		if content == "" {
			if err := os.Remove(p); err != nil {
				r.t.Fatal(err)
			}
			continue
		}
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			r.t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			r.t.Fatal(err)
		}
	}
}

// Commit writes files, stages everything and commits it with message; it returns the
// new commit's SHA.
func (r *Repo) Commit(message string, files map[string]string) string {
	r.t.Helper()
	r.Write(files)
	r.Git("add", "-A")
	r.Git("commit", "--quiet", "--allow-empty", "-m", message)
	return r.Git("rev-parse", "HEAD")
}

// Files lists the files of commit rev and their exact contents: a tree to compare whole.
func (r *Repo) Files(rev string) map[string]string {
	r.t.Helper()
	files := map[string]string{}
	for _, name := range strings.Split(r.Git("ls-tree", "-r", "--name-only", rev), "\n") {
		if name != "" {
			files[name] = r.raw("show", rev+":"+name)
		}
	}
	return files
}
