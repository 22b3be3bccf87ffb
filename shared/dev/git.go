package dev

import (
	"context"
	"fmt"
	"path/filepath"
	"strings"

	"github.com/kubectl-gitops/kubectl-gitops/shared/exitcode"
	"github.com/kubectl-gitops/kubectl-gitops/shared/git"
	"github.com/kubectl-gitops/kubectl-gitops/shared/output"
	"github.com/kubectl-gitops/kubectl-gitops/shared/redact"
)

// Clone is the user's clone of the source's repository.
type Clone struct {
	// Dir is the clone's top level; Remote the remote pointing at the source's URL.
	Dir, Remote string
}

// OpenClone checks that dir is a clone of url and returns its top level and remote.
func OpenClone(ctx context.Context, dir, url string) (*Clone, error) {
	top, err := git.Line(ctx, dir, "rev-parse", "--show-toplevel")
	if err != nil {
		return nil, exitcode.New(exitcode.Usage, "--git-dir %s is not a git clone (%v): give the clone of %s", dir, err, redact.URL(url))
	}
	remote, err := git.RemoteFor(ctx, top, url)
	if err != nil {
		return nil, exitcode.New(exitcode.Usage, "%v: the session works on a clone of %s, the repository Flux applies (clone it, or give --git-dir)", err, redact.URL(url))
	}
	return &Clone{Dir: filepath.Clean(top), Remote: remote}, nil
}

// CurrentBranch is the branch checked out, "" on a detached HEAD.
func (c *Clone) CurrentBranch(ctx context.Context) string {
	b, err := git.Line(ctx, c.Dir, "symbolic-ref", "--quiet", "--short", "HEAD")
	if err != nil {
		return ""
	}
	return b
}

// Dirty lists the uncommitted changes (git status --porcelain), one per line.
func (c *Clone) Dirty(ctx context.Context) ([]string, error) {
	out, err := git.Run(ctx, c.Dir, "status", "--porcelain", "--untracked-files=all")
	if err != nil {
		return nil, err
	}
	var lines []string
	for _, l := range strings.Split(strings.TrimRight(string(out), "\n"), "\n") {
		if l != "" {
			lines = append(lines, output.Clean(l))
		}
	}
	return lines, nil
}

// Fetch brings branch from the remote and returns the commit it points at there.
func (c *Clone) Fetch(ctx context.Context, branch string) (string, error) {
	if _, err := git.Run(ctx, c.Dir, "fetch", "--quiet", c.Remote, "+refs/heads/"+branch+":refs/remotes/"+c.Remote+"/"+branch); err != nil {
		return "", exitcode.New(exitcode.Failure, "cannot fetch branch %s from %s: %s", branch, c.Remote, redact.Text(err.Error()))
	}
	return git.Line(ctx, c.Dir, "rev-parse", "refs/remotes/"+c.Remote+"/"+branch)
}

// Head returns the commit local branch points at, "" when it does not exist.
func (c *Clone) Head(ctx context.Context, branch string) string {
	sha, err := git.Line(ctx, c.Dir, "rev-parse", "--verify", "--quiet", "refs/heads/"+branch+"^{commit}")
	if err != nil {
		return ""
	}
	return sha
}

// remoteHead is where the clone last saw branch on the remote, "" when it never did.
func (c *Clone) remoteHead(ctx context.Context, branch string) string {
	sha, err := git.Line(ctx, c.Dir, "rev-parse", "--verify", "--quiet", "refs/remotes/"+c.Remote+"/"+branch+"^{commit}")
	if err != nil {
		return ""
	}
	return sha
}

// commitAll commits every change of the working tree (what the guide's checkpoint
// does) and returns the commit, or "" when there was nothing to commit.
func (c *Clone) commitAll(ctx context.Context, message string) (string, error) {
	if _, err := git.Run(ctx, c.Dir, "add", "--all"); err != nil {
		return "", err
	}
	if _, err := git.Run(ctx, c.Dir, "diff", "--cached", "--quiet"); err == nil {
		return "", nil
	}
	if _, err := git.Run(ctx, c.Dir, "commit", "--quiet", "--no-verify", "-m", message); err != nil {
		return "", err
	}
	return git.Line(ctx, c.Dir, "rev-parse", "HEAD")
}

// squash replaces the commits of branch since base with one commit of the same tree,
// moving the branch only if it still points at head (a checkpoint from another
// terminal is not lost). The working tree is untouched: the tree is the same.
func (c *Clone) squash(ctx context.Context, branch, base, head, message string) (string, error) {
	sha, err := git.Line(ctx, c.Dir, "commit-tree", head+"^{tree}", "-p", base, "-m", message)
	if err != nil {
		return "", err
	}
	// The reflog keeps the canonical name, as commit messages do (package invocation).
	if _, err := git.Run(ctx, c.Dir, "update-ref", "-m", "kubectl gitops dev finish: squash", "refs/heads/"+branch, sha, head); err != nil {
		return "", err
	}
	return sha, nil
}

// push sends branch to the remote, never forced: a remote that moved rejects it.
func (c *Clone) push(ctx context.Context, branch string) error {
	_, err := git.Run(ctx, c.Dir, "push", "--quiet", "--porcelain", c.Remote, "refs/heads/"+branch+":refs/heads/"+branch)
	return err
}

// count is how many commits branch has since base.
func (c *Clone) count(ctx context.Context, base, head string) (int, error) {
	ahead, _, err := git.Count(ctx, c.Dir, head, base)
	return ahead, err
}

// pullRequest is the command that opens the pull request of the session branch.
func pullRequest(s *Session, title string) string {
	return fmt.Sprintf("gh pr create --base %s --head %s --title %q", s.TrackedBranch, s.Branch, title)
}

// LocalClone opens dir as a clone without checking its remote: enough to read which
// branch is checked out. nil when dir is no clone.
func LocalClone(ctx context.Context, dir string) *Clone {
	top, err := git.Line(ctx, dir, "rev-parse", "--show-toplevel")
	if err != nil {
		return nil
	}
	return &Clone{Dir: top}
}
