package git

import (
	"context"
	"strings"
	"time"
)

// lsRemoteTimeout bounds one question to a remote: a script waiting on a dead network
// must fail, not hang.
const lsRemoteTimeout = 20 * time.Second

// Heads lists the branches of the remote at url and the commit each points at, asked
// with the user's own git and credentials.
func Heads(ctx context.Context, url string) (map[string]string, error) {
	ctx, cancel := context.WithTimeout(ctx, lsRemoteTimeout)
	defer cancel()
	out, err := Run(ctx, "", "ls-remote", "--heads", "--", url)
	if err != nil {
		return nil, err
	}
	heads := map[string]string{}
	for _, line := range strings.Split(string(out), "\n") {
		sha, ref, ok := strings.Cut(line, "\t")
		if name, isHead := strings.CutPrefix(ref, "refs/heads/"); ok && isHead {
			heads[name] = sha
		}
	}
	return heads, nil
}
