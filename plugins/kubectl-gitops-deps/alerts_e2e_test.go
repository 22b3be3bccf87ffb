package main_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/kubectl-gitops/kubectl-gitops/shared/alerting"
	"github.com/kubectl-gitops/kubectl-gitops/shared/output"
	"github.com/kubectl-gitops/kubectl-gitops/shared/output/outputtest"
	"github.com/kubectl-gitops/kubectl-gitops/shared/testbed"
)

// TestDepsAlerts: `deps --alerts` against the real notification CRDs (no controller
// needed: it reads what the cluster shows). team-a and the source are covered by an
// Alert whose generic Provider can deliver; team-b by none; and an Alert whose Slack
// Provider names a Secret that does not exist cannot deliver. --check fails until
// team-b is covered and the broken Alert is gone.
func TestDepsAlerts(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 4*time.Minute)
	defer cancel()
	bed := testbed.Start(t, testbed.Options{Notification: true})
	const ns = "team"
	slack := `apiVersion: notification.toolkit.fluxcd.io/v1beta3
kind: Provider
metadata:
  name: slack
  namespace: team
spec:
  type: slack
  secretRef:
    name: slack-url
`
	manifests := "apiVersion: v1\nkind: Namespace\nmetadata:\n  name: team\n---\n" +
		testbed.GitRepositoryYAML(ns, "repo", "http://127.0.0.1:1/repo.git", "main") + "---\n" +
		testbed.KustomizationYAML(testbed.Kustomization{Namespace: ns, Name: "team-a", Path: "./a", Source: "repo"}) + "---\n" +
		testbed.KustomizationYAML(testbed.Kustomization{Namespace: ns, Name: "team-b", Path: "./b", Source: "repo"}) + "---\n" +
		testbed.ProviderYAML(ns, "hook", "http://127.0.0.1:1/hook") + "---\n" + slack + "---\n" +
		testbed.AlertYAML(ns, "on-call", "hook", "Kustomization/team-a", "GitRepository/repo") + "---\n" +
		testbed.AlertYAML(ns, "chat", "slack", "Kustomization/team-a")
	if err := bed.Apply(ctx, manifests); err != nil {
		t.Fatal(err)
	}

	run, err := testbed.Kubectl(ctx, bed.Assets, bed.Kubeconfig, "gitops", "deps", "-n", ns, "--alerts")
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"Kustomization  team/team-b", "team/chat  slack     its Provider's Secret team/slack-url does not exist",
		"problems: 1 of 3 Flux objects notify nobody on failure, 1 Alerts cannot deliver"} {
		if !strings.Contains(run.Stdout, want) {
			t.Errorf("deps --alerts lacks %q:\n%s", want, run)
		}
	}
	if strings.Contains(run.Stdout, "team/team-a") || strings.Contains(run.Stdout, "GitRepository") || run.Code != 0 {
		t.Errorf("deps --alerts lists a covered object, or exits non-zero without --check:\n%s", run)
	}
	run, err = testbed.Kubectl(ctx, bed.Assets, bed.Kubeconfig, "gitops", "deps", "-n", ns, "--alerts", "-o", "json")
	if err != nil {
		t.Fatal(err)
	}
	if err := outputtest.Decode(output.FormatJSON, []byte(run.Stdout), output.KindAlertCoverage, func() any { return &alerting.Coverage{} }, func(d any) {
		c := d.(*alerting.Coverage)
		if !c.NotificationInstalled || c.Checked != 3 || len(c.Uncovered) != 1 || c.Uncovered[0].Ref.Name != "team-b" ||
			len(c.Undeliverable) != 1 || c.Undeliverable[0].Ref.Name != "chat" || !c.HasProblems {
			t.Errorf("coverage %+v", c)
		}
	}); err != nil {
		t.Fatalf("%v\n%s", err, run)
	}
	if run, err = testbed.Kubectl(ctx, bed.Assets, bed.Kubeconfig, "gitops", "deps", "-n", ns, "--alerts", "--check"); err != nil || run.Code != 7 {
		t.Errorf("--check with problems: %v\n%s, want exit 7", err, run)
	}

	// Fixed: team-b covered, the Alert that cannot deliver removed.
	if err := bed.Apply(ctx, testbed.AlertYAML(ns, "on-call", "hook", "Kustomization/*", "GitRepository/repo")); err != nil {
		t.Fatal(err)
	}
	if err := bed.Delete(ctx, testbed.AlertYAML(ns, "chat", "slack", "Kustomization/team-a")); err != nil {
		t.Fatal(err)
	}
	if run, err = testbed.Kubectl(ctx, bed.Assets, bed.Kubeconfig, "gitops", "deps", "-n", ns, "--alerts", "--check"); err != nil || run.Code != 0 ||
		!strings.Contains(run.Stdout, "ok: 0 of 3 Flux objects notify nobody on failure, 0 Alerts cannot deliver") {
		t.Errorf("--check once fixed: %v\n%s, want exit 0", err, run)
	}
}
