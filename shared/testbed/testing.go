package testbed

import (
	"context"
	"testing"
	"time"
)

// Start starts a bed for a test and stops it when the test ends, printing the
// controllers' logs if the test failed. Under -short (make unit) the test is skipped:
// the bed's binaries may not even be built.
func Start(t testing.TB, opts Options) *Bed {
	t.Helper()
	skipShort(t)
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

// NeedAssets returns the bed's binaries (the real kubectl among them) for a test that
// runs them without a control plane, skipping it under -short.
func NeedAssets(t testing.TB) Assets {
	t.Helper()
	skipShort(t)
	a, err := FindAssets()
	if err != nil {
		t.Fatal(err)
	}
	return a
}

func skipShort(t testing.TB) {
	t.Helper()
	if testing.Short() {
		t.Skip("needs the test bed (make testbin); skipped under -short")
	}
}
