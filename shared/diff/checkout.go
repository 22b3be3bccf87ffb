package diff

import (
	"context"
	"fmt"
	"os"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"

	"github.com/kubectl-gitops/kubectl-gitops/shared/exitcode"
	"github.com/kubectl-gitops/kubectl-gitops/shared/git"
	"github.com/kubectl-gitops/kubectl-gitops/shared/redact"
)

// gitCheckout is one commit of a GitRepository's repository, extracted into a
// temporary folder, and the clone it was read from: what both a Kustomization and a
// HelmRelease whose chart is in Git are rendered from.
type gitCheckout struct {
	// GitDir is the clone read: --git-dir, or the temporary repository fetched into.
	GitDir string
	// Tree is the commit's files (never a working tree).
	Tree string
	// Note says the commit was fetched, and from where; "" with --git-dir.
	Note    string
	cleanup []func()
}

// Close removes the temporary folders.
func (c *gitCheckout) Close() {
	for i := len(c.cleanup) - 1; i >= 0; i-- {
		c.cleanup[i]()
	}
}

// checkout extracts commit of the GitRepository src (read by who, named source in
// messages) from the clone gitDir, or, without one, fetches it (and the commits also)
// from the source's URL with fetch (the user's git; a Trees' Fetch shares one fetch
// among the Kustomizations of one source), into a temporary repository: the branch
// the source tracks is the way in when the server will not serve a commit by its SHA.
// What cannot be done is a SkipError: the others named are still compared. The
// checkout returned is to be closed; on error nothing is left behind.
func checkout(ctx context.Context, fetch Fetch, src *unstructured.Unstructured, who, source, gitDir, commit string, also ...string) (*gitCheckout, error) {
	if fetch == nil {
		fetch = GitFetch
	}
	co := &gitCheckout{GitDir: gitDir}
	c, err := co.extract(ctx, fetch, src, who, source, commit, also)
	if err != nil {
		co.Close()
		return nil, err
	}
	return c, nil
}

func (co *gitCheckout) extract(ctx context.Context, fetch Fetch, src *unstructured.Unstructured, who, source, commit string, also []string) (*gitCheckout, error) {
	gitDir := co.GitDir
	url, branch := remoteOf(src)
	if gitDir == "" {
		dir, cleanup, err := fetch(ctx, url, branch, append([]string{commit}, also...)...)
		co.cleanup = append(co.cleanup, cleanup)
		if err != nil {
			if ctx.Err() != nil {
				return co, ctx.Err()
			}
			return co, skip(exitcode.Failure, "cannot fetch commit %s of %s from %s: %s; clone it and pass --git-dir, or pass --dir", git.Short(commit), source, redact.URL(url), redact.Text(err.Error()))
		}
		co.GitDir = dir
		co.Note = fmt.Sprintf("fetched commit %s from %s with your git (shallow, into a temporary folder, removed)", git.Short(commit), redact.URL(url))
	} else if err := cloneOf(ctx, gitDir, url); err != nil {
		return co, skip(exitcode.Usage, "%s reads %s (%s): %s", who, source, redact.URL(url), redact.Text(err.Error()))
	}
	if !git.HasCommit(ctx, co.GitDir, commit) {
		return co, skip(exitcode.NotFound, "the clone %s does not have commit %s: run 'git -C %s fetch' and try again", co.GitDir, git.Short(commit), co.GitDir)
	}
	tmp, err := os.MkdirTemp("", "gitops-diff-")
	if err != nil {
		return co, err
	}
	co.cleanup = append(co.cleanup, func() { os.RemoveAll(tmp) })
	if err := git.Extract(ctx, co.GitDir, commit, tmp); err != nil {
		return co, err
	}
	co.Tree = tmp
	return co, nil
}
