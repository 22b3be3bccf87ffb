package cmd

import (
	"strings"
	"testing"

	"github.com/spf13/cobra"

	"github.com/kubectl-gitops/kubectl-gitops/shared/cluster/clustertest"
	"github.com/kubectl-gitops/kubectl-gitops/shared/deps/render"
	"github.com/kubectl-gitops/kubectl-gitops/shared/exitcode"
)

// TestAlertsUsage: --alerts reads a cluster's whole namespace and prints a coverage
// document: with --dir, names or a graph format it is a usage error.
func TestAlertsUsage(t *testing.T) {
	f := clustertest.New("flux-system", ks("a"))
	for _, tc := range []struct {
		name string
		set  func(*Options, *cobra.Command)
		args []string
	}{
		{"--dir", func(o *Options, _ *cobra.Command) { o.Alerts, o.dirs = true, []string{"."} }, nil},
		{"names", func(o *Options, _ *cobra.Command) { o.Alerts = true }, []string{"a"}},
		{"-o dot", func(o *Options, _ *cobra.Command) { o.Alerts, o.Output.Value = true, render.FormatDOT }, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if _, err := runDeps(t, f, tc.set, tc.args...); exitcode.Of(err) != exitcode.Usage {
				t.Errorf("err = %v, want a usage error", err)
			}
		})
	}
}

// TestAlertsWithoutNotification: a cluster without notification-controller's API has
// every Flux object uncovered, which --check fails.
func TestAlertsWithoutNotification(t *testing.T) {
	f := clustertest.New("flux-system", ks("a"), ks("b"))
	out, err := runDeps(t, f, func(o *Options, _ *cobra.Command) { o.Alerts, o.Check = true, true })
	if exitcode.Of(err) != exitcode.ProblemFound {
		t.Errorf("--check: %v, want exit 7", err)
	}
	for _, want := range []string{"is not served: no failure notifies anyone", "Kustomization  flux-system/a", "Kustomization  flux-system/b", "2 of 2 Flux objects notify nobody"} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
}
