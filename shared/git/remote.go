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

// LsRemote says which commit branch points at on the remote at url; found is false
// when the remote has no such branch, err when git could not ask (no git, no network,
// no credentials).
func LsRemote(ctx context.Context, url, branch string) (sha string, found bool, err error) {
	heads, err := Heads(ctx, url)
	if err != nil {
		return "", false, err
	}
	sha, found = heads[branch]
	return sha, found, nil
}
