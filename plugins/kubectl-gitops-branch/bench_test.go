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
	var consumers []testbed.Consumer
	for _, name := range []string{"flux-system", "infra", "apps"} {
		consumers = append(consumers, testbed.Consumer{Kind: flux.KindKustomization, Namespace: testbed.FluxNamespace, Name: name})
	}
	testbed.BenchWrites(b, ctx, bed, consumers,
		[]string{"gitops", "branch", "set", "flux-system", "stable-release", "-n", "flux-system", "--yes"},
		[]string{"gitops", "branch", "restore", "flux-system", "-n", "flux-system", "--yes"},
	)
}
