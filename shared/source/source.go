// Package source describes a Flux source the way both trace and branch show it: the
// ref it tracks in the words a user would use ("branch main", "tag v1.2.3", "commit
// 1a2b3c4"), the revision it holds, and its address with credentials stripped before
// anything is printed.
package source

import (
	sourcev1 "github.com/fluxcd/source-controller/api/v1"
)

// Ref is the reference a GitRepository tracks, reduced to its effective kind and value.
type Ref struct {
	// Kind is one of branch, tag, semver, name, commit.
	Kind string `json:"kind"`
	// Value is the branch, tag, semver range, ref name or commit SHA.
	Value string `json:"value"`
	// Branch is set when a commit is pinned together with a branch (a shallow clone of
	// that branch at that commit).
	Branch string `json:"branch,omitempty"`
}

// String renders the ref as "branch main", "commit 1a2b3c4 (on branch main)".
func (r Ref) String() string {
	s := r.Kind + " " + r.Value
	if r.Branch != "" {
		s += " (on branch " + r.Branch + ")"
	}
	return s
}

// FromGit returns the ref a GitRepository actually tracks, applying source-controller's
// precedence: commit > name > semver > tag > branch, default branch master.
func FromGit(ref *sourcev1.GitRepositoryRef) Ref {
	if ref == nil {
		return Ref{Kind: "branch", Value: "master"}
	}
	switch {
	case ref.Commit != "":
		return Ref{Kind: "commit", Value: ref.Commit, Branch: ref.Branch}
	case ref.Name != "":
		return Ref{Kind: "name", Value: ref.Name}
	case ref.SemVer != "":
		return Ref{Kind: "semver", Value: ref.SemVer}
	case ref.Tag != "":
		return Ref{Kind: "tag", Value: ref.Tag}
	case ref.Branch != "":
		return Ref{Kind: "branch", Value: ref.Branch}
	}
	return Ref{Kind: "branch", Value: "master"}
}
