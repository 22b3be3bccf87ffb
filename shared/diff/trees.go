package diff

import (
	"context"
	"sync"

	"github.com/kubectl-gitops/kubectl-gitops/shared/git"
)

// Fetch fetches commits of the Git repository at url into a local repository and
// returns its folder and how to remove it. The first commit is the one compared; the
// others (the commits Kustomizations applied last) tell drift from pending, and may be
// missing. branch is the way in when the server will not serve a commit by its SHA.
type Fetch func(ctx context.Context, url, branch string, commits ...string) (dir string, cleanup func(), err error)

// GitFetch is Fetch with the user's own git and credentials, shallow, bounded by
// git.DefaultFetchLimits: what diff does without a clone.
func GitFetch(ctx context.Context, url, branch string, commits ...string) (string, func(), error) {
	return git.FetchCommits(ctx, url, branch, git.DefaultFetchLimits(), commits...)
}

// Trees fetches each commit of a repository once and hands the same repository to every
// Kustomization compared at it: a writer's preview covers every Kustomization reading a
// source, and N of them on one GitRepository and revision would otherwise fetch the same
// tree N times (a fetch is the slow part of a preview, and a remote that cannot be
// reached would be tried N times, each up to the fetch timeout). A failed fetch is
// remembered too. The repositories live until Close.
type Trees struct {
	fetch Fetch
	mu    sync.Mutex
	got   map[string][]*fetched
}

// fetched is one fetch's answer, shared by everyone asking for the same commit.
type fetched struct {
	// commits are those the fetch asked for.
	commits map[string]bool
	once    sync.Once
	dir     string
	cleanup func()
	err     error
}

// NewTrees returns an empty cache over fetch (GitFetch when nil).
func NewTrees(fetch Fetch) *Trees {
	if fetch == nil {
		fetch = GitFetch
	}
	return &Trees{fetch: fetch, got: map[string][]*fetched{}}
}

// Fetch is a Fetch answered from the cache: a repository fetched from url with every
// commit asked for (the one compared first) serves the caller, with a cleanup that does
// nothing (Close removes it); else it is fetched. A Kustomization that applied another
// commit last needs that one to tell drift from pending, and gets its own fetch rather
// than an unknown origin; a caller that knows every consumer's commits asks for them
// all first (see PreviewConsumers), and one fetch serves them all.
func (t *Trees) Fetch(ctx context.Context, url, branch string, commits ...string) (string, func(), error) {
	if len(commits) == 0 {
		return t.fetch(ctx, url, branch)
	}
	t.mu.Lock()
	key := url + "\x00" + commits[0]
	var f *fetched
	for _, g := range t.got[key] {
		if g.holds(commits) {
			f = g
			break
		}
	}
	if f == nil {
		f = &fetched{commits: map[string]bool{}}
		for _, c := range commits {
			f.commits[c] = true
		}
		t.got[key] = append(t.got[key], f)
	}
	t.mu.Unlock()
	f.once.Do(func() { f.dir, f.cleanup, f.err = t.fetch(ctx, url, branch, commits...) })
	return f.dir, func() {}, f.err
}

func (f *fetched) holds(commits []string) bool {
	for _, c := range commits {
		if !f.commits[c] {
			return false
		}
	}
	return true
}

// Close removes every repository fetched.
func (t *Trees) Close() {
	t.mu.Lock()
	defer t.mu.Unlock()
	for key, fs := range t.got {
		for _, f := range fs {
			if f.cleanup != nil {
				f.cleanup()
			}
		}
		delete(t.got, key)
	}
}
