package source

import (
	"testing"

	sourcev1 "github.com/fluxcd/source-controller/api/v1"
)

func TestFromGit(t *testing.T) {
	tests := []struct {
		name string
		ref  *sourcev1.GitRepositoryRef
		want string
	}{
		{"nil defaults to master", nil, "branch master"},
		{"empty defaults to master", &sourcev1.GitRepositoryRef{}, "branch master"},
		{"branch", &sourcev1.GitRepositoryRef{Branch: "main"}, "branch main"},
		{"tag beats branch", &sourcev1.GitRepositoryRef{Branch: "main", Tag: "v1.0.0"}, "tag v1.0.0"},
		{"semver beats tag", &sourcev1.GitRepositoryRef{Tag: "v1.0.0", SemVer: ">=1.0.0"}, "semver >=1.0.0"},
		{"name beats semver", &sourcev1.GitRepositoryRef{SemVer: "1.x", Name: "refs/heads/x"}, "name refs/heads/x"},
		{"commit beats all", &sourcev1.GitRepositoryRef{Name: "refs/heads/x", Commit: "abc"}, "commit abc"},
		{"commit with branch", &sourcev1.GitRepositoryRef{Branch: "main", Commit: "abc"}, "commit abc (on branch main)"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := FromGit(tt.ref).String(); got != tt.want {
				t.Errorf("FromGit() = %q, want %q", got, tt.want)
			}
		})
	}
}
