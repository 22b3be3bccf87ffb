package source

import (
	"testing"

	sourcev1 "github.com/fluxcd/source-controller/api/v1"
)

// TestTrackedBranch: which branch each way of writing spec.ref follows, and the ref
// name Flux puts in its artifact revision.
func TestTrackedBranch(t *testing.T) {
	tests := []struct {
		ref              *sourcev1.GitRepositoryRef
		branch, revision string
	}{
		{nil, "master", "master"},
		{&sourcev1.GitRepositoryRef{Branch: "main"}, "main", "main"},
		{&sourcev1.GitRepositoryRef{Name: "refs/heads/main"}, "main", "refs/heads/main"},
		{&sourcev1.GitRepositoryRef{Name: "refs/tags/v1"}, "", ""},
		{&sourcev1.GitRepositoryRef{Tag: "v1", Branch: "main"}, "", ""},
		{&sourcev1.GitRepositoryRef{SemVer: ">=1.0"}, "", ""},
		{&sourcev1.GitRepositoryRef{Commit: "abc", Branch: "main"}, "main", ""},
		{&sourcev1.GitRepositoryRef{Commit: "abc"}, "", ""},
	}
	for _, tt := range tests {
		r := FromGit(tt.ref)
		if got := r.TrackedBranch(); got != tt.branch {
			t.Errorf("%s: tracked branch %q, want %q", r, got, tt.branch)
		}
		if got := r.RevisionRef(); got != tt.revision {
			t.Errorf("%s: revision ref %q, want %q", r, got, tt.revision)
		}
	}
}
