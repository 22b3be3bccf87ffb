// Package source describes a Flux source the way both trace and branch show it: the
// ref it tracks in the words a user would use ("branch main", "tag v1.2.3", "commit
// 1a2b3c4"), the revision it holds, and its address with credentials stripped before
// anything is printed.
package source

import (
	"strings"

	sourcev1 "github.com/fluxcd/source-controller/api/v1"
)

// Ref is the reference a GitRepository tracks, reduced to its effective kind and value.
type Ref struct {
	// Kind is one of RefBranch, RefTag, RefSemVer, RefName, RefCommit.
	Kind string `json:"kind"`
	// Value is the branch, tag, semver range, ref name or commit SHA.
	Value string `json:"value"`
	// Branch is set when a commit is pinned together with a branch (a shallow clone of
	// that branch at that commit).
	Branch string `json:"branch,omitempty"`
}

// The kinds of a Ref: which field of a GitRepository's spec.ref decides what it tracks.
const (
	RefBranch = "branch"
	RefTag    = "tag"
	RefSemVer = "semver"
	RefName   = "name"
	RefCommit = "commit"
)

// headsPrefix starts the full name of a branch (spec.ref.name refs/heads/main).
const headsPrefix = "refs/heads/"

// TrackedBranch is the branch the ref follows: its branch, the branch a pinned commit
// keeps, or the branch a full ref name spells; "" for a tag, a semver range or a bare
// commit.
func (r Ref) TrackedBranch() string {
	switch {
	case r.Branch != "":
		return r.Branch
	case r.Kind == RefBranch:
		return r.Value
	case r.Kind == RefName:
		if b, ok := strings.CutPrefix(r.Value, headsPrefix); ok {
			return b
		}
	}
	return ""
}

// RevisionRef is the ref name Flux writes in the artifact revision of this ref ("main",
// "refs/heads/main"): "" for a commit, whose revision names no ref.
func (r Ref) RevisionRef() string {
	switch {
	case r.Kind == RefBranch:
		return r.Value
	case r.Kind == RefName && strings.HasPrefix(r.Value, headsPrefix):
		return r.Value
	}
	return ""
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
		return Ref{Kind: RefBranch, Value: "master"}
	}
	switch {
	case ref.Commit != "":
		return Ref{Kind: RefCommit, Value: ref.Commit, Branch: ref.Branch}
	case ref.Name != "":
		return Ref{Kind: RefName, Value: ref.Name}
	case ref.SemVer != "":
		return Ref{Kind: RefSemVer, Value: ref.SemVer}
	case ref.Tag != "":
		return Ref{Kind: RefTag, Value: ref.Tag}
	case ref.Branch != "":
		return Ref{Kind: RefBranch, Value: ref.Branch}
	}
	return Ref{Kind: RefBranch, Value: "master"}
}
