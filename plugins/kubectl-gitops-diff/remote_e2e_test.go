package main_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/kubectl-gitops/kubectl-gitops/shared/diff"
	"github.com/kubectl-gitops/kubectl-gitops/shared/output"
	"github.com/kubectl-gitops/kubectl-gitops/shared/output/outputtest"
	"github.com/kubectl-gitops/kubectl-gitops/shared/testbed"
)

// TestDiffAcrossClusters: Kustomization fleet/workload-apps of the management cluster
// applies into workload-1 through its kubeConfig Secret. A ConfigMap edited by hand in
// workload-1 is drift found there, whether the cluster is opened through the user's
// context with the same server (found, or named), or through the Secret; with no way
// in, it is skipped with what to pass, never compared with the management cluster.
func TestDiffAcrossClusters(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 6*time.Minute)
	defer cancel()
	bed := testbed.Start(t, testbed.Options{Flux: true})
	fleet, err := bed.StartDemoFleetWith(ctx, testbed.DemoOptions{Workload: true})
	if err != nil {
		t.Fatal(err)
	}
	wl := fleet.Workload
	both, err := bed.FleetKubeconfig("kubeconfig-both", testbed.ManagementContext, nil)
	if err != nil {
		t.Fatal(err)
	}
	edit, err := testbed.Kubectl(ctx, bed.Assets, wl.Kubeconfig, "patch", "configmap", "gateway-config", "-n", "edge", "--type", "merge", "-p", `{"data":{"upstream":"by-hand"}}`, "--field-manager", "kubectl-edit")
	if err != nil || edit.Code != 0 {
		t.Fatalf("edit in workload-1: %v\n%s", err, edit)
	}
	diffIn := func(t *testing.T, kubeconfig string, code int, extra ...string) *diff.Kustomization {
		t.Helper()
		args := append([]string{"gitops", "diff", "workload-apps", "-n", testbed.DemoWorkloadNamespace, "-o", "json"}, extra...)
		run, err := testbed.Kubectl(ctx, bed.Assets, kubeconfig, args...)
		if err != nil {
			t.Fatal(err)
		}
		if run.Code != code {
			t.Fatalf("diff %v: exit %d, want %d\n%s", extra, run.Code, code, run)
		}
		if code != 7 {
			return &diff.Kustomization{Skipped: run.Stderr}
		}
		var k *diff.Kustomization
		if err := outputtest.Decode(output.FormatJSON, []byte(run.Stdout), output.KindDiff, func() any { return &diff.Diff{} }, func(d any) {
			if ks := d.(*diff.Diff).Kustomizations; len(ks) == 1 {
				k = &ks[0]
			}
		}); err != nil || k == nil {
			t.Fatalf("%v\n%s", err, run)
		}
		return k
	}
	drifted := func(t *testing.T, k *diff.Kustomization, where string) {
		t.Helper()
		found := false
		for _, o := range k.Objects {
			if o.Kind == "ConfigMap" && o.Name == "gateway-config" {
				for _, f := range o.Fields {
					found = found || (f.Path == ".data.upstream" && f.Origin == diff.Drift && len(f.Managers) > 0 && f.Managers[0].Manager == "kubectl-edit")
				}
			}
			if o.Kind == "Namespace" && o.Name == "edge" && o.Action == diff.Created {
				t.Errorf("edge would be created: compared with a cluster that is not workload-1")
			}
		}
		if !found {
			t.Errorf("no drift of .data.upstream by kubectl-edit in %+v", k.Objects)
		}
		if !strings.Contains(strings.Join(k.Notes, "\n"), "compared in "+where) {
			t.Errorf("notes %q do not say it was compared in %s", k.Notes, where)
		}
	}

	t.Run("the context with the Secret's server", func(t *testing.T) {
		drifted(t, diffIn(t, both, 7), testbed.DemoWorkload)
	})
	t.Run("--remote-context", func(t *testing.T) {
		drifted(t, diffIn(t, both, 7, "--remote-context", testbed.DemoWorkload), testbed.DemoWorkload)
	})
	t.Run("--use-kubeconfig-secret", func(t *testing.T) {
		drifted(t, diffIn(t, bed.Kubeconfig, 7, "--use-kubeconfig-secret"), "Secret fleet/"+wl.Secret)
	})
	t.Run("no way in: skipped with what to pass", func(t *testing.T) {
		k := diffIn(t, bed.Kubeconfig, 2)
		if !strings.Contains(k.Skipped, "no context of your kubeconfig points at it: compare it with 'kubectl gitops diff' and --remote-context NAME, or --use-kubeconfig-secret") || strings.Count(strings.TrimSpace(k.Skipped), "\n") != 0 {
			t.Errorf("want one error line with what to pass:\n%s", k.Skipped)
		}
	})
	t.Run("both ways at once", func(t *testing.T) {
		k := diffIn(t, both, 2, "--remote-context", testbed.DemoWorkload, "--use-kubeconfig-secret")
		if !strings.Contains(k.Skipped, "cannot be used together") {
			t.Errorf("%s", k.Skipped)
		}
	})
}
