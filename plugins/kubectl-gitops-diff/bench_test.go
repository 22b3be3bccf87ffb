package main_test

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/kubectl-gitops/kubectl-gitops/shared/testbed"
)

// BenchmarkDiff1k diffs one Kustomization of 1,000 ConfigMaps that real Flux applied,
// after a commit (pushed while it is suspended) that changes 10, adds 5 and removes 5:
// the built binary through `--git-dir`, its wall time and peak RSS, and, in a second
// run at -v=6, its requests by kind. It fails above 10 s.
func BenchmarkDiff1k(b *testing.B) {
	const objects = 1000
	ctx, cancel := context.WithTimeout(context.Background(), 15*time.Minute)
	defer cancel()
	bed := testbed.Start(b, testbed.Options{Flux: true})
	repo, err := bed.Git.CreateRepo(ctx, "fleet")
	if err != nil {
		b.Fatal(err)
	}
	files := map[string]string{"bulk/namespace.yaml": "apiVersion: v1\nkind: Namespace\nmetadata:\n  name: bulk\n"}
	for i := 0; i < objects; i++ {
		files[fmt.Sprintf("bulk/cm-%04d.yaml", i)] = testbed.ConfigMapYAML("bulk", fmt.Sprintf("cm-%04d", i), "k", "v1")
	}
	c1, err := repo.Commit(ctx, "1,000 ConfigMaps", files)
	if err != nil {
		b.Fatal(err)
	}
	ks := testbed.KustomizationYAML(testbed.Kustomization{Namespace: testbed.FluxNamespace, Name: "bulk", Path: "./bulk", Source: "fleet", Interval: "1h"})
	if err := bed.Apply(ctx, testbed.GitRepositoryYAML(testbed.FluxNamespace, "fleet", repo.URL, "main")+"---\n"+ks); err != nil {
		b.Fatal(err)
	}
	if _, err := bed.WaitApplied(ctx, testbed.FluxNamespace, "bulk", c1); err != nil {
		b.Fatal(err)
	}
	kubectl := func(args ...string) testbed.Run {
		run, err := testbed.Kubectl(ctx, bed.Assets, bed.Kubeconfig, args...)
		if err != nil {
			b.Fatal(err)
		}
		return run
	}
	if run := kubectl("patch", "kustomization", "bulk", "-n", "flux-system", "--type", "merge", "-p", `{"spec":{"suspend":true}}`); run.Code != 0 {
		b.Fatal(run)
	}
	change := map[string]string{}
	for i := 0; i < 10; i++ {
		change[fmt.Sprintf("bulk/cm-%04d.yaml", i)] = testbed.ConfigMapYAML("bulk", fmt.Sprintf("cm-%04d", i), "k", "v2")
	}
	for i := 0; i < 5; i++ {
		change[fmt.Sprintf("bulk/new-%d.yaml", i)] = testbed.ConfigMapYAML("bulk", fmt.Sprintf("new-%d", i), "k", "v1")
		change[fmt.Sprintf("bulk/cm-%04d.yaml", objects-1-i)] = ""
	}
	c2, err := repo.Commit(ctx, "change 10, add 5, remove 5", change)
	if err != nil {
		b.Fatal(err)
	}
	git := func(args ...string) {
		cmd := exec.CommandContext(ctx, "git", args...)
		if out, err := cmd.CombinedOutput(); err != nil {
			b.Fatalf("git %v: %v\n%s", args, err, out)
		}
	}
	clone := filepath.Join(b.TempDir(), "clone")
	git("clone", "--quiet", repo.URL, clone)
	if err := bed.Reconcile(ctx, "GitRepository", testbed.FluxNamespace, "fleet"); err != nil {
		b.Fatal(err)
	}
	if _, err := bed.WaitSourceRevision(ctx, "GitRepository", testbed.FluxNamespace, "fleet", c2); err != nil {
		b.Fatal(err)
	}

	bin, err := testbed.PluginBin()
	if err != nil {
		b.Fatal(err)
	}
	args := []string{"bulk", "-n", "flux-system", "--git-dir", clone, "--kubeconfig", bed.Kubeconfig}
	b.ResetTimer()
	var last testbed.Measured
	for i := 0; i < b.N; i++ {
		last = testbed.RunMeasured(ctx, b, nil, filepath.Join(bin, "kubectl-gitops-diff"), args...)
	}
	b.StopTimer()
	if last.ExitCode != 7 {
		b.Fatalf("exit %d, want 7 (differences)", last.ExitCode)
	}
	b.ReportMetric(last.Wall.Seconds(), "bin-s")
	b.ReportMetric(last.PeakMiB, "bin-peak-MiB")

	// flux's own diff of the same Kustomization and tree (the clone's working tree is
	// the new commit): it exits 1 when something differs.
	flux := testbed.RunMeasured(ctx, b, nil, bed.Assets.Bin("flux"), "diff", "kustomization", "bulk", "-n", "flux-system",
		"--path", filepath.Join(clone, "bulk"), "--kubeconfig", bed.Kubeconfig)
	b.ReportMetric(flux.Wall.Seconds(), "flux-s")
	b.Logf("flux diff kustomization: %s, peak RSS %.0f MiB, exit %d", flux.Wall.Round(time.Millisecond), flux.PeakMiB, flux.ExitCode)

	// The requests, from client-go's own log.
	cmd := exec.CommandContext(ctx, filepath.Join(bin, "kubectl-gitops-diff"), append(args, "-v=6", "-o", "json")...)
	var out strings.Builder
	cmd.Stderr, cmd.Env = &out, append(os.Environ(), "NO_COLOR=1")
	_ = cmd.Run()
	kinds := map[string]int{}
	total := 0
	verb := regexp.MustCompile(`Response verb="(\w+)"`)
	for _, line := range strings.Split(out.String(), "\n") {
		m := verb.FindStringSubmatch(line)
		if m == nil {
			continue
		}
		total++
		kind := m[1]
		// The suite's -v log masks every query value: the parameter's name is there.
		if strings.Contains(line, "?dryRun=") || strings.Contains(line, "&dryRun=") {
			kind += " (dry run)"
		} else if kind != "GET" {
			b.Errorf("diff wrote to the cluster: %s", line)
		}
		kinds[kind]++
	}
	var summary []string
	for k, n := range kinds {
		summary = append(summary, fmt.Sprintf("%s %d", k, n))
	}
	sort.Strings(summary)
	b.ReportMetric(float64(total), "requests")
	b.Logf("%d objects: %s, peak RSS %.0f MiB; %d requests: %s", objects, last.Wall.Round(time.Millisecond), last.PeakMiB, total, strings.Join(summary, ", "))
	if last.Wall > 10*time.Second {
		b.Errorf("diff of %d objects took %s, want under 10 s", objects, last.Wall)
	}
}
