package main_test

import (
	"bufio"
	"context"
	"os"
	"path/filepath"
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

// TestTraceAlerts is the real proof of trace's Alerts: real notification-controller,
// a generic webhook Provider posting to a receiver on loopback, and an Alert covering
// Kustomization team-a but not team-b. Both are broken by one commit: team-a's failure
// arrives at the receiver and trace names the Alert beside team-a; team-b's failure
// reaches notification-controller, which drops it (no Alert), nothing arrives, and
// trace says no Alert covers team-b.
func TestTraceAlerts(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 6*time.Minute)
	defer cancel()
	bed := testbed.Start(t, testbed.Options{Flux: true, Notification: true})
	hook := testbed.StartWebhook(t)
	ns := testbed.FluxNamespace

	repo, err := bed.Git.CreateRepo(ctx, "alerts")
	if err != nil {
		t.Fatal(err)
	}
	sha, err := repo.Commit(ctx, "two teams", map[string]string{
		"a/cm.yaml": testbed.ConfigMapYAML("default", "alpha", "team", "a"),
		"b/cm.yaml": testbed.ConfigMapYAML("default", "beta", "team", "b"),
	})
	if err != nil {
		t.Fatal(err)
	}
	if err := bed.Apply(ctx, testbed.ProviderYAML(ns, "hook", hook.URL)+"---\n"+
		testbed.AlertYAML(ns, "on-call-a", "hook", "Kustomization/team-a")+"---\n"+
		testbed.GitRepositoryYAML(ns, "alerts", repo.URL, "main")+"---\n"+
		testbed.KustomizationYAML(testbed.Kustomization{Namespace: ns, Name: "team-a", Path: "./a", Source: "alerts"})+"---\n"+
		testbed.KustomizationYAML(testbed.Kustomization{Namespace: ns, Name: "team-b", Path: "./b", Source: "alerts"})); err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"team-a", "team-b"} {
		if _, err := bed.WaitApplied(ctx, ns, name, sha); err != nil {
			t.Fatal(err)
		}
	}

	// One commit breaks both: each kustomization.yaml names a file that does not exist.
	const broken = "apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nresources: [cm.yaml, missing.yaml]\n"
	if _, err := repo.Commit(ctx, "break both", map[string]string{"a/kustomization.yaml": broken, "b/kustomization.yaml": broken}); err != nil {
		t.Fatal(err)
	}
	if err := bed.Reconcile(ctx, "GitRepository", ns, "alerts"); err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"team-a", "team-b"} {
		if _, err := bed.WaitFor(ctx, 2*time.Minute, "Kustomization", ns, name, func(u *unstructured.Unstructured) bool {
			st := status.Of(u)
			return st.Ready.IsFalse() && strings.Contains(st.Ready.Message, "missing.yaml")
		}); err != nil {
			t.Fatal(err)
		}
	}

	// team-a's failure arrives; team-b's reaches notification-controller and is dropped.
	deadline := time.Now().Add(time.Minute)
	for !failureArrived(hook.Received(), "team-a") || !dropped(t, filepath.Join(bed.Dir, "notification-controller.log"), "team-b") {
		if time.Now().After(deadline) {
			t.Fatalf("within a minute: team-a's failure arrived %v, team-b's event dropped by notification-controller %v; received %+v\n%s",
				failureArrived(hook.Received(), "team-a"), dropped(t, filepath.Join(bed.Dir, "notification-controller.log"), "team-b"), hook.Received(), bed.Logs(30))
		}
		time.Sleep(250 * time.Millisecond)
	}
	for _, n := range hook.Received() {
		if n.InvolvedObject.Name == "team-b" {
			t.Errorf("an event about team-b arrived, which no Alert covers: %+v", n)
		}
	}

	covered := traceKustomizationHop(t, ctx, bed, "cm/alpha")
	if a := covered.Alerting; a == nil || !a.Notified || len(a.Alerts) != 1 || a.Alerts[0].Ref.Name != "on-call-a" ||
		a.Alerts[0].Provider.Name != "hook" || a.Alerts[0].Provider.Type != "generic" {
		t.Errorf("team-a's hop alerting = %+v, want covered by Alert on-call-a through Provider hook (generic)", a)
	}
	uncovered := traceKustomizationHop(t, ctx, bed, "cm/beta")
	if a := uncovered.Alerting; a == nil || a.Notified || len(a.Alerts) != 0 {
		t.Errorf("team-b's hop alerting = %+v, want covered by none", a)
	}
	run, err := testbed.Kubectl(ctx, bed.Assets, bed.Kubeconfig, "gitops", "trace", "cm/alpha", "cm/beta", "-n", "default")
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{
		"Kustomization flux-system/team-a: Alert flux-system/on-call-a -> Provider hook (type generic), severity info",
		"Kustomization flux-system/team-b: " + trace.NoAlertNote,
	} {
		if !strings.Contains(run.Stdout, want) {
			t.Errorf("the human view lacks %q:\n%s", want, run)
		}
	}
	if strings.Contains(run.Stdout, hook.URL) {
		t.Errorf("the Provider's address is printed:\n%s", run)
	}
}

// failureArrived reports whether an error event about Kustomization name reached the
// receiver.
func failureArrived(got []testbed.Notice, name string) bool {
	for _, n := range got {
		if n.InvolvedObject.Kind == "Kustomization" && n.InvolvedObject.Name == name && n.Severity == "error" {
			return true
		}
	}
	return false
}

// dropped reports whether notification-controller logged that it received an event
// about Kustomization name and found no Alert for it: proof that its silence at the
// receiver is the Alert's doing, not a missing event.
func dropped(t *testing.T, log, name string) bool {
	f, err := os.Open(log)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		line := sc.Text()
		if strings.Contains(line, "no alerts found for the involved object") &&
			strings.Contains(line, `"kind":"Kustomization"`) && strings.Contains(line, `"name":"`+name+`"`) {
			return true
		}
	}
	return false
}

// traceKustomizationHop traces a ConfigMap in -o json and returns its Kustomization hop.
func traceKustomizationHop(t *testing.T, ctx context.Context, bed *testbed.Bed, object string) trace.Hop {
	t.Helper()
	run, err := testbed.Kubectl(ctx, bed.Assets, bed.Kubeconfig, "gitops", "trace", object, "-n", "default", "-o", "json")
	if err != nil {
		t.Fatal(err)
	}
	var hop trace.Hop
	if err := outputtest.Decode(output.FormatJSON, []byte(run.Stdout), output.KindTrace, func() any { return &trace.Report{} }, func(d any) {
		for _, h := range d.(*trace.Report).Hops {
			if h.Role == trace.RoleKustomization {
				hop = h
				return
			}
		}
		t.Errorf("no Kustomization hop: %+v", d)
	}); err != nil {
		t.Fatalf("%v\n%s", err, run)
	}
	return hop
}
