package trace

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/kubectl-gitops/kubectl-gitops/shared/exitcode"
	"github.com/kubectl-gitops/kubectl-gitops/shared/output"
)

// gitRepo makes a clone at a temporary path whose origin is url, with one commit per
// entry of commits (message → files), and returns its path and the commits' SHAs.
func gitRepo(t *testing.T, url string, commits ...map[string]map[string]string) (string, []string) {
	t.Helper()
	dir := t.TempDir()
	run := func(args ...string) string {
		cmd := exec.Command("git", args...)
		cmd.Dir = dir
		cmd.Env = append(os.Environ(), "GIT_AUTHOR_NAME=Dev", "GIT_AUTHOR_EMAIL=dev@example.com", "GIT_COMMITTER_NAME=Dev", "GIT_COMMITTER_EMAIL=dev@example.com", "GIT_CONFIG_GLOBAL=/dev/null")
		out, err := cmd.CombinedOutput()
		if err != nil {
			t.Fatalf("git %v: %v\n%s", args, err, out)
		}
		return strings.TrimSpace(string(out))
	}
	run("init", "--quiet", "--initial-branch=main")
	run("remote", "add", "origin", url)
	var shas []string
	for _, c := range commits {
		for msg, files := range c {
			for p, content := range files {
				full := filepath.Join(dir, p)
				if err := os.MkdirAll(filepath.Dir(full), 0o755); err != nil {
					t.Fatal(err)
				}
				if err := os.WriteFile(full, []byte(content), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			run("add", "-A")
			run("commit", "--quiet", "-m", msg)
			shas = append(shas, run("rev-parse", "HEAD"))
		}
	}
	return dir, shas
}

const deployment = "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: api\n  namespace: shop\n"

// gitReport is the trace of Deployment shop/api applied by apps at sha from a
// GitRepository at url.
func gitReport(url, sha string) *Report {
	k := Hop{Role: RoleKustomization, Ref: output.ObjectRef{Kind: "Kustomization", Namespace: "flux-system", Name: "apps"}, Path: "./apps",
		LastAppliedRevision: "main@sha1:" + sha, SourceRef: &output.ObjectRef{Kind: "GitRepository", Namespace: "flux-system", Name: "flux-system"}}
	return &Report{Object: output.ObjectRef{APIVersion: "apps/v1", Kind: "Deployment", Namespace: "shop", Name: "api"},
		Hops: []Hop{{Role: RoleObject, Ref: output.ObjectRef{APIVersion: "apps/v1", Kind: "Deployment", Namespace: "shop", Name: "api"}}, k,
			{Role: RoleSource, Ref: output.ObjectRef{Kind: "GitRepository", Namespace: "flux-system", Name: "flux-system"}, URL: url}},
		Commit: &Commit{SHA: sha, Applied: "main@sha1:" + sha}}
}

func TestLocateInGitNamesBothCommits(t *testing.T) {
	url := "https://git.example.com/acme/fleet.git"
	dir, shas := gitRepo(t, url,
		map[string]map[string]string{"Add api": {"apps/deployment.yaml": deployment}},
		map[string]map[string]string{"Tune the platform": {"infrastructure/config.yaml": "a: b\n"}})
	r := gitReport("https://deploy:token@git.example.com/acme/fleet", shas[1])
	r.LocateInGit(context.Background(), dir)
	g := r.Commit.Git
	if g == nil || g.File != "apps/deployment.yaml" || g.Subject != "Tune the platform" || g.LastChange == nil ||
		g.LastChange.SHA != shas[0] || g.LastChange.Subject != "Add api" || g.LastChange.Author != "Dev <dev@example.com>" {
		t.Fatalf("git = %+v (last change %+v), want the applied commit's subject and, apart, the commit that last changed the file", g, g.LastChange)
	}
	var buf strings.Builder
	r.Result, r.Hops[0].Health = ResultTraced, nil
	if err := writeText(&buf, []*Report{r}, false, goldenNow); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"Message:    Tune the platform (Dev <dev@example.com>): the applied commit's subject",
		"Changed in: " + shas[0][:12] + " Add api (Dev <dev@example.com>): the last commit to change apps/deployment.yaml"} {
		if !strings.Contains(buf.String(), want) {
			t.Errorf("human view lacks %q:\n%s", want, buf.String())
		}
	}
}

func TestLocateInGitCloneOfAnotherRepository(t *testing.T) {
	dir, shas := gitRepo(t, "https://git.example.com/acme/other.git",
		map[string]map[string]string{"Add api": {"apps/deployment.yaml": deployment}})
	r := gitReport("https://git.example.com/acme/fleet.git", shas[0])
	r.LocateInGit(context.Background(), dir)
	g := r.Commit.Git
	if g == nil || !strings.Contains(g.Note, "is a clone of another repository") || !strings.Contains(g.Note, "give --git-dir a clone of https://git.example.com/acme/fleet.git") ||
		strings.Contains(g.Note, "fetch") || g.File != "" {
		t.Errorf("git = %+v, want it called a clone of another repository, not told to fetch", g)
	}
}

func TestCheckGitDir(t *testing.T) {
	repo, _ := gitRepo(t, "https://git.example.com/acme/fleet.git")
	file := filepath.Join(t.TempDir(), "file")
	if err := os.WriteFile(file, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		dir, want string
	}{
		{filepath.Join(t.TempDir(), "nope"), "does not exist"},
		{file, "is not a directory"},
		{t.TempDir(), "is not a git clone"},
	} {
		err := CheckGitDir(context.Background(), tt.dir)
		if exitcode.Of(err) != exitcode.Usage || !strings.Contains(err.Error(), tt.want) || strings.Contains(err.Error(), "gitlocate") {
			t.Errorf("CheckGitDir(%s) = %v, want a usage error saying %q", tt.dir, err, tt.want)
		}
	}
	if err := CheckGitDir(context.Background(), repo); err != nil {
		t.Errorf("CheckGitDir(clone) = %v", err)
	}
}
