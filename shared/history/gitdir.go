package history

import (
	"context"
	"strings"

	"github.com/kubectl-gitops/kubectl-gitops/shared/git"
)

// Describe fills each entry's Commit from the user's clone at dir: the subject, the
// author and the files under path (the Kustomization's spec.path) the commit changed.
// A commit the clone lacks is left without, and named in the returned notes.
func Describe(ctx context.Context, dir, path string, entries []Entry) []string {
	path = strings.TrimPrefix(strings.TrimPrefix(path, "./"), "/")
	if path == "" {
		path = "."
	}
	var notes []string
	for i, e := range entries {
		if e.SHA == "" {
			continue
		}
		if !git.HasCommit(ctx, dir, e.SHA) {
			notes = append(notes, "commit "+e.SHA[:min(12, len(e.SHA))]+" is not in "+dir+": run 'git -C "+dir+" fetch'")
			continue
		}
		head, err := git.Line(ctx, dir, "show", "-s", "--no-show-signature", "--format=%s%x00%an <%ae>", e.SHA)
		if err != nil {
			continue
		}
		subject, author, _ := strings.Cut(head, "\x00")
		files, _ := git.Run(ctx, dir, "diff-tree", "--no-commit-id", "--name-only", "-r", "--root", e.SHA, "--", path)
		entries[i].Commit = &Commit{Subject: subject, Author: author, Files: strings.Fields(string(files))}
	}
	return notes
}

// GitAncestry answers ancestry questions from the user's clone at dir, with
// `git merge-base --is-ancestor`; a commit the clone lacks is not known.
func GitAncestry(ctx context.Context, dir string) Ancestry {
	return func(a, b string) (bool, bool) {
		if !git.HasCommit(ctx, dir, a) || !git.HasCommit(ctx, dir, b) {
			return false, false
		}
		_, err := git.Run(ctx, dir, "merge-base", "--is-ancestor", a, b)
		return err == nil, true
	}
}
