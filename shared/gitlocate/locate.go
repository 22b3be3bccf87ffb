package gitlocate

import (
	"context"
	"errors"
	"fmt"
)

// Locate finds the manifest that defines the requested object in
// req.GitDir at req.Commit, walking req.Path as kustomize-controller would.
//
// Errors are reserved for problems with the request or the clone: invalid
// input, a directory that is not a repository, a missing commit (a
// *MissingCommitError), git failures and cancellation. An object that
// cannot be located is a Result with Found false and a Reason.
func Locate(ctx context.Context, req Request) (Result, error) {
	t, err := req.target()
	if err != nil {
		return Result{}, err
	}
	root, err := cleanRoot(req.Path)
	if err != nil {
		return Result{}, err
	}
	commit, err := resolveCommit(ctx, req.GitDir, req.Commit)
	if err != nil {
		return Result{}, err
	}
	info, err := commitInfo(ctx, req.GitDir, commit)
	if err != nil {
		return Result{}, err
	}
	res, err := locateAt(ctx, req, t, root, commit)
	if err != nil {
		return Result{}, err
	}
	res.Commit = &info
	return res, nil
}

// locateAt walks the snapshot of commit from root.
func locateAt(ctx context.Context, req Request, t target, root, commit string) (Result, error) {
	snap, err := openSnapshot(ctx, req.GitDir, commit, req.maxFiles())
	if err != nil {
		return Result{}, err
	}
	defer snap.close()

	dir, ok, err := snap.stat(root)
	if err != nil {
		return Result{}, err
	}
	if !ok || dir.kind != kindDir {
		return Result{Reason: fmt.Sprintf("path %s is not a directory at %s", displayPath(root), shortSHA(commit))}, nil
	}
	w := newWalker(ctx, snap, t, req.maxDepth())
	if err := w.visitDir(root, dir, scope{}); err != nil {
		if !errors.Is(err, errBudget) {
			return Result{}, err
		}
		w.problem("search stopped after reading %d files and directories", snap.maxReads)
	}
	return w.result(root, commit), nil
}
