package main_test

import (
	"context"
	"testing"
	"time"

	"github.com/kubectl-gitops/kubectl-gitops/shared/flux"
	"github.com/kubectl-gitops/kubectl-gitops/shared/testbed"
)

// BenchmarkPin times `rollback pin --to-last-good` and `rollback unpin` on the demo
// fleet (three Kustomizations, a HelmChart and a HelmRelease read the pinned source),
// from command start to "applied", through the real kubectl, against the time Flux
// itself needed: from the write (second resolution) to the moment the last consumer
// finished, by its own status.
func BenchmarkPin(b *testing.B) {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
	defer cancel()
	bed, _ := testbed.StartDemo(b, ctx)
	consumers := [][3]string{
		{flux.KindKustomization, testbed.FluxNamespace, "flux-system"},
		{flux.KindKustomization, testbed.FluxNamespace, "infrastructure"},
		{flux.KindKustomization, testbed.FluxNamespace, "apps"},
		{flux.KindHelmRelease, "shop", "web"},
	}
	var cmdTotal, fluxTotal time.Duration
	for i := 0; i < b.N; i++ {
		for _, args := range [][]string{
			{"gitops", "rollback", "pin", "apps", "-n", "flux-system", "--to-last-good", "--yes"},
			{"gitops", "rollback", "unpin", "apps", "-n", "flux-system", "--yes"},
		} {
			start := time.Now()
			run, err := testbed.Kubectl(ctx, bed.Assets, bed.Kubeconfig, args...)
			if err != nil || run.Code != 0 {
				b.Fatalf("%v: %v\n%s", args, err, run)
			}
			cmd := time.Since(start)
			last := time.Time{}
			for _, c := range consumers {
				u, err := bed.Get(ctx, c[0], c[1], c[2])
				if err != nil {
					b.Fatal(err)
				}
				if t := testbed.FinishedAt(u); t.After(last) {
					last = t
				}
			}
			cmdTotal += cmd
			fluxTotal += last.Sub(start.Truncate(time.Second))
		}
	}
	n := time.Duration(2 * b.N)
	b.ReportMetric((cmdTotal / n).Seconds(), "s-command/op")
	b.ReportMetric((fluxTotal / n).Seconds(), "s-flux/op")
	b.Logf("command %s, Flux %s per pin or unpin (Flux's timestamps: ±1 s)", cmdTotal/n, fluxTotal/n)
}
