package main_test

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/kubectl-gitops/kubectl-gitops/shared/deps/render"
	"github.com/kubectl-gitops/kubectl-gitops/shared/output"
	"github.com/kubectl-gitops/kubectl-gitops/shared/output/outputtest"
	"github.com/kubectl-gitops/kubectl-gitops/shared/testbed"
)

// TestOfflineClusters checks a `flux bootstrap` repository with two clusters, through
// the real kubectl: each is rendered from its own sync path, so staging's overlay patch
// that adds a dependency on a name that does not exist fails the check even though
// production defines the same names; a stale copy a .sourceignore hides is not read;
// a variable from a Secret that is not in Git is unknown, a problem only with --strict.
func TestOfflineClusters(t *testing.T) {
	assets := testbed.NeedAssets(t)
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	repo := t.TempDir()
	sync := func(cluster string) string {
		return testbed.BootstrapYAML("https://example.com/fleet.git", "./clusters/"+cluster)
	}
	ks := func(name, path string, deps ...string) string {
		return testbed.KustomizationYAML(testbed.Kustomization{Namespace: testbed.FluxNamespace, Name: name, Path: path, Source: "flux-system", DependsOn: deps})
	}
	files := map[string]string{
		".sourceignore": "/stale/\n",
		"clusters/production/flux-system/gotk-sync.yaml": sync("production"),
		"clusters/production/infra.yaml":                 ks("infra", "./infra"),
		"clusters/production/apps.yaml":                  ks("apps", "./apps/production", "infra"),
		"clusters/staging/flux-system/gotk-sync.yaml":    sync("staging"),
		"clusters/staging/infra.yaml":                    ks("infra", "./infra"),
		"clusters/staging/apps.yaml":                     ks("apps", "./apps/staging", "infra"),
		"infra/config.yaml":                              testbed.ConfigMapYAML("default", "infra", "k", "v"),
		"apps/base/kustomization.yaml":                   "apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nresources:\n  - web.yaml\n",
		"apps/base/web.yaml":                             ks("web", "./web", "apps"),
		"apps/production/kustomization.yaml":             "apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nresources:\n  - ../base\n",
		"apps/staging/kustomization.yaml": "apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nresources:\n  - ../base\npatches:\n" +
			"  - target:\n      kind: Kustomization\n      name: web\n    patch: |-\n      - op: add\n        path: /spec/dependsOn/-\n        value:\n          name: redis\n",
		"web/config.yaml": testbed.ConfigMapYAML("default", "web", "k", "v"),
		"stale/apps.yaml": ks("apps", "./nowhere", "ghost"),
	}
	for p, c := range files {
		full := filepath.Join(repo, filepath.FromSlash(p))
		if err := os.MkdirAll(filepath.Dir(full), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(full, []byte(c), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	testbed.CheckKubectl(t, ctx, assets, "", []testbed.KubectlCase{
		{Args: []string{"gitops", "deps", "--dir", repo, "--check"}, Code: 7, Stdout: []string{
			"Cluster clusters/production (rendered from its sync path", "Cluster clusters/staging (rendered from its sync path",
			"Kustomization flux-system/web depends on flux-system/redis, which does not exist"}},
		{Args: []string{"gitops", "deps", "--dir", repo, "--path", "clusters/production", "--check"}, Stdout: []string{"no problems."}},
		{Args: []string{"gitops", "deps", "--dir", repo, "--path", "clusters/nope"}, Code: 2, Stderr: "path clusters/nope is not in"},
		{Args: []string{"gitops", "deps", "--path", "clusters/production"}, Code: 2, Stderr: "--path, --source and --strict check a repository: give it with --dir"},
		{Args: []string{"gitops", "deps", "--dir", repo, "--source", "OCIRepository/apps"}, Code: 2, Stderr: "give KIND/NAMESPACE/NAME=DIR"},
		{Args: []string{"gitops", "deps", "--dir", repo, "nothing-by-this-name"}, Code: 3, Stderr: "in any cluster of"},
	})

	run, err := testbed.Kubectl(ctx, assets, "", "gitops", "deps", "--dir", repo, "-o", "json")
	if err != nil {
		t.Fatal(err)
	}
	var clusters []string
	if err := outputtest.Decode(output.FormatJSON, []byte(run.Stdout), output.KindDependencyReport, func() any { return &render.DependencyReport{} }, func(d any) {
		r := d.(*render.DependencyReport)
		clusters = append(clusters, r.Cluster)
		for _, m := range r.Missing {
			if r.Cluster != "clusters/staging" || m.Target != "Kustomization/flux-system/redis" {
				t.Errorf("%s: missing %+v", r.Cluster, m)
			}
		}
		if strings.Contains(run.Stdout, "ghost") {
			t.Errorf("the .sourceignored stale copy was read")
		}
	}); err != nil {
		t.Fatalf("%v\n%s", err, run)
	}
	if strings.Join(clusters, ",") != "clusters/production,clusters/staging" {
		t.Errorf("clusters %v", clusters)
	}

	// A variable only a Secret outside Git knows: unknown, not missing.
	secretVar := ks("apps", "./apps/production", "infra") + "  postBuild:\n    substituteFrom:\n      - kind: Secret\n        name: cluster-secrets\n"
	if err := os.WriteFile(filepath.Join(repo, "clusters/production/apps.yaml"), []byte(secretVar), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(repo, "apps/base/web.yaml"), []byte(ks("web", "./web", "apps", "db-${REGION}")), 0o644); err != nil {
		t.Fatal(err)
	}
	testbed.CheckKubectl(t, ctx, assets, "", []testbed.KubectlCase{
		{Args: []string{"gitops", "deps", "--dir", repo, "--path", "clusters/production", "--check"}, Stdout: []string{"Unknown offline (1)", "Kustomization flux-system/web depends on flux-system/db-${REGION}"}},
		{Args: []string{"gitops", "deps", "--dir", repo, "--path", "clusters/production", "--check", "--strict"}, Code: 7, Stdout: []string{"Unknown offline (1)"}},
	})
}
