package main_test

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/kubectl-gitops/kubectl-gitops/shared/diff"
	"github.com/kubectl-gitops/kubectl-gitops/shared/output"
	"github.com/kubectl-gitops/kubectl-gitops/shared/output/outputtest"
	"github.com/kubectl-gitops/kubectl-gitops/shared/testbed"
)

// TestOfflineHelp checks that --help documents the offline comparison, its flags,
// formats and an example.
func TestOfflineHelp(t *testing.T) {
	testbed.CheckPluginBinary(t, "diff", []string{"kubectl gitops diff --dir . --base HEAD", "--base-dir", "--path", "markdown, github",
		"-o markdown writes a pull request comment", "Each HelmRelease's chart is\nrendered at both sides"}, nil)
}

// TestOfflinePullRequest runs a pull request's diff through the real kubectl, without
// any cluster: a `flux bootstrap` repository with two clusters, committed on main, then
// a working tree that changes a ConfigMap's value, adds an object, removes one and adds
// a dependsOn closing a cycle in production. Each is reported, staging is counted as
// unchanged, and the exit code is 7; with nothing changed, 0 and "no changes".
func TestOfflinePullRequest(t *testing.T) {
	assets := testbed.NeedAssets(t)
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	git := gitRunner(ctx, t)
	repo := t.TempDir()
	ks := func(name, path string, deps ...string) string {
		return testbed.KustomizationYAML(testbed.Kustomization{Namespace: testbed.FluxNamespace, Name: name, Path: path, Source: "flux-system", DependsOn: deps})
	}
	kustomization := func(extra string, resources ...string) string {
		return "apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\n" + extra + "resources:\n  - " + strings.Join(resources, "\n  - ") + "\n"
	}
	write := func(files map[string]string) {
		for p, c := range files {
			full := filepath.Join(repo, filepath.FromSlash(p))
			if c == "" {
				if err := os.Remove(full); err != nil {
					t.Fatal(err)
				}
				continue
			}
			if err := os.MkdirAll(filepath.Dir(full), 0o755); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(full, []byte(c), 0o644); err != nil {
				t.Fatal(err)
			}
		}
	}
	files := map[string]string{}
	for _, cluster := range []string{"production", "staging"} {
		files["clusters/"+cluster+"/flux-system/gotk-sync.yaml"] = testbed.BootstrapYAML("https://example.com/fleet.git", "./clusters/"+cluster)
		files["clusters/"+cluster+"/infra.yaml"] = ks("infra", "./infra")
		files["clusters/"+cluster+"/apps.yaml"] = ks("apps", "./apps/"+cluster, "infra")
		files["apps/"+cluster+"/kustomization.yaml"] = kustomization("namespace: shop\n", "config.yaml", "old.yaml")
		files["apps/"+cluster+"/config.yaml"] = testbed.ConfigMapYAML("shop", "web", "color", "blue")
		files["apps/"+cluster+"/old.yaml"] = testbed.ConfigMapYAML("shop", "old", "k", "v")
	}
	files["infra/namespace.yaml"] = "apiVersion: v1\nkind: Namespace\nmetadata:\n  name: shop\n"
	write(files)
	git("-C", repo, "init", "-q", "-b", "main")
	git("-C", repo, "add", ".")
	git("-C", repo, "-c", "user.name=t", "-c", "user.email=t@example.com", "commit", "-q", "-m", "fleet")

	testbed.CheckKubectl(t, ctx, assets, "", []testbed.KubectlCase{
		{Args: []string{"gitops", "diff", "--dir", repo, "--base", "main"}, Stdout: []string{"no changes: 2 clusters, 6 Kustomizations and"}},
		{Args: []string{"gitops", "diff", "--dir", repo, "--base", "main", "-o", "markdown"}, Stdout: []string{"### kubectl gitops diff\n\nNo changes: 2 clusters compared"}},
		{Args: []string{"gitops", "diff", "--dir", repo, "--base", "no-such-ref"}, Code: 2, Stderr: "--base no-such-ref: no such commit"},
		{Args: []string{"gitops", "diff", "--dir", t.TempDir(), "--base", "main"}, Code: 2, Stderr: "is not in a Git repository"},
		{Args: []string{"gitops", "diff", "--base", "main"}, Code: 2, Stderr: "give its folder with --dir"},
		{Args: []string{"gitops", "diff", "apps", "--dir", repo, "--base", "main"}, Code: 2, Stderr: "no names, -l or -A"},
		{Args: []string{"gitops", "diff", "apps", "--dir", repo, "-o", "markdown"}, Code: 2, Stderr: "-o markdown is the offline comparison's"},
		{Args: []string{"gitops", "diff", "--dir", repo, "--base", "main", "--base-dir", repo}, Code: 2, Stderr: "--base and --base-dir cannot be used together"},
		{Args: []string{"gitops", "diff", "--dir", repo, "--path", "clusters/staging"}, Code: 2, Stderr: "give the base with --base REF or --base-dir DIR"},
		{Args: []string{"gitops", "diff", "--git-dir", repo, "--dir", repo, "--base", "main"}, Code: 2, Stderr: "--git-dir and --revision pick what the live diff compares"},
		{Args: []string{"gitops", "diff", "--dir", repo, "--base-dir", filepath.Join(repo, "nowhere")}, Code: 2, Stderr: "is not a folder"},
	})

	write(map[string]string{
		"apps/production/config.yaml":        testbed.ConfigMapYAML("shop", "web", "color", "green"),
		"apps/production/new.yaml":           testbed.ConfigMapYAML("shop", "new", "k", "v"),
		"apps/production/old.yaml":           "",
		"apps/production/kustomization.yaml": kustomization("namespace: shop\n", "config.yaml", "new.yaml"),
		"clusters/production/infra.yaml":     ks("infra", "./infra", "apps"),
	})
	testbed.CheckKubectl(t, ctx, assets, "", []testbed.KubectlCase{
		{Args: []string{"gitops", "diff", "--dir", repo, "--base", "main"}, Code: 7, Stdout: []string{
			"Cluster clusters/production changed (base main (",
			"changed   ConfigMap shop/web", "-  color: blue", "+  color: green",
			"added     ConfigMap shop/new", "removed   ConfigMap shop/old",
			"dependsOn added:   Kustomization flux-system/infra -> Kustomization flux-system/apps",
			"new problem: Kustomization cycle: flux-system/apps -> flux-system/infra -> flux-system/apps",
			"1 cluster unchanged"}},
		{Args: []string{"gitops", "diff", "--dir", repo, "--base", "main", "--path", "clusters/staging"}, Stdout: []string{"no changes: 1 cluster"}},
		{Args: []string{"gitops", "diff", "--dir", repo, "--base", "main", "-o", "github"}, Code: 7, Stdout: []string{
			"::error file=clusters/production/", "::notice file=clusters/production/apps.yaml"}},
		{Args: []string{"gitops", "diff", "--dir", repo, "--base", "main", "-o", "markdown"}, Code: 7, Stdout: []string{
			"\n#### Cluster `clusters/production` (changed)\n", "\n<details><summary>clusters/production: Kustomization <code>flux-system/apps</code> changed"}},
	})

	run, err := testbed.Kubectl(ctx, assets, "", "gitops", "diff", "--dir", repo, "--base", "main", "-o", "yaml")
	if err != nil {
		t.Fatal(err)
	}
	if run.Code != 7 {
		t.Fatalf("exit code %d\n%s", run.Code, run)
	}
	err = outputtest.Decode(output.FormatYAML, []byte(run.Stdout), output.KindDiff, func() any { return &diff.Diff{} }, func(d any) {
		doc := d.(*diff.Diff)
		if len(doc.Clusters) != 2 || doc.Clusters[0].Change != diff.Modified || doc.Clusters[1].Change != diff.Same || len(doc.Clusters[1].Kustomizations) != 0 {
			t.Errorf("clusters %+v", doc.Clusters)
		}
		if s := doc.Clusters[0].Summary; s.Added != 1 || s.Removed != 1 || s.Changed != 2 {
			t.Errorf("production summary %+v, want 1 added, 1 removed, 2 changed (web, and infra's dependsOn)", s)
		}
	})
	if err != nil {
		t.Fatal(err)
	}
}
