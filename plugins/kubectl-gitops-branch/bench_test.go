package main_test

import (
	"context"
	"testing"
	"time"

	"github.com/kubectl-gitops/kubectl-gitops/shared/flux"
	"github.com/kubectl-gitops/kubectl-gitops/shared/testbed"
)

// BenchmarkSwitch times `branch set` and `branch restore` from command start to
// "applied", through the real kubectl, against the time Flux itself needed: from the
// write to the moment the last consumer finished applying, by its own status
// (testbed.FinishedAt, as BenchmarkPin reads it). Flux's status timestamps have a
// resolution of one second, so the overhead is read to ±1 s.
func BenchmarkSwitch(b *testing.B) {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
	defer cancel()
	bed, _, _, _ := bootstrapFleet(b, ctx)
	var cmdTotal, fluxTotal time.Duration
	for i := 0; i < b.N; i++ {
		for _, args := range [][]string{
			{"gitops", "branch", "set", "flux-system", "stable-release", "-n", "flux-system", "--yes"},
			{"gitops", "branch", "restore", "flux-system", "-n", "flux-system", "--yes"},
		} {
			start := time.Now()
			run, err := testbed.Kubectl(ctx, bed.Assets, bed.Kubeconfig, args...)
			if err != nil || run.Code != 0 {
				b.Fatalf("%v: %v\n%s", args, err, run)
			}
			cmd := time.Since(start)
			// Flux's own time: write (second resolution) to the last consumer's finish.
			last := time.Time{}
			for _, name := range []string{"flux-system", "infra", "apps"} {
				u, err := bed.Get(ctx, flux.KindKustomization, testbed.FluxNamespace, name)
				if err != nil {
					b.Fatal(err)
				}
				if t := testbed.FinishedAt(u); t.After(last) {
					last = t
				}
			}
			written := start.Truncate(time.Second)
			cmdTotal += cmd
			fluxTotal += last.Sub(written)
		}
	}
	n := time.Duration(2 * b.N)
	b.ReportMetric((cmdTotal / n).Seconds(), "s-command/op")
	b.ReportMetric((fluxTotal / n).Seconds(), "s-flux/op")
	b.Logf("command %s, Flux %s per switch (Flux's timestamps: ±1 s)", cmdTotal/n, fluxTotal/n)
}
