package branch

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"strings"
	"time"
)

// LsRemote asks the remote, with the user's own git and credentials (never the
// cluster's), which commit branch points at. found is false when the remote has no such
// branch; err when git could not ask (no git, no network, no credentials).
func LsRemote(ctx context.Context, url, branch string) (string, bool, error) {
	ctx, cancel := context.WithTimeout(ctx, 20*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, "git", "ls-remote", "--heads", "--", url, "refs/heads/"+branch)
	cmd.Env = append(os.Environ(), "GIT_TERMINAL_PROMPT=0", "GIT_ASKPASS=true", "SSH_ASKPASS=true")
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		// git's message names the URL; the caller prints it only through the scrubber.
		return "", false, fmt.Errorf("git ls-remote: %s", strings.TrimSpace(firstLine(stderr.String(), err.Error())))
	}
	for _, line := range strings.Split(stdout.String(), "\n") {
		sha, ref, ok := strings.Cut(line, "\t")
		if ok && ref == "refs/heads/"+branch {
			return sha, true, nil
		}
	}
	return "", false, nil
}

func firstLine(s, fallback string) string {
	s = strings.TrimSpace(s)
	if s == "" {
		return fallback
	}
	line, _, _ := strings.Cut(s, "\n")
	return line
}
