package main_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"

	"github.com/kubectl-gitops/kubectl-gitops/shared/output"
	"github.com/kubectl-gitops/kubectl-gitops/shared/output/outputtest"
	"github.com/kubectl-gitops/kubectl-gitops/shared/status"
	"github.com/kubectl-gitops/kubectl-gitops/shared/testbed"
	"github.com/kubectl-gitops/kubectl-gitops/shared/trace"
)

// TestTraceEvents breaks the demo fleet's chart so that helm-controller fails the
// release and records Warning events on it: the trace of an object the release
// installed shows them beside the HelmRelease hop (--events, and always in -o json).
func TestTraceEvents(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 6*time.Minute)
	defer cancel()
	bed, fleet := testbed.StartDemo(t, ctx)
	broken := testbed.ChartFiles("charts/web", "web", "0.2.0")
	broken["charts/web/templates/broken.yaml"] = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: {{ required \"values.region is required\" .Values.region }}\n"
	if _, err := fleet.Repo.Commit(ctx, "Break the web chart", broken); err != nil {
		t.Fatal(err)
	}
	if err := bed.Reconcile(ctx, "GitRepository", testbed.FluxNamespace, "flux-system"); err != nil {
		t.Fatal(err)
	}
	if _, err := bed.WaitFor(ctx, 3*time.Minute, "HelmRelease", "shop", "web", func(u *unstructured.Unstructured) bool {
		st := status.Of(u)
		return st.Ready.IsFalse() && strings.Contains(st.Ready.Message, "values.region is required")
	}); err != nil {
		t.Fatal(err)
	}
	run, err := testbed.Kubectl(ctx, bed.Assets, bed.Kubeconfig, "gitops", "trace", "cm/web-config", "-n", "shop", "--events")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(run.Stdout, "warning shop/web: ") || !strings.Contains(run.Stdout, "values.region is required") {
		t.Errorf("--events does not show the release's warning:\n%s", run)
	}
	run, err = testbed.Kubectl(ctx, bed.Assets, bed.Kubeconfig, "gitops", "trace", "cm/web-config", "-n", "shop", "-o", "json")
	if err != nil {
		t.Fatal(err)
	}
	if err := outputtest.Decode(output.FormatJSON, []byte(run.Stdout), output.KindTrace, func() any { return &trace.Report{} }, func(d any) {
		r := d.(*trace.Report)
		for _, h := range r.Hops {
			if h.Role == trace.RoleHelmRelease {
				if len(h.Events) == 0 || h.Events[0].From != "helm-controller" || h.Events[0].Last.IsZero() {
					t.Errorf("HelmRelease hop events %+v", h.Events)
				}
				return
			}
		}
		t.Errorf("no HelmRelease hop: %+v", r.Hops)
	}); err != nil {
		t.Fatalf("%v\n%s", err, run)
	}
}
