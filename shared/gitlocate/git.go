package gitlocate

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"strings"
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

// gitEnv is the environment for git children: the caller's, minus the
// variables that would point git at another repository than GitDir, plus
// settings that keep git from prompting for credentials or lazily fetching
// objects in partial clones (we promise never to modify the repository).
func gitEnv() []string {
	redirects := map[string]bool{
		"GIT_DIR": true, "GIT_WORK_TREE": true, "GIT_INDEX_FILE": true,
		"GIT_OBJECT_DIRECTORY": true, "GIT_ALTERNATE_OBJECT_DIRECTORIES": true,
		"GIT_COMMON_DIR": true, "GIT_NAMESPACE": true,
	}
	var env []string
	for _, kv := range os.Environ() {
		name, _, _ := strings.Cut(kv, "=")
		if !redirects[name] {
			env = append(env, kv)
		}
	}
	return append(env, "GIT_TERMINAL_PROMPT=0", "GIT_NO_LAZY_FETCH=1", "GIT_OPTIONAL_LOCKS=0")
}

// gitCommand prepares a git invocation against dir.
func gitCommand(ctx context.Context, dir string, args ...string) *exec.Cmd {
	cmd := exec.CommandContext(ctx, "git", append([]string{"-C", dir}, args...)...)
	cmd.Env = gitEnv()
	return cmd
}

// runGit runs git and returns its stdout; failures carry git's stderr so
// that the user sees git's own explanation.
func runGit(ctx context.Context, dir string, args ...string) ([]byte, error) {
	cmd := gitCommand(ctx, dir, args...)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		msg := strings.TrimSpace(stderr.String())
		if msg == "" {
			msg = err.Error()
		}
		return nil, fmt.Errorf("git %s: %s", strings.Join(args, " "), msg)
	}
	return stdout.Bytes(), nil
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
