package rollback

import (
	"context"
	"encoding/json"
	"reflect"
	"strings"
	"testing"
	"time"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"

	"github.com/kubectl-gitops/kubectl-gitops/shared/branch"
	"github.com/kubectl-gitops/kubectl-gitops/shared/cluster/clustertest"
	"github.com/kubectl-gitops/kubectl-gitops/shared/exitcode"
	"github.com/kubectl-gitops/kubectl-gitops/shared/flux"
	"github.com/kubectl-gitops/kubectl-gitops/shared/history"
	"github.com/kubectl-gitops/kubectl-gitops/shared/reconcile"
	"github.com/kubectl-gitops/kubectl-gitops/shared/status"
	"github.com/kubectl-gitops/kubectl-gitops/shared/write"
)

const (
	shaOld  = "1111111111111111111111111111111111111111"
	shaNew  = "2222222222222222222222222222222222222222"
	shaFail = "3333333333333333333333333333333333333333"
)

// reader is a second Kustomization reading the same source: a pin moves it too.
func reader(name string) *unstructured.Unstructured {
	ks := kustomization("GitRepository", shaNew)
	ks.SetName(name)
	return ks
}

func sourceOf(t *testing.T, f *clustertest.Factory) *unstructured.Unstructured {
	t.Helper()
	u, err := flux.Get(context.Background(), f.Dynamic, flux.KindGitRepository, "flux-system", "flux-system")
	if err != nil {
		t.Fatal(err)
	}
	return u
}

func TestPinAndUnpin(t *testing.T) {
	at := time.Date(2026, 12, 3, 9, 0, 0, 0, time.UTC)
	f := clustertest.New("flux-system", kustomization("GitRepository", shaNew, shaOld), reader("infra"),
		gitRepository("https://git.example.com/fleet.git", map[string]any{"branch": "main"}, nil, shaNew))
	var asked []string
	hooks := write.Hooks{User: "alice", Now: func() time.Time { return at }, Confirm: func(s string) error { asked = append(asked, s); return nil }}
	res, err := Pin(context.Background(), f.Dynamic, PinRequest{Namespace: "flux-system", Name: "apps", Choice: history.Choice{Steps: 1}, Switch: branch.Request{Hooks: hooks}})
	if err != nil {
		t.Fatal(err)
	}
	undo := "kubectl gitops rollback unpin apps -n flux-system"
	if !res.Changed || res.Action != "pin" || res.Undo != undo || res.Plan == nil || res.Plan.Target.SHA != shaOld ||
		len(res.Plan.Undoes) != 1 || res.Plan.Undoes[0].SHA != shaNew {
		t.Errorf("result %+v, plan %+v", res, res.Plan)
	}
	wantConsumers := []reconcile.Outcome{
		{Kind: "Kustomization", Namespace: "flux-system", Name: "apps", Applied: "main@sha1:" + shaNew, Status: "NotWaited"},
		{Kind: "Kustomization", Namespace: "flux-system", Name: "infra", Applied: "main@sha1:" + shaNew, Status: "NotWaited"},
	}
	if !reflect.DeepEqual(res.Consumers, wantConsumers) {
		t.Errorf("consumers %+v, want %+v", res.Consumers, wantConsumers)
	}
	wantNotes := []string{"the cluster now differs from branch main: Flux applies commit 111111111111 and nothing newer until '" + undo + "'"}
	if !reflect.DeepEqual(res.Notes, wantNotes) {
		t.Errorf("notes %q, want %q", res.Notes, wantNotes)
	}
	if len(asked) != 1 || !strings.HasSuffix(asked[0], "; this moves every consumer of the source: Kustomization flux-system/apps, Kustomization flux-system/infra") ||
		!strings.HasPrefix(asked[0], "pin GitRepository flux-system/flux-system from branch main to ") {
		t.Errorf("asked %q", asked)
	}

	u := sourceOf(t, f)
	ref, _, _ := unstructured.NestedMap(u.Object, "spec", "ref")
	if want := map[string]any{"branch": "main", "commit": shaOld}; !reflect.DeepEqual(ref, want) {
		t.Errorf("spec.ref = %v, want %v", ref, want)
	}
	rec, err := status.SwitchOf(u.GetAnnotations())
	if err != nil || rec == nil {
		t.Fatalf("record: %v, %v", rec, err)
	}
	if rec.Action != "pin" || rec.RefBefore == nil || rec.RefBefore.Branch != "main" || rec.RefBefore.Commit != "" || rec.By != "alice" || !rec.At.Equal(at) || rec.Undo != undo || rec.ParentDisabled {
		raw, _ := json.Marshal(rec)
		t.Errorf("record %s", raw)
	}

	res, err = Unpin(context.Background(), f.Dynamic, PinRequest{Namespace: "flux-system", Name: "apps", Switch: branch.Request{Hooks: hooks}})
	if err != nil {
		t.Fatal(err)
	}
	if !res.Changed || res.Action != "restore" || res.To == nil || res.To.String() != "branch main" {
		t.Errorf("unpin %+v", res)
	}
	u = sourceOf(t, f)
	ref, _, _ = unstructured.NestedMap(u.Object, "spec", "ref")
	if want := map[string]any{"branch": "main"}; !reflect.DeepEqual(ref, want) {
		t.Errorf("spec.ref after unpin = %v, want %v", ref, want)
	}
	if _, ok := u.GetAnnotations()[status.SwitchAnnotation]; ok {
		t.Errorf("the record outlived the unpin: %v", u.GetAnnotations())
	}

	// Unpinning again has nothing to put back.
	res, err = Unpin(context.Background(), f.Dynamic, PinRequest{Namespace: "flux-system", Name: "apps"})
	if err != nil || res.Changed || !reflect.DeepEqual(res.Notes, []string{"was never switched by kubectl gitops branch set: nothing to restore"}) {
		t.Errorf("second unpin %+v, %v", res, err)
	}
}

