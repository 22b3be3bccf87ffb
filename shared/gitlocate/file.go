package gitlocate

import (
	"context"
	"fmt"
)

// LocateFile finds the object in one file, named from the repository root, at
// req.Commit, without walking req.Path: for a file known beforehand, such as the one
// kustomize's config.kubernetes.io/origin annotation names. Reading one blob is what
// makes it cheap: no tree below spec.path is listed.
//
// Found is false, with a Reason, when the file is not in the commit (the caller may
// then walk with Locate). When the file is there, Found is true and Line is the first
// line of the best matching document; an overlay's namePrefix or nameSuffix can make
// the manifest's name differ from the object's, and then the only document of the
// object's kind is taken, or Line stays 0 with a Reason.
func LocateFile(ctx context.Context, req Request, file string) (Result, error) {
	t, err := req.target()
	if err != nil {
		return Result{}, err
	}
	clean, ok := joinInRepo("", file)
	if !ok || clean == "" {
		return Result{}, fmt.Errorf("gitlocate: file %q is not inside the repository", file)
	}
	commit, err := resolveCommit(ctx, req.GitDir, req.Commit)
	if err != nil {
		return Result{}, err
	}
	info, err := commitInfo(ctx, req.GitDir, commit)
	if err != nil {
		return Result{}, err
	}
	snap, err := openSnapshot(ctx, req.GitDir, commit, req.maxFiles())
	if err != nil {
		return Result{}, err
	}
	defer snap.close()
	res := Result{Commit: &info}
	entry, ok, err := snap.stat(clean)
	if err != nil {
		return Result{}, err
	}
	if !ok || entry.kind != kindFile {
		res.Reason = fmt.Sprintf("%s is not a file at %s", clean, shortSHA(commit))
		return res, nil
	}
	data, err := snap.readFile(entry)
	if err != nil {
		return Result{}, err
	}
	res.Found, res.File = true, clean
	best, sameKind := -1, 0
	var bestTier tier
	kindLine := 0
	for _, obj := range objectsIn(data) {
		if manifestGroup(obj.apiVersion) == t.group && obj.kind == t.kind {
			sameKind++
			kindLine = obj.line
		}
		if m, ok := matchObject(t, obj, scope{}); ok && (best < 0 || m.tier < bestTier) {
			best, bestTier = obj.line, m.tier
		}
	}
	switch {
	case best >= 0:
		res.Line = best
	case sameKind == 1:
		res.Line = kindLine
	default:
		res.Reason = fmt.Sprintf("%s holds no document named %s (renamed by a namePrefix or nameSuffix?)", clean, t)
	}
	return res, nil
}

// CommitInfo returns the subject and author of commit in gitDir, for a location known
// without reading the tree (a remote base or a generator named by an origin annotation).
func CommitInfo(ctx context.Context, gitDir, commit string) (Commit, error) {
	full, err := resolveCommit(ctx, gitDir, commit)
	if err != nil {
		return Commit{}, err
	}
	return commitInfo(ctx, gitDir, full)
}
