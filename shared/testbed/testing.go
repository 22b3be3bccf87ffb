package testbed

import (
	"context"
	"testing"
	"time"
)

// Start starts a bed for a test and stops it when the test ends, printing the
// controllers' logs if the test failed.
func Start(t testing.TB, opts Options) *Bed {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	b, err := New(ctx, opts)
	if err != nil {
		t.Fatalf("test bed: %v", err)
	}
	t.Cleanup(func() {
		if t.Failed() {
			t.Logf("test bed logs:\n%s", b.Logs(40))
		}
		if err := b.Stop(); err != nil {
			t.Logf("stopping test bed: %v", err)
		}
	})
	return b
}
