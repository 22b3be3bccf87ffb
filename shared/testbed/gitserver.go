package testbed

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/http/cgi"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"time"
)

// GitServer serves bare repositories over Git's smart HTTP protocol from 127.0.0.1,
// through the real `git http-backend`, so source-controller clones exactly as it would
// from a Git host and tests push exactly as a developer would.
type GitServer struct {
	// Root holds the bare repositories.
	Root string
	// URL is the server's base address, http://127.0.0.1:PORT.
	URL string
	srv *http.Server
	ln  net.Listener
}

// StartGitServer serves the bare repositories under root until Stop.
func StartGitServer(root string) (*GitServer, error) {
	execPath, err := exec.Command("git", "--exec-path").Output()
	if err != nil {
		return nil, fmt.Errorf("git is needed for the test bed: %w", err)
	}
	backend := filepath.Join(strings.TrimSpace(string(execPath)), "git-http-backend")
	if _, err := os.Stat(backend); err != nil {
		return nil, fmt.Errorf("git-http-backend not found: %w", err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	h := &cgi.Handler{
		Path: backend,
		Root: "/",
		Env:  []string{"GIT_PROJECT_ROOT=" + root, "GIT_HTTP_EXPORT_ALL=1"},
	}
	g := &GitServer{Root: root, URL: "http://" + ln.Addr().String(), ln: ln,
		srv: &http.Server{Handler: h, ReadHeaderTimeout: 10 * time.Second}}
	go func() { _ = g.srv.Serve(ln) }()
	return g, nil
}

// Stop closes the server.
func (g *GitServer) Stop() error {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	return g.srv.Shutdown(ctx)
}

// Repo is a bare repository on the server plus a working clone the test commits in.
type Repo struct {
	Name string
	// URL is what a GitRepository's spec.url points at.
	URL string
	// Bare is the served repository; Work is the test's clone.
	Bare, Work string
	// Branch is the branch Commit pushes to.
	Branch string
}

// CreateRepo makes an empty bare repository NAME.git accepting pushes, and a clone of
// it with branch main checked out.
func (g *GitServer) CreateRepo(ctx context.Context, name string) (*Repo, error) {
	r := &Repo{
		Name:   name,
		URL:    g.URL + "/" + name + ".git",
		Bare:   filepath.Join(g.Root, name+".git"),
		Work:   filepath.Join(g.Root, "work", name),
		Branch: "main",
	}
	if err := run(ctx, "", "git", "init", "--quiet", "--bare", "--initial-branch=main", r.Bare); err != nil {
		return nil, err
	}
	if err := run(ctx, r.Bare, "git", "config", "http.receivepack", "true"); err != nil {
		return nil, err
	}
	if err := run(ctx, "", "git", "init", "--quiet", "--initial-branch=main", r.Work); err != nil {
		return nil, err
	}
	if err := run(ctx, r.Work, "git", "remote", "add", "origin", r.URL); err != nil {
		return nil, err
	}
	return r, nil
}

// Commit writes files (path → content; an empty content deletes the file) into the
// working clone, commits them with message, pushes the current branch over HTTP and
// returns the full commit SHA.
func (r *Repo) Commit(ctx context.Context, message string, files map[string]string) (string, error) {
	paths := make([]string, 0, len(files))
	for p := range files {
		paths = append(paths, p)
	}
	sort.Strings(paths)
	for _, p := range paths {
		full := filepath.Join(r.Work, filepath.FromSlash(p))
		if files[p] == "" {
			if err := os.RemoveAll(full); err != nil {
				return "", err
			}
			continue
		}
		if err := os.MkdirAll(filepath.Dir(full), 0o755); err != nil {
			return "", err
		}
		if err := os.WriteFile(full, []byte(files[p]), 0o644); err != nil {
			return "", err
		}
	}
	if err := r.Git(ctx, "add", "--all"); err != nil {
		return "", err
	}
	if err := r.Git(ctx, "commit", "--quiet", "--allow-empty", "-m", message); err != nil {
		return "", err
	}
	sha, err := r.Head(ctx)
	if err != nil {
		return "", err
	}
	return sha, r.Git(ctx, "push", "--quiet", "origin", "HEAD:refs/heads/"+r.Branch)
}

// Head returns the full SHA of the working clone's HEAD.
func (r *Repo) Head(ctx context.Context) (string, error) {
	out, err := commandOutput(ctx, r.Work, "git", "rev-parse", "HEAD")
	return strings.TrimSpace(out), err
}

// Tag creates an annotated-free tag at HEAD and pushes it.
func (r *Repo) Tag(ctx context.Context, tag string) error {
	if err := r.Git(ctx, "tag", "--force", tag); err != nil {
		return err
	}
	return r.Git(ctx, "push", "--quiet", "--force", "origin", "refs/tags/"+tag)
}

// Checkout switches the working clone to branch (creating it from HEAD when new); the
// next Commit pushes to it.
func (r *Repo) Checkout(ctx context.Context, branch string) error {
	if err := r.Git(ctx, "checkout", "--quiet", "-B", branch); err != nil {
		return err
	}
	r.Branch = branch
	return nil
}

// Git runs a git command in the working clone with a fixed identity.
func (r *Repo) Git(ctx context.Context, args ...string) error {
	return run(ctx, r.Work, "git", args...)
}

func gitEnv() []string {
	return append(os.Environ(),
		"GIT_AUTHOR_NAME=Test Bed", "GIT_AUTHOR_EMAIL=bed@example.com",
		"GIT_COMMITTER_NAME=Test Bed", "GIT_COMMITTER_EMAIL=bed@example.com",
		"GIT_CONFIG_NOSYSTEM=1", "GIT_TERMINAL_PROMPT=0")
}

func run(ctx context.Context, dir, name string, args ...string) error {
	_, err := commandOutput(ctx, dir, name, args...)
	return err
}

func commandOutput(ctx context.Context, dir, name string, args ...string) (string, error) {
	cmd := exec.CommandContext(ctx, name, args...)
	cmd.Dir = dir
	cmd.Env = gitEnv()
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		msg := strings.TrimSpace(stderr.String())
		if msg == "" {
			msg = err.Error()
		}
		return "", errors.New(name + " " + strings.Join(args, " ") + ": " + msg)
	}
	return stdout.String(), nil
}
