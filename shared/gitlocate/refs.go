package gitlocate

import (
	"path"
	"strings"
)

// isRemoteSyntax reports whether a resources entry is unmistakably remote
// (a URL or a go-getter/git reference), so that it is never looked up
// locally.
func isRemoteSyntax(r string) bool {
	return strings.Contains(r, "://") ||
		strings.HasPrefix(r, "git@") ||
		strings.HasPrefix(r, "git::") ||
		strings.Contains(r, "?ref=") ||
		strings.Contains(r, "?version=")
}

// looksLikeHost reports whether a resources entry that does not exist
// locally is a remote base written without a scheme, like
// "github.com/org/repo/deploy": its first segment is a host name.
func looksLikeHost(r string) bool {
	first, rest, ok := strings.Cut(r, "/")
	return ok && rest != "" && strings.Contains(first, ".") && first != "." && first != ".."
}

// joinInRepo resolves a kustomization entry against the kustomization's
// directory, refusing absolute paths and paths that climb out of the
// repository: kustomize-controller confines builds to the source root, and a
// hostile kustomization must not make us read elsewhere.
func joinInRepo(dir, r string) (string, bool) {
	if path.IsAbs(r) {
		return "", false
	}
	j := path.Join(dir, r)
	if j == ".." || strings.HasPrefix(j, "../") {
		return "", false
	}
	if j == "." {
		return "", true
	}
	return j, true
}
