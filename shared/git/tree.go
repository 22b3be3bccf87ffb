package git

import (
	"context"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
)

// Kind returns "tree", "blob" or "" (absent) for path at commit rev.
func Kind(ctx context.Context, dir, rev, path string) string {
	kind, err := Line(ctx, dir, "cat-file", "-t", rev+":"+path)
	if err != nil {
		return ""
	}
	return kind
}

// Show returns the content of path at commit rev.
func Show(ctx context.Context, dir, rev, path string) ([]byte, error) {
	return Run(ctx, dir, "show", rev+":"+path)
}

// Changed lists the files under paths that differ between commits a and b.
func Changed(ctx context.Context, dir, a, b string, paths []string) ([]string, error) {
	out, err := Run(ctx, dir, append([]string{"diff", "--name-only", "--no-renames", a, b, "--"}, paths...)...)
	if err != nil {
		return nil, err
	}
	return strings.Fields(string(out)), nil
}

// CommitWithPaths writes, without touching the working tree, the index or any branch,
// a commit on parent whose tree is parent's except that every path in paths is as it
// is in from (added, changed or removed): the files a revert restores. It returns the
// new commit's SHA; nothing refers to it until the caller pushes or names it.
func CommitWithPaths(ctx context.Context, dir, parent, from string, paths []string, message string) (string, error) {
	entries, err := Run(ctx, dir, append([]string{"ls-tree", "-r", "-z", "--full-tree", from, "--"}, paths...)...)
	if err != nil {
		return "", err
	}
	return commitOn(ctx, dir, parent, message, func(index indexRunner) error {
		if _, err := index("", append([]string{"rm", "-r", "-f", "--cached", "--quiet", "--ignore-unmatch", "--"}, paths...)...); err != nil {
			return err
		}
		_, err := index(string(entries), "update-index", "-z", "--index-info")
		return err
	})
}

// RevertPaths writes, the same way, a commit on parent that undoes what commit changed
// under paths, as `git revert` would for those paths alone. A change that later commits
// built on refuses to apply: the error says so, and nothing is written.
func RevertPaths(ctx context.Context, dir, parent, commit string, paths []string, message string) (string, error) {
	diff, err := Run(ctx, dir, append([]string{"diff", "--binary", "--no-renames", commit, commit + "^", "--"}, paths...)...)
	if err != nil {
		return "", err
	}
	return commitOn(ctx, dir, parent, message, func(index indexRunner) error {
		_, err := index(string(diff), "apply", "--cached", "--allow-empty")
		return err
	})
}

// indexRunner runs git with stdin against a temporary index.
type indexRunner func(stdin string, args ...string) (string, error)

// commitOn builds a tree from parent's in a temporary index, changed by edit, and
// writes a commit of it on parent.
func commitOn(ctx context.Context, dir, parent, message string, edit func(indexRunner) error) (string, error) {
	tmp, err := os.MkdirTemp("", "gitops-index-")
	if err != nil {
		return "", err
	}
	defer os.RemoveAll(tmp)
	index := func(stdin string, args ...string) (string, error) {
		cmd := Command(ctx, dir, args...)
		cmd.Env = append(cmd.Env, "GIT_INDEX_FILE="+filepath.Join(tmp, "index"))
		cmd.Stdin = strings.NewReader(stdin)
		out, err := cmd.Output()
		if err != nil {
			return "", &Error{Args: args, Message: stderrOf(err)}
		}
		return strings.TrimSpace(string(out)), nil
	}
	if _, err := index("", "read-tree", parent); err != nil {
		return "", err
	}
	if err := edit(index); err != nil {
		return "", err
	}
	tree, err := index("", "write-tree")
	if err != nil {
		return "", err
	}
	return Line(ctx, dir, "commit-tree", tree, "-p", parent, "-m", message)
}

func stderrOf(err error) string {
	var exit *exec.ExitError
	if errors.As(err, &exit) {
		return firstLine(string(exit.Stderr), err.Error())
	}
	return err.Error()
}
