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
	tmp, err := os.MkdirTemp("", "gitops-index-")
	if err != nil {
		return "", err
	}
	defer os.RemoveAll(tmp)
	index := "GIT_INDEX_FILE=" + filepath.Join(tmp, "index")
	run := func(args ...string) (string, error) {
		cmd := Command(ctx, dir, args...)
		cmd.Env = append(cmd.Env, index)
		out, err := cmd.Output()
		if err != nil {
			return "", &Error{Args: args, Message: stderrOf(err)}
		}
		return strings.TrimSpace(string(out)), nil
	}
	if _, err := run("read-tree", parent); err != nil {
		return "", err
	}
	if _, err := run(append([]string{"rm", "-r", "-f", "--cached", "--quiet", "--ignore-unmatch", "--"}, paths...)...); err != nil {
		return "", err
	}
	entries, err := Run(ctx, dir, append([]string{"ls-tree", "-r", "-z", "--full-tree", from, "--"}, paths...)...)
	if err != nil {
		return "", err
	}
	cmd := Command(ctx, dir, "update-index", "-z", "--index-info")
	cmd.Env = append(cmd.Env, index)
	cmd.Stdin = strings.NewReader(string(entries))
	if out, err := cmd.CombinedOutput(); err != nil {
		return "", &Error{Args: []string{"update-index"}, Message: firstLine(string(out), err.Error())}
	}
	tree, err := run("write-tree")
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
