package main_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/kubectl-gitops/kubectl-gitops/shared/testbed"
	"github.com/kubectl-gitops/kubectl-gitops/shared/trace"
)

// TestTraceFileFromOrigin: a Kustomization with spec.buildMetadata: [originAnnotations]
// applies an overlay (namespace set, its base in another folder), so real
// kustomize-controller records each object's file in config.kubernetes.io/origin,
// relative to the overlay. Without --git-dir the trace names that file from the
// repository root; with --git-dir the same file and its line, found from the
// annotation (fileFrom: origin), not by walking the tree. A Kustomization without the
// option is traced as before: no file without a clone, a scan with one.
func TestTraceFileFromOrigin(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 6*time.Minute)
	defer cancel()
	bed := testbed.Start(t, testbed.Options{Flux: true})
	repo, err := bed.Git.CreateRepo(ctx, "origins")
	must(t, err)
	sha, err := repo.Commit(ctx, "An overlay over a base", map[string]string{
		"apps/base/kustomization.yaml": "apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nresources:\n  - other.yaml\n  - cm.yaml\n",
		"apps/base/other.yaml":         "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: other\ndata:\n  k: v\n",
		"apps/base/cm.yaml":            "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: x\ndata:\n  k: v\n",
		"apps/prod/kustomization.yaml": "apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nnamespace: origin-ns\nresources:\n  - ../base\n",
		"plain/y.yaml":                 testbed.ConfigMapYAML("origin-ns", "y", "k", "v"),
	})
	must(t, err)
	must(t, bed.Apply(ctx, "apiVersion: v1\nkind: Namespace\nmetadata:\n  name: origin-ns\n---\n"+
		testbed.GitRepositoryYAML(testbed.FluxNamespace, "origins", repo.URL, "main")+"---\n"+
		testbed.KustomizationYAML(testbed.Kustomization{Namespace: testbed.FluxNamespace, Name: "prod", Path: "./apps/prod", Source: "origins"})+
		"  buildMetadata:\n    - originAnnotations\n---\n"+
		testbed.KustomizationYAML(testbed.Kustomization{Namespace: testbed.FluxNamespace, Name: "plain", Path: "./plain", Source: "origins"})))
	_, err = bed.WaitApplied(ctx, testbed.FluxNamespace, "prod", sha)
	must(t, err)
	_, err = bed.WaitApplied(ctx, testbed.FluxNamespace, "plain", sha)
	must(t, err)

	t.Run("kustomize-controller recorded the origin", func(t *testing.T) {
		run, err := testbed.Kubectl(ctx, bed.Assets, bed.Kubeconfig, "get", "cm/x", "-n", "origin-ns", "-o", "jsonpath={.metadata.annotations.config\\.kubernetes\\.io/origin}")
		must(t, err)
		if !strings.Contains(run.Stdout, "path: ../base/cm.yaml") {
			t.Fatalf("cm/x's origin annotation = %q, want the path from the overlay, ../base/cm.yaml\n%s", run.Stdout, run)
		}
	})
	t.Run("without --git-dir: the file from the repository root", func(t *testing.T) {
		r := traceDoc(t, ctx, bed, bed.Kubeconfig, 0, "cm/x", "-n", "origin-ns")
		c := wantCommit(t, r, sha, trace.CommitCurrent)
		if g := c.Git; g == nil || g.File != "apps/base/cm.yaml" || g.FileFrom != trace.FileFromOrigin || g.Line != 0 || g.Subject != "" {
			t.Errorf("commit.git = %+v, want file apps/base/cm.yaml from the origin, no line or subject without a clone", g)
		}
		run := kubectlTrace(t, ctx, bed, "cm/x", "-n", "origin-ns")
		if !strings.Contains(run.Stdout, "Defined:    apps/base/cm.yaml\n") || run.Code != 0 {
			t.Errorf("human output lacks the file:\n%s", run)
		}
	})
	t.Run("with --git-dir: the same file and its line, no scan", func(t *testing.T) {
		r := traceDoc(t, ctx, bed, bed.Kubeconfig, 0, "cm/x", "-n", "origin-ns", "--git-dir", repo.Work)
		c := wantCommit(t, r, sha, trace.CommitCurrent)
		if g := c.Git; g == nil || g.File != "apps/base/cm.yaml" || g.Line != 1 || g.FileFrom != trace.FileFromOrigin || g.Subject != "An overlay over a base" || g.LastChange == nil {
			t.Errorf("commit.git = %+v, want apps/base/cm.yaml:1 from the origin, with the commit's subject and last change", g)
		}
		run := kubectlTrace(t, ctx, bed, "cm/x", "-n", "origin-ns", "--git-dir", repo.Work)
		if !strings.Contains(run.Stdout, "Defined:    apps/base/cm.yaml:1\n") || run.Code != 0 {
			t.Errorf("human output lacks file and line:\n%s", run)
		}
	})
	t.Run("without the option: no file without a clone, a scan with one", func(t *testing.T) {
		r := traceDoc(t, ctx, bed, bed.Kubeconfig, 0, "cm/y", "-n", "origin-ns")
		if c := wantCommit(t, r, sha, trace.CommitCurrent); c.Git != nil {
			t.Errorf("commit.git = %+v without --git-dir or an origin annotation, want none", c.Git)
		}
		r = traceDoc(t, ctx, bed, bed.Kubeconfig, 0, "cm/y", "-n", "origin-ns", "--git-dir", repo.Work)
		if g := wantCommit(t, r, sha, trace.CommitCurrent).Git; g == nil || g.File != "plain/y.yaml" || g.Line != 1 || g.FileFrom != trace.FileFromScan {
			t.Errorf("commit.git = %+v, want plain/y.yaml:1 found by the scan", g)
		}
	})
}
