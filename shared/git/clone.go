package git

import (
	"context"
	"fmt"
	"net/url"
	"strconv"
	"strings"
)

// SameRepository reports whether two remote URLs name one repository: credentials,
// scheme, a trailing ".git" or "/" and the case of the host do not count, and the
// scp-like "git@host:path" equals "ssh://git@host/path". A user's clone and Flux's
// GitRepository rarely spell the URL alike.
func SameRepository(a, b string) bool {
	return canonical(a) == canonical(b)
}

func canonical(raw string) string {
	raw = strings.TrimSpace(raw)
	host, path := "", raw
	if u, err := url.Parse(raw); err == nil && u.Scheme != "" && u.Host != "" {
		host, path = u.Hostname(), u.Path
		if p := u.Port(); p != "" && p != "22" && p != "443" && p != "80" {
			host += ":" + p
		}
	} else if at, rest, ok := strings.Cut(raw, ":"); ok && !strings.Contains(at, "/") {
		// scp-like: [user@]host:path
		if _, h, hasUser := strings.Cut(at, "@"); hasUser {
			at = h
		}
		host, path = at, rest
	}
	path = strings.TrimSuffix(strings.TrimSuffix(strings.Trim(path, "/"), ".git"), "/")
	return strings.ToLower(host) + "/" + path
}

// RemoteFor names the remote of the clone at dir that points at url, or says which
// remotes there are when none does.
func RemoteFor(ctx context.Context, dir, url string) (string, error) {
	if _, err := Run(ctx, dir, "rev-parse", "--git-dir"); err != nil {
		return "", fmt.Errorf("%s is not a git clone: %w", dir, err)
	}
	out, err := Run(ctx, dir, "remote", "-v")
	if err != nil {
		return "", err
	}
	var names []string
	for _, line := range strings.Split(string(out), "\n") {
		f := strings.Fields(line)
		if len(f) < 2 {
			continue
		}
		if SameRepository(f[1], url) {
			return f[0], nil
		}
		names = append(names, f[0])
	}
	if len(names) == 0 {
		return "", fmt.Errorf("the clone at %s has no remote", dir)
	}
	return "", fmt.Errorf("no remote of the clone at %s points at the source's URL", dir)
}

// Branches lists the branches the clone knows of remote (its remote-tracking refs) and
// the commit each points at.
func Branches(ctx context.Context, dir, remote string) (map[string]string, error) {
	out, err := Run(ctx, dir, "for-each-ref", "--format=%(objectname) %(refname)", "refs/remotes/"+remote+"/")
	if err != nil {
		return nil, err
	}
	heads := map[string]string{}
	for _, line := range strings.Split(string(out), "\n") {
		sha, ref, ok := strings.Cut(line, " ")
		name, _ := strings.CutPrefix(ref, "refs/remotes/"+remote+"/")
		if ok && name != "HEAD" {
			heads[name] = sha
		}
	}
	return heads, nil
}

// HasCommit reports whether the clone holds commit sha.
func HasCommit(ctx context.Context, dir, sha string) bool {
	_, err := Run(ctx, dir, "cat-file", "-e", sha+"^{commit}")
	return err == nil
}

// Count says how many commits a has that b lacks (ahead) and b has that a lacks
// (behind), as `git rev-list --left-right --count` does.
func Count(ctx context.Context, dir, a, b string) (ahead, behind int, err error) {
	out, err := Line(ctx, dir, "rev-list", "--left-right", "--count", a+"..."+b)
	if err != nil {
		return 0, 0, err
	}
	left, right, ok := strings.Cut(out, "\t")
	if !ok {
		return 0, 0, fmt.Errorf("git rev-list: unexpected output %q", out)
	}
	if ahead, err = strconv.Atoi(left); err == nil {
		behind, err = strconv.Atoi(right)
	}
	return ahead, behind, err
}
