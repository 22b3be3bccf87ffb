package suspend

import (
	"context"
	"strings"
	"testing"
	"time"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime"
	k8stesting "k8s.io/client-go/testing"

	"github.com/kubectl-gitops/kubectl-gitops/shared/cluster/clustertest"
	"github.com/kubectl-gitops/kubectl-gitops/shared/status"
	"github.com/kubectl-gitops/kubectl-gitops/shared/write"
)

func apps(suspended bool, annotations map[string]any) *unstructured.Unstructured {
	meta := map[string]any{"name": "apps", "namespace": "flux-system", "resourceVersion": "9"}
	if annotations != nil {
		meta["annotations"] = annotations
	}
	return &unstructured.Unstructured{Object: map[string]any{
		"apiVersion": "kustomize.toolkit.fluxcd.io/v1", "kind": "Kustomization", "metadata": meta,
		"spec": map[string]any{"path": "./apps", "suspend": suspended, "sourceRef": map[string]any{"kind": "GitRepository", "name": "flux-system"}},
	}}
}

func TestSuspendAndResumePatches(t *testing.T) {
	at := time.Date(2026, 11, 26, 10, 0, 0, 0, time.UTC)
	until := at.Add(2 * time.Hour)
	f := clustertest.New("flux-system", apps(false, nil))
	var patch string
	f.Dynamic.PrependReactor("patch", "kustomizations", func(a k8stesting.Action) (bool, runtime.Object, error) {
		patch = string(a.(k8stesting.PatchAction).GetPatch())
		return false, nil, nil
	})
	res, err := Suspend(context.Background(), f.Dynamic, Request{Kind: "Kustomization", Namespace: "flux-system", Name: "apps",
		Reason: "INC-42", Until: &until, Hooks: write.Hooks{User: "alice", Now: func() time.Time { return at }}})
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{`"suspend":true`, `"resourceVersion":"9"`, `"gitops.kubectl.io/suspend-reason":"INC-42"`, `"gitops.kubectl.io/suspend-by":"alice"`, `"gitops.kubectl.io/suspend-until":"2026-11-26T12:00:00Z"`, `"fluxcd.controlplane.io/suspendedBy":"alice"`} {
		if !strings.Contains(patch, want) {
			t.Errorf("suspend patch %s lacks %s", patch, want)
		}
	}
	if !res.Changed || res.Undo != "kubectl gitops rollback resume kustomization/apps -n flux-system" {
		t.Errorf("result %+v", res)
	}

	f = clustertest.New("flux-system", apps(true, map[string]any{status.SuspendReasonAnnotation: "INC-42", status.FluxOperatorSuspendedByAnnotation: "jane"}))
	f.Dynamic.PrependReactor("patch", "kustomizations", func(a k8stesting.Action) (bool, runtime.Object, error) {
		patch = string(a.(k8stesting.PatchAction).GetPatch())
		return false, nil, nil
	})
	res, err = Resume(context.Background(), f.Dynamic, Request{Kind: "Kustomization", Namespace: "flux-system", Name: "apps"})
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{`"suspend":null`, `"gitops.kubectl.io/suspend-reason":null`, `"fluxcd.controlplane.io/suspendedBy":null`, `"reconcile.fluxcd.io/suspended":null`} {
		if !strings.Contains(patch, want) {
			t.Errorf("resume patch %s lacks %s", patch, want)
		}
	}
	if !res.Changed || res.Suspension == nil || res.Suspension.Reason != "INC-42" || res.Suspension.By != "jane" {
		t.Errorf("result %+v", res)
	}
}

func TestSuspensionString(t *testing.T) {
	at := time.Date(2026, 11, 26, 10, 0, 0, 0, time.UTC)
	until := at.Add(time.Hour)
	s := &status.Suspension{Reason: "INC-42", By: "alice", At: &at, Until: &until}
	if got := s.String(at.Add(time.Minute)); got != "INC-42 (by alice, since 2026-11-26T10:00:00Z, until 2026-11-26T11:00:00Z)" {
		t.Errorf("String = %q", got)
	}
	if got := s.String(at.Add(2 * time.Hour)); !strings.HasSuffix(got, "until 2026-11-26T11:00:00Z, OVERDUE)") {
		t.Errorf("overdue String = %q", got)
	}
	if status.SuspensionOf(map[string]string{"other": "x"}) != nil {
		t.Error("no record, no suspension")
	}
}
