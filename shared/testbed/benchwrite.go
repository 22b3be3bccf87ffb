package testbed

import (
	"context"
	"testing"
	"time"
)

// Consumer names an object whose status says when Flux finished with a write: a
// Kustomization or a HelmRelease reading the source a command moved.
type Consumer struct {
	Kind, Namespace, Name string
}

// BenchWrites runs each of commands in turn, b.N times, through the real kubectl, and
// reports per command the time from its start to its exit beside Flux's own time:
// from the write (Flux's timestamps have a resolution of one second, so the start is
// truncated to it) to the moment the last of consumers finished, by its own status
// (FinishedAt). A writer's benchmark compares the two: the command should end when
// Flux does, not a reconcile round later.
func BenchWrites(b *testing.B, ctx context.Context, bed *Bed, consumers []Consumer, commands ...[]string) {
	b.Helper()
	var cmdTotal, fluxTotal time.Duration
	for i := 0; i < b.N; i++ {
		for _, args := range commands {
			start := time.Now()
			run, err := Kubectl(ctx, bed.Assets, bed.Kubeconfig, args...)
			if err != nil || run.Code != 0 {
				b.Fatalf("%v: %v\n%s", args, err, run)
			}
			cmd := time.Since(start)
			last := time.Time{}
			for _, c := range consumers {
				u, err := bed.Get(ctx, c.Kind, c.Namespace, c.Name)
				if err != nil {
					b.Fatal(err)
				}
				if t := FinishedAt(u); t.After(last) {
					last = t
				}
			}
			cmdTotal += cmd
			fluxTotal += last.Sub(start.Truncate(time.Second))
		}
	}
	n := time.Duration(len(commands) * b.N)
	b.ReportMetric((cmdTotal / n).Seconds(), "s-command/op")
	b.ReportMetric((fluxTotal / n).Seconds(), "s-flux/op")
	b.Logf("command %s, Flux %s per command (Flux's timestamps: ±1 s)", cmdTotal/n, fluxTotal/n)
}
