package testbed

import (
	"context"
	"testing"
	"time"

	"github.com/kubectl-gitops/kubectl-gitops/shared/output"
	"github.com/kubectl-gitops/kubectl-gitops/shared/output/outputtest"
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

// CheckPluginBinary runs the built plugin kubectl-gitops-<plugin> through the real
// kubectl, as a user does, without a cluster: `kubectl gitops <plugin> --help` prints
// every string of help, `kubectl plugin list` finds the binary, then cases run. Every
// plugin's plugin_test.go starts this way; skipped under -short.
func CheckPluginBinary(t *testing.T, plugin string, help []string, cases []KubectlCase) {
	t.Helper()
	assets := NeedAssets(t)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	CheckKubectl(t, ctx, assets, "", append([]KubectlCase{
		{Args: []string{"gitops", plugin, "--help"}, Stdout: help},
		{Args: []string{"plugin", "list"}, Stdout: []string{"kubectl-gitops-" + plugin}},
	}, cases...))
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

// StartDemo starts a bed with Flux and the demo fleet applied, for a test.
func StartDemo(t testing.TB, ctx context.Context) (*Bed, *Fleet) {
	t.Helper()
	bed := Start(t, Options{Flux: true})
	fleet, err := bed.StartDemoFleet(ctx)
	if err != nil {
		t.Fatal(err)
	}
	return bed, fleet
}

// Documents runs a command through the real kubectl with -o json, then -o yaml, decodes
// each output strictly as kind (outputtest.Decode) and hands every document to check
// with the format it came in.
func Documents(t *testing.T, ctx context.Context, bed *Bed, kind string, newDoc func() any, check func(format string, doc any), args ...string) {
	t.Helper()
	for _, format := range []string{output.FormatJSON, output.FormatYAML} {
		run, err := Kubectl(ctx, bed.Assets, bed.Kubeconfig, append(args, "-o", format)...)
		if err != nil || run.Code != 0 {
			t.Fatalf("%v -o %s: %v\n%s", args, format, err, run)
		}
		if err := outputtest.Decode(format, []byte(run.Stdout), kind, newDoc, func(d any) { check(format, d) }); err != nil {
			t.Fatalf("%v -o %s: %v\n%s", args, format, err, run.Stdout)
		}
	}
}