// TestPinAlreadyRunning: the last good revision is the one running (the newest commit
// never applied), so nothing is written and the note points at a revert in Git.
func TestPinAlreadyRunning(t *testing.T) {
	ks := kustomization("GitRepository", shaNew, shaOld)
	_ = unstructured.SetNestedField(ks.Object, "main@sha1:"+shaFail, "status", "lastAttemptedRevision")
	src := gitRepository("https://git.example.com/fleet.git", map[string]any{"branch": "main"}, nil, shaFail)
	f := clustertest.New("flux-system", ks, src)
	asked := 0
	res, err := Pin(context.Background(), f.Dynamic, PinRequest{Namespace: "flux-system", Name: "apps", Choice: history.Choice{LastGood: true},
		Switch: branch.Request{Hooks: write.Hooks{Confirm: func(string) error { asked++; return nil }}}})
	if err != nil {
		t.Fatal(err)
	}
	if res.Changed || res.Action != "pin" || res.Plan.Target.SHA != shaNew || len(res.Plan.Undoes) != 0 || asked != 0 || len(res.Notes) != 1 ||
		!strings.HasPrefix(res.Notes[0], "the cluster already runs the last good revision, 222222222222") ||
		!strings.HasSuffix(res.Notes[0], "never applied (Failed): 'kubectl gitops rollback revert apps -n flux-system --commit 333333333333 --git-dir CLONE' undoes it in Git; nothing was changed") {
		t.Errorf("result %+v", res)
	}
	if got := sourceOf(t, f); !reflect.DeepEqual(got.Object, src.Object) {
		t.Errorf("the source was written: %v", got.Object)
	}
}

func TestResolve(t *testing.T) {
	f := clustertest.New("flux-system", kustomization("GitRepository", shaNew, shaOld))
	tgt, err := Resolve(context.Background(), f.Dynamic, "flux-system", "apps", &history.Choice{To: "1111111"}, "")
	if err != nil {
		t.Fatal(err)
	}
	if tgt.SourceNamespace != "flux-system" || tgt.SourceName != "flux-system" || tgt.Entry.SHA != shaOld || len(tgt.History) != 2 {
		t.Errorf("target %+v", tgt)
	}
	if running, ok := tgt.Running(); !ok || running.SHA != shaNew {
		t.Errorf("running %+v, %v", running, ok)
	}
	if failed, ok := tgt.NewestFailed(); ok {
		t.Errorf("newest failed %+v, want none", failed)
	}
	// No choice (an unpin): the source alone.
	if tgt, err := Resolve(context.Background(), f.Dynamic, "flux-system", "apps", nil, ""); err != nil || tgt.Entry.SHA != "" || tgt.History != nil {
		t.Errorf("unpin target %+v, %v", tgt, err)
	}
	for _, tc := range []struct {
		name   string
		choice history.Choice
		code   exitcode.Code
		msg    string
	}{
		{"nope", history.Choice{Steps: 1}, exitcode.NotFound, "Kustomization flux-system/nope not found"},
		{"apps", history.Choice{To: "4444"}, exitcode.NotFound, "commit 4444 is not in status.history"},
		{"apps", history.Choice{Steps: 5}, exitcode.NotFound, "status.history holds 1 earlier commit"},
	} {
		_, err := Resolve(context.Background(), f.Dynamic, "flux-system", tc.name, &tc.choice, "")
		if err == nil || exitcode.Of(err) != tc.code || !strings.HasPrefix(err.Error(), tc.msg) {
			t.Errorf("Resolve(%s, %+v) = %v (code %d), want code %d with %q", tc.name, tc.choice, err, exitcode.Of(err), tc.code, tc.msg)
		}
	}
}

func TestAppliedBy(t *testing.T) {
	hr := func(labels map[string]any) *unstructured.Unstructured {
		meta := map[string]any{"namespace": "apps", "name": "podinfo"}
		if labels != nil {
			meta["labels"] = labels
		}
		return &unstructured.Unstructured{Object: map[string]any{"apiVersion": "helm.toolkit.fluxcd.io/v2", "kind": "HelmRelease", "metadata": meta}}
	}
	f := clustertest.New("apps", hr(map[string]any{flux.KustomizeNameLabel: "apps", flux.KustomizeNamespaceLabel: "flux-system"}))
	if ns, name, err := AppliedBy(context.Background(), f.Dynamic, "apps", "podinfo"); err != nil || ns != "flux-system" || name != "apps" {
		t.Errorf("AppliedBy = %s/%s, %v", ns, name, err)
	}
	f = clustertest.New("apps", hr(nil))
	_, _, err := AppliedBy(context.Background(), f.Dynamic, "apps", "podinfo")
	if exitcode.Of(err) != exitcode.NotManaged || err == nil || !strings.HasPrefix(err.Error(), "HelmRelease apps/podinfo is not applied by a Flux Kustomization") {
		t.Errorf("unmanaged: %v (code %d)", err, exitcode.Of(err))
	}
}
