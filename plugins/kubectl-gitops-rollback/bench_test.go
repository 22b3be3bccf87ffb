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
	consumers := []testbed.Consumer{
		{Kind: flux.KindKustomization, Namespace: testbed.FluxNamespace, Name: "flux-system"},
		{Kind: flux.KindKustomization, Namespace: testbed.FluxNamespace, Name: "infrastructure"},
		{Kind: flux.KindKustomization, Namespace: testbed.FluxNamespace, Name: "apps"},
		{Kind: flux.KindHelmRelease, Namespace: "shop", Name: "web"},
	}
	testbed.BenchWrites(b, ctx, bed, consumers,
		[]string{"gitops", "rollback", "pin", "apps", "-n", "flux-system", "--to-last-good", "--yes"},
		[]string{"gitops", "rollback", "unpin", "apps", "-n", "flux-system", "--yes"},
	)
}
