// Package git runs the user's own git, with the user's own credentials (never the
// cluster's), for every command that reads or writes a repository: one runner, one
// environment, one way of reporting git's failures.
package git

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"strings"
	"time"
)

// redirects are the variables that would point git at another repository than the
// one asked for.
var redirects = map[string]bool{
	"GIT_DIR": true, "GIT_WORK_TREE": true, "GIT_INDEX_FILE": true,
	"GIT_OBJECT_DIRECTORY": true, "GIT_ALTERNATE_OBJECT_DIRECTORIES": true,
	"GIT_COMMON_DIR": true, "GIT_NAMESPACE": true,
}

// Env is the environment for git children: the caller's, minus the variables that
// would redirect git, plus settings that keep git from prompting (a script has no one
// to answer) or lazily fetching objects in partial clones.
func Env() []string {
	var env []string
	for _, kv := range os.Environ() {
		name, _, _ := strings.Cut(kv, "=")
		if !redirects[name] {
			env = append(env, kv)
		}
	}
	return append(env, "GIT_TERMINAL_PROMPT=0", "GIT_ASKPASS=true", "SSH_ASKPASS=true",
		"GIT_NO_LAZY_FETCH=1", "GIT_OPTIONAL_LOCKS=0", "LC_ALL=C")
}

// Command prepares git args against dir ("" for no repository).
func Command(ctx context.Context, dir string, args ...string) *exec.Cmd {
	if dir != "" {
		args = append([]string{"-C", dir}, args...)
	}
	cmd := exec.CommandContext(ctx, "git", args...)
	cmd.Env = Env()
	// git's own children (git-remote-http waiting on a silent server) keep its output
	// open after git is killed at ctx's end: stop waiting for them.
	cmd.WaitDelay = time.Second
	return cmd
}

// Error is a git command that failed, with git's own first line of explanation. Its
// text may name a URL: print it only through the scrubber.
type Error struct {
	Args    []string
	Message string
}

func (e *Error) Error() string {
	return fmt.Sprintf("git %s: %s", subcommand(e.Args), e.Message)
}

// subcommand is git's command among args, past the options before it ("-c k=v fetch"
// is a fetch).
func subcommand(args []string) string {
	for i := 0; i < len(args); i++ {
		switch a := args[i]; {
		case a == "-c" || a == "-C":
			i++
		case !strings.HasPrefix(a, "-"):
			return a
		}
	}
	return strings.Join(args, " ")
}

// Run runs git and returns its stdout.
func Run(ctx context.Context, dir string, args ...string) ([]byte, error) {
	return run(ctx, Command(ctx, dir, args...), args)
}

// runAlone is Run in a session of git's own (see ownSession): for talking to remotes.
func runAlone(ctx context.Context, dir string, args ...string) ([]byte, error) {
	cmd := Command(ctx, dir, args...)
	ownSession(cmd)
	return run(ctx, cmd, args)
}

func run(ctx context.Context, cmd *exec.Cmd, args []string) ([]byte, error) {
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		return nil, &Error{Args: args, Message: firstLine(stderr.String(), err.Error())}
	}
	return stdout.Bytes(), nil
}

// Line runs git and returns its stdout trimmed: one value, such as a SHA.
func Line(ctx context.Context, dir string, args ...string) (string, error) {
	out, err := Run(ctx, dir, args...)
	return strings.TrimSpace(string(out)), err
}

func firstLine(s, fallback string) string {
	s = strings.TrimSpace(s)
	if s == "" {
		return fallback
	}
	// git prints hints after the error; the error line is what the user needs.
	for _, line := range strings.Split(s, "\n") {
		if strings.HasPrefix(line, "fatal:") || strings.HasPrefix(line, "error:") {
			return strings.TrimSpace(line)
		}
	}
	line, _, _ := strings.Cut(s, "\n")
	return line
}

// Short abbreviates a commit SHA to the 12 characters the suite prints (Flux's
// revisions and the HelmRelease chart versions carry the same prefix).
func Short(sha string) string {
	if len(sha) > 12 {
		return sha[:12]
	}
	return sha
}
