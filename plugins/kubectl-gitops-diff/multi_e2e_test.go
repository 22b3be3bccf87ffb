package main_test

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/kubectl-gitops/kubectl-gitops/shared/diff"
	"github.com/kubectl-gitops/kubectl-gitops/shared/flux"
	"github.com/kubectl-gitops/kubectl-gitops/shared/output"
	"github.com/kubectl-gitops/kubectl-gitops/shared/output/outputtest"
	"github.com/kubectl-gitops/kubectl-gitops/shared/testbed"
)

// labelled puts a Kustomization's YAML under the label team=shop, which -l selects.
func labelled(ks string) string {
	return strings.Replace(ks, "metadata:\n", "metadata:\n  labels:\n    team: shop\n", 1)
}

// TestDiffSeveralKustomizations diffs, by -l, three Kustomizations at once through
// kubectl: apps (a ConfigMap changed, one removed from Git and pruned, one removed but
// annotated prune: disabled), infra (never applied; it takes over two ConfigMaps made
// by 'kubectl apply', one annotated ssa: Merge) and other, whose source is another
// repository than the clone's: skipped with why, the others compared. Then Flux
// applies and does what was predicted: the prune: disabled ConfigMap stays, the
// pruned one goes, kubectl's field and annotation are removed from the taken-over
// ConfigMap and kept on the merged one; and diff then finds nothing to change.
func TestDiffSeveralKustomizations(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 8*time.Minute)
	defer cancel()
	bed := testbed.Start(t, testbed.Options{Flux: true})
	repo, err := bed.Git.CreateRepo(ctx, "fleet")
	if err != nil {
		t.Fatal(err)
	}
	elsewhere, err := bed.Git.CreateRepo(ctx, "elsewhere")
	if err != nil {
		t.Fatal(err)
	}
	keep := "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: keep\n  namespace: default\n  annotations:\n    kustomize.toolkit.fluxcd.io/prune: disabled\ndata:\n  key: v1\n"
	merged := "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: merged\n  namespace: default\n  annotations:\n    kustomize.toolkit.fluxcd.io/ssa: Merge\ndata:\n  key: v1\n"
	c1, err := repo.Commit(ctx, "first", map[string]string{
		"apps/a.yaml":       testbed.ConfigMapYAML("default", "a", "key", "v1"),
		"apps/gone.yaml":    testbed.ConfigMapYAML("default", "gone", "key", "v1"),
		"apps/keep.yaml":    keep,
		"infra/taken.yaml":  testbed.ConfigMapYAML("default", "taken", "key", "v1"),
		"infra/merged.yaml": merged,
	})
	if err != nil {
		t.Fatal(err)
	}
	e1, err := elsewhere.Commit(ctx, "other repository", map[string]string{"other.yaml": testbed.ConfigMapYAML("default", "other", "key", "v1")})
	if err != nil {
		t.Fatal(err)
	}
	kubectl := kubectlRunner(ctx, t, bed)
	// Made by hand before Flux takes them over: kubectl's field and annotation.
	byHand := filepath.Join(t.TempDir(), "by-hand.yaml")
	if err := os.WriteFile(byHand, []byte(strings.ReplaceAll(testbed.ConfigMapYAML("default", "taken", "key", "v1")+"---\n"+testbed.ConfigMapYAML("default", "merged", "key", "v1"), "\ndata:\n", "\ndata:\n  extra: by-kubectl\n")), 0o644); err != nil {
		t.Fatal(err)
	}
	if run := kubectl("apply", "-f", byHand); run.Code != 0 {
		t.Fatal(run)
	}
	manifests := testbed.GitRepositoryYAML(testbed.FluxNamespace, "fleet", repo.URL, "main") + "---\n" +
		testbed.GitRepositoryYAML(testbed.FluxNamespace, "elsewhere", elsewhere.URL, "main") + "---\n" +
		labelled(testbed.KustomizationYAML(testbed.Kustomization{Namespace: testbed.FluxNamespace, Name: "apps", Path: "./apps", Source: "fleet"})) + "---\n" +
		labelled(testbed.KustomizationYAML(testbed.Kustomization{Namespace: testbed.FluxNamespace, Name: "infra", Path: "./infra", Source: "fleet", Suspend: true})) + "---\n" +
		labelled(testbed.KustomizationYAML(testbed.Kustomization{Namespace: testbed.FluxNamespace, Name: "other", Path: "./", Source: "elsewhere"}))
	if err := bed.Apply(ctx, manifests); err != nil {
		t.Fatal(err)
	}
	for ks, sha := range map[string]string{"apps": c1, "other": e1} {
		if _, err := bed.WaitApplied(ctx, testbed.FluxNamespace, ks, sha); err != nil {
			t.Fatal(err)
		}
	}
	git := gitRunner(ctx, t)
	clone := cloneRepo(t, git, repo.URL)

	if run := kubectl("patch", "kustomization", "apps", "-n", "flux-system", "--type", "merge", "-p", `{"spec":{"suspend":true}}`); run.Code != 0 {
		t.Fatal(run)
	}
	c2, err := repo.Commit(ctx, "change a, remove gone and keep", map[string]string{
		"apps/a.yaml": testbed.ConfigMapYAML("default", "a", "key", "v2"), "apps/gone.yaml": "", "apps/keep.yaml": "",
	})
	if err != nil {
		t.Fatal(err)
	}
	sourceAt(ctx, t, bed, git, clone, c2)

	selected := []string{"gitops", "diff", "-l", "team=shop", "-n", "flux-system", "--git-dir", clone}
	run := kubectl(selected...)
	if run.Code != 7 {
		t.Errorf("exit code %d, want 7 (differences)\n%s", run.Code, run)
	}
	for _, want := range []string{
		"Kustomization flux-system/apps at main@sha1:" + c2, "changed   ConfigMap default/a", "pruned    ConfigMap default/gone",
		"skipped   ConfigMap default/keep", "no longer rendered, but kustomize.toolkit.fluxcd.io/prune: disabled: not pruned",
		"Kustomization flux-system/infra at main@sha1:" + c2, "changed   ConfigMap default/taken", "-  extra: by-kubectl",
		"takes over the fields of kubectl-client-side-apply (Update)", "changed   ConfigMap default/merged",
		"Kustomization flux-system/other not compared", "skipped: Kustomization flux-system/other reads GitRepository flux-system/elsewhere",
		"is of another repository",
	} {
		if !strings.Contains(run.Stdout, want) {
			t.Errorf("stdout lacks %q:\n%s", want, run)
		}
	}
	var doc *diff.Diff
	if err := outputtest.Decode(output.FormatJSON, []byte(kubectl(append(selected, "-o", "json")...).Stdout), output.KindDiff, func() any { return &diff.Diff{} }, func(d any) { doc = d.(*diff.Diff) }); err != nil {
		t.Fatal(err)
	}
	predicted := map[string]diff.Kustomization{}
	for _, k := range doc.Kustomizations {
		predicted[k.Name] = k
	}
	if len(doc.Kustomizations) != 3 || predicted["other"].Skipped == "" || predicted["apps"].Skipped != "" || predicted["infra"].Skipped != "" ||
		predicted["apps"].Source != "GitRepository flux-system/fleet" {
		t.Fatalf("want apps and infra compared, other skipped: %+v", doc.Kustomizations)
	}
	if got, want := actions(predicted["apps"]), "ConfigMap default/a=changed ConfigMap default/gone=pruned ConfigMap default/keep=skipped"; got != want {
		t.Errorf("apps: %s, want %s", got, want)
	}
	if got, want := actions(predicted["infra"]), "ConfigMap default/merged=changed ConfigMap default/taken=changed"; got != want {
		t.Errorf("infra: %s, want %s", got, want)
	}
	// --dir holds the source of the first compared (apps): infra reads it too, other not.
	var fromDir *diff.Diff
	dirRun := kubectl("gitops", "diff", "-l", "team=shop", "-n", "flux-system", "--dir", clone, "-o", "yaml")
	if err := outputtest.Decode(output.FormatYAML, []byte(dirRun.Stdout), output.KindDiff, func() any { return &diff.Diff{} }, func(d any) { fromDir = d.(*diff.Diff) }); err != nil {
		t.Fatalf("%v\n%s", err, dirRun)
	}
	if len(fromDir.Kustomizations) != 3 {
		t.Errorf("--dir: want apps, infra and other listed:\n%s", dirRun)
	}
	for _, k := range fromDir.Kustomizations {
		want := map[string]string{"apps": "dir", "infra": "dir", "other": ""}[k.Name]
		if k.RevisionFrom != want || (k.Name == "other") != strings.Contains(k.Skipped, "and --dir holds GitRepository flux-system/fleet (the source of the first Kustomization compared)") {
			t.Errorf("--dir: %s compared from %q (want %q), skipped %q", k.Name, k.RevisionFrom, want, k.Skipped)
		}
	}
	// Named as kubectl names them, the same two compared.
	if run := kubectl("gitops", "diff", "kustomization/apps", "infra", "-n", "flux-system", "--git-dir", clone); run.Code != 7 || strings.Contains(run.Stdout, "flux-system/other") ||
		!strings.Contains(run.Stdout, "Kustomization flux-system/infra at") {
		t.Errorf("diff kustomization/apps infra: want both compared, exit 7:\n%s", run)
	}

	// -A: the same three; a name that does not exist among others: its own error, the
	// others compared.
	if run := kubectl("gitops", "diff", "-A", "--git-dir", clone); run.Code != 7 || !strings.HasPrefix(run.Stdout, "Kustomization flux-system/apps at") ||
		!strings.Contains(run.Stdout, "\nKustomization flux-system/infra at") || !strings.Contains(run.Stdout, "\nKustomization flux-system/other not compared") {
		t.Errorf("diff -A: want apps, infra and other, exit 7:\n%s", run)
	}
	if run := kubectl("gitops", "diff", "apps", "nope", "-n", "flux-system", "--git-dir", clone); run.Code != 3 || !strings.Contains(run.Stderr, "not found") ||
		!strings.Contains(run.Stdout, "Kustomization flux-system/apps at") {
		t.Errorf("diff apps nope: want apps compared, nope's error, exit 3:\n%s", run)
	}

	for _, ks := range []string{"apps", "infra"} {
		if run := kubectl("patch", "kustomization", ks, "-n", "flux-system", "--type", "merge", "-p", `{"spec":{"suspend":false}}`); run.Code != 0 {
			t.Fatal(run)
		}
		if err := bed.Reconcile(ctx, flux.KindKustomization, testbed.FluxNamespace, ks); err != nil {
			t.Fatal(err)
		}
		if _, err := bed.WaitApplied(ctx, testbed.FluxNamespace, ks, c2); err != nil {
			t.Fatal(err)
		}
	}
	get := func(name string) (string, bool) {
		run := kubectl("get", "configmap", name, "-n", "default", "-o", "yaml")
		return run.Stdout, run.Code == 0
	}
	if _, ok := get("keep"); !ok {
		t.Error("keep (prune: disabled) was predicted skipped, Flux deleted it")
	}
	if _, ok := get("gone"); ok {
		t.Error("gone was predicted pruned, it is still there")
	}
	for _, o := range predicted["infra"].Objects {
		live, ok := get(o.Name)
		if !ok {
			t.Fatalf("%s: %s", o.Name, live)
		}
		kept := strings.Contains(live, "extra: by-kubectl") && strings.Contains(live, "kubectl.kubernetes.io/last-applied-configuration")
		switch o.Name {
		case "taken":
			if kept {
				t.Errorf("taken: predicted kubectl's field and annotation removed, Flux kept them:\n%s", live)
			}
		case "merged":
			if !kept || !strings.Contains(live, "kustomize.toolkit.fluxcd.io/ssa: Merge") {
				t.Errorf("merged (ssa: Merge): predicted kubectl's field and annotation kept, Flux removed them:\n%s", live)
			}
			if strings.Contains(o.Diff, "-  extra") || strings.Contains(o.Reason, "cleanup") {
				t.Errorf("merged (ssa: Merge): predicted a cleanup: %s\n%s", o.Reason, o.Diff)
			}
		}
	}
	run = kubectl(selected...)
	if run.Code != 0 || strings.Count(run.Stdout, "no differences") != 2 || !strings.Contains(run.Stdout, "skipped: ") {
		t.Errorf("after the apply, want apps and infra without differences (other skipped), exit 0:\n%s", run)
	}
}
