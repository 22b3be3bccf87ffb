package gitlocate

import (
	"context"
	"fmt"
	"os"
	"strings"

	"github.com/kubectl-gitops/kubectl-gitops/shared/git"
)

// MissingCommitError means the clone does not have the applied commit, which
// happens when it has not been fetched since Flux saw a new revision.
type MissingCommitError struct {
	Commit string
	GitDir string
}

func (e *MissingCommitError) Error() string {
	return fmt.Sprintf("commit %s is not in %s: run `git -C %s fetch` and try again",
		shortSHA(e.Commit), e.GitDir, e.GitDir)
}

// runGit runs git against dir and returns its stdout; failures carry git's own
// explanation.
func runGit(ctx context.Context, dir string, args ...string) ([]byte, error) {
	return git.Run(ctx, dir, args...)
}

// resolveCommit checks that gitDir is a repository holding sha as a commit
// and returns the commit's full object name.
func resolveCommit(ctx context.Context, gitDir, sha string) (string, error) {
	if !isHex(sha) || len(sha) < 4 || len(sha) > 64 {
		return "", fmt.Errorf("gitlocate: invalid commit %q: want a hex SHA", sha)
	}
	if _, err := os.Stat(gitDir); err != nil {
		return "", fmt.Errorf("gitlocate: git dir: %w", err)
	}
	if _, err := runGit(ctx, gitDir, "rev-parse", "--git-dir"); err != nil {
		if ctx.Err() != nil {
			return "", ctx.Err()
		}
		return "", fmt.Errorf("gitlocate: %s is not a git repository: %w", gitDir, err)
	}
	out, err := runGit(ctx, gitDir, "rev-parse", "--verify", "--quiet", sha+"^{commit}")
	if err != nil {
		if ctx.Err() != nil {
			return "", ctx.Err()
		}
		return "", &MissingCommitError{Commit: sha, GitDir: gitDir}
	}
	full := strings.TrimSpace(string(out))
	if !isHex(full) {
		return "", fmt.Errorf("gitlocate: unexpected rev-parse output %q", full)
	}
	return full, nil
}

func isHex(s string) bool {
	if s == "" {
		return false
	}
	for _, c := range s {
		if !(c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F') {
			return false
		}
	}
	return true
}

// shortSHA abbreviates a commit for messages, like git's default.
func shortSHA(sha string) string {
	if len(sha) > 7 {
		return sha[:7]
	}
	return sha
}
