package testbed_test

import (
	"context"
	"testing"
	"time"

	"github.com/kubectl-gitops/kubectl-gitops/shared/testbed"
)

// TestBedNotification proves the event path of a bed with Options.Notification:
// kustomize-controller posts its events to notification-controller (--events-addr),
// which finds the Alert covering the Kustomization and posts the event through the
// generic Provider to a receiver on loopback.
func TestBedNotification(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	bed := testbed.Start(t, testbed.Options{Flux: true, Notification: true})
	hook := testbed.StartWebhook(t)

	repo, err := bed.Git.CreateRepo(ctx, "notify")
	if err != nil {
		t.Fatal(err)
	}
	sha, err := repo.Commit(ctx, "first", map[string]string{"app/cm.yaml": testbed.ConfigMapYAML("default", "notify", "commit", "first")})
	if err != nil {
		t.Fatal(err)
	}
	ns := testbed.FluxNamespace
	if err := bed.Apply(ctx, testbed.ProviderYAML(ns, "hook", hook.URL)+"---\n"+
		testbed.AlertYAML(ns, "all", "hook", "Kustomization/*")); err != nil {
		t.Fatal(err)
	}
	if err := bed.Apply(ctx, testbed.GitRepositoryYAML(ns, "notify", repo.URL, "main")+"---\n"+
		testbed.KustomizationYAML(testbed.Kustomization{Namespace: ns, Name: "app", Path: "./app", Source: "notify"})); err != nil {
		t.Fatal(err)
	}
	if _, err := bed.WaitApplied(ctx, ns, "app", sha); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(time.Minute)
	for {
		for _, n := range hook.Received() {
			if n.InvolvedObject.Kind == "Kustomization" && n.InvolvedObject.Name == "app" {
				return
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("no event about Kustomization app reached the receiver in a minute; got %+v\n%s", hook.Received(), bed.Logs(30))
		}
		time.Sleep(200 * time.Millisecond)
	}
}
