package branch

import (
	"context"
	"reflect"
	"strings"
	"testing"
	"time"

	sourcev1 "github.com/fluxcd/source-controller/api/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime"
	k8stesting "k8s.io/client-go/testing"

	"github.com/kubectl-gitops/kubectl-gitops/shared/cluster/clustertest"
	"github.com/kubectl-gitops/kubectl-gitops/shared/exitcode"
	"github.com/kubectl-gitops/kubectl-gitops/shared/flux"
	"github.com/kubectl-gitops/kubectl-gitops/shared/invocation"
	"github.com/kubectl-gitops/kubectl-gitops/shared/source"
	"github.com/kubectl-gitops/kubectl-gitops/shared/status"
	"github.com/kubectl-gitops/kubectl-gitops/shared/write"
)

// parent is the Kustomization flux-system whose inventory lists the GitRepository:
// the one a switch keeps from re-applying Git's ref.
func parent() *unstructured.Unstructured {
	return &unstructured.Unstructured{Object: map[string]any{
		"apiVersion": "kustomize.toolkit.fluxcd.io/v1", "kind": "Kustomization",
		"metadata": map[string]any{"namespace": "flux-system", "name": "flux-system"},
		"spec":     map[string]any{"path": "./clusters/prod", "interval": "10m", "prune": true, "sourceRef": map[string]any{"kind": "GitRepository", "name": "flux-system"}},
		"status": map[string]any{"inventory": map[string]any{"entries": []any{
			map[string]any{"id": "flux-system_flux-system_source.toolkit.fluxcd.io_GitRepository", "v": "v1"},
		}}},
	}}
}

// managed is gitRepo applied by parent, with its reconcile annotation as given (nil:
// absent).
func managed(ref map[string]any, reconcile *string) *unstructured.Unstructured {
	var annotations map[string]any
	if reconcile != nil {
		annotations = map[string]any{ReconcileAnnotation: *reconcile}
	}
	u := gitRepo(ref, annotations)
	u.SetLabels(map[string]string{flux.KustomizeNameLabel: "flux-system", flux.KustomizeNamespaceLabel: "flux-system"})
	return u
}

func current(t *testing.T, f *clustertest.Factory) *unstructured.Unstructured {
	t.Helper()
	u, err := flux.Get(context.Background(), f.Dynamic, flux.KindGitRepository, "flux-system", "flux-system")
	if err != nil {
		t.Fatal(err)
	}
	return u
}

func ptr(s string) *string { return &s }

// TestSetThenRestore switches and restores a source applied by a parent: the record
// reads back exactly what was there, and the restore puts the ref and the parent's
// annotation back as they were, whatever they were.
func TestSetThenRestore(t *testing.T) {
	at := time.Date(2026, 12, 3, 9, 30, 15, 999, time.UTC)
	tests := []struct {
		name      string
		ref       map[string]any
		reconcile *string
		parent    bool
		wantRef   *sourcev1.GitRepositoryRef
	}{
		{"parent annotation absent", map[string]any{"branch": "main", "tag": "v1"}, nil, true, &sourcev1.GitRepositoryRef{Branch: "main", Tag: "v1"}},
		{"parent annotation enabled", map[string]any{"branch": "main"}, ptr("enabled"), true, &sourcev1.GitRepositoryRef{Branch: "main"}},
		{"parent annotation empty", map[string]any{"name": "refs/heads/main"}, ptr(""), true, &sourcev1.GitRepositoryRef{Name: "refs/heads/main"}},
		{"no parent", map[string]any{"branch": "main", "commit": strings.Repeat("c", 40)}, nil, false, &sourcev1.GitRepositoryRef{Branch: "main", Commit: strings.Repeat("c", 40)}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			objs := []runtime.Object{managed(tt.ref, tt.reconcile)}
			if tt.parent {
				objs = append(objs, parent())
			}
			f := clustertest.New("flux-system", objs...)
			before := current(t, f)
			hooks := write.Hooks{User: "alice", Now: func() time.Time { return at }}
			set, err := Set(context.Background(), f.Dynamic, Request{Namespace: "flux-system", Name: "flux-system", Branch: "stable", Remote: remote("main", "stable"), Hooks: hooks})
			if err != nil {
				t.Fatal(err)
			}
			if !set.Changed || set.Undo != "kubectl gitops branch restore flux-system -n flux-system" {
				t.Errorf("set %+v", set)
			}

			switched := current(t, f)
			rec, err := status.SwitchOf(switched.GetAnnotations())
			if err != nil {
				t.Fatal(err)
			}
			want := &status.Switch{Action: "set", RefBefore: tt.wantRef, By: "alice", At: at.Truncate(time.Second), Undo: set.Undo}
			if tt.parent {
				want.Parent, want.ParentDisabled, want.ReconcileBefore = "flux-system/flux-system", true, tt.reconcile
			}
			if !reflect.DeepEqual(rec, want) {
				t.Errorf("record %+v, want %+v", rec, want)
			}
			if got, ok := switched.GetAnnotations()[ReconcileAnnotation]; tt.parent != (ok && got == ReconcileDisabled) {
				t.Errorf("parent annotation after the switch: %q, %v", got, ok)
			}

			res, err := Restore(context.Background(), f.Dynamic, Request{Namespace: "flux-system", Name: "flux-system", Remote: remote("main", "stable"), Hooks: hooks})
			if err != nil {
				t.Fatal(err)
			}
			if to := source.FromGit(tt.wantRef); !res.Changed || res.Action != "restore" || res.Undo != "" || res.To == nil || *res.To != to {
				t.Errorf("restore %+v", res)
			}
			if tt.parent != (res.Parent != nil) || (res.Parent != nil && *res.Parent != Parent{Namespace: "flux-system", Name: "flux-system", Action: "manages the GitRepository again"}) {
				t.Errorf("restore's parent %+v", res.Parent)
			}
			after := current(t, f)
			if !reflect.DeepEqual(after.Object["spec"], before.Object["spec"]) {
				t.Errorf("spec after restore %v, want %v", after.Object["spec"], before.Object["spec"])
			}
			// An emptied annotations map is no annotations.
			if a, b := after.GetAnnotations(), before.GetAnnotations(); !(len(a) == 0 && len(b) == 0) && !reflect.DeepEqual(a, b) {
				t.Errorf("annotations after restore %v, want %v", after.GetAnnotations(), before.GetAnnotations())
			}
		})
	}
}

// TestRestoreWithoutRecord: a source never switched, or whose record is not the
// suite's, is not written.
func TestRestoreWithoutRecord(t *testing.T) {
	for _, tc := range []struct {
		name        string
		annotations map[string]any
		err         string
	}{
		{"never switched", nil, ""},
		{"other annotations only", map[string]any{ReconcileAnnotation: "disabled"}, ""},
		{"malformed record", map[string]any{status.SwitchAnnotation: "{not json"}, "annotation gitops.kubectl.io/switch is not a record this suite wrote: "},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := clustertest.New("flux-system", gitRepo(map[string]any{"branch": "stable"}, tc.annotations))
			patches := 0
			f.Dynamic.PrependReactor("patch", "*", func(k8stesting.Action) (bool, runtime.Object, error) {
				patches++
				return false, nil, nil
			})
			res, err := Restore(context.Background(), f.Dynamic, Request{Namespace: "flux-system", Name: "flux-system", Remote: remote("main")})
			if tc.err != "" {
				if res != nil || err == nil || !strings.HasPrefix(err.Error(), tc.err) {
					t.Errorf("Restore = %+v, %v; want %q", res, err, tc.err)
				}
			} else if err != nil || res.Changed || res.Undo != "" || res.To != nil ||
				!reflect.DeepEqual(res.Notes, []string{"was never switched by kubectl gitops branch set: nothing to restore"}) {
				t.Errorf("Restore = %+v, %v", res, err)
			}
			if patches != 0 {
				t.Errorf("%d patches", patches)
			}
		})
	}
}

// TestRestoreToABranchGone: the recorded branch no longer exists on the remote: the
// restore is refused before anything is written.
func TestRestoreToABranchGone(t *testing.T) {
	rec := `{"refBefore":{"branch":"release-1"},"at":"2026-01-01T00:00:00Z"}`
	f := clustertest.New("flux-system", gitRepo(map[string]any{"branch": "stable"}, map[string]any{status.SwitchAnnotation: rec}))
	before := current(t, f)
	_, err := Restore(context.Background(), f.Dynamic, Request{Namespace: "flux-system", Name: "flux-system", Remote: remote("main", "stable")})
	if exitcode.Of(err) != exitcode.NotFound || err == nil || !strings.HasPrefix(err.Error(), `branch "release-1" does not exist in https://git.example.com/fleet.git: nothing was changed`) {
		t.Errorf("err %v (code %d)", err, exitcode.Of(err))
	}
	if after := current(t, f); !reflect.DeepEqual(after.Object, before.Object) {
		t.Errorf("written: %v", after.Object)
	}
}

// TestSetUndoAsInvoked: the result of a switch names its undo as the user runs the
// suite, and the record keeps it canonical for whoever reads it next.
func TestSetUndoAsInvoked(t *testing.T) {
	for _, tt := range []struct{ invoked, want string }{
		{"kubectl gitops", "kubectl gitops branch restore flux-system -n flux-system"},
		{"flux gitops", "flux gitops branch restore flux-system -n flux-system"},
		{"kubectl gitops branch", "kubectl gitops branch restore flux-system -n flux-system"},
		{"kubectl gitops-branch", "kubectl gitops-branch restore flux-system -n flux-system"},
	} {
		t.Run(tt.invoked, func(t *testing.T) {
			ctx := invocation.NewContext(context.Background(), invocation.Parse(tt.invoked))
			f := clustertest.New("flux-system", gitRepo(map[string]any{"branch": "main"}, nil))
			res, err := Set(ctx, f.Dynamic, Request{Namespace: "flux-system", Name: "flux-system", Branch: "stable", Remote: remote("stable")})
			if err != nil || res.Undo != tt.want {
				t.Fatalf("Set: undo %q, %v; want %q", res.Undo, err, tt.want)
			}
			rec, err := status.SwitchOf(current(t, f).GetAnnotations())
			if err != nil || rec == nil || rec.Undo != "kubectl gitops branch restore flux-system -n flux-system" {
				t.Errorf("record %+v, %v: want the canonical undo", rec, err)
			}
			f = clustertest.New("flux-system", gitRepo(map[string]any{"branch": "main"}, nil))
			res, err = Restore(ctx, f.Dynamic, Request{Namespace: "flux-system", Name: "flux-system", Remote: remote("main")})
			if want := "was never switched by " + strings.TrimSuffix(tt.want, " restore flux-system -n flux-system") + " set: nothing to restore"; err != nil || !reflect.DeepEqual(res.Notes, []string{want}) {
				t.Errorf("Restore of a source never switched: %q, %v; want %q", res.Notes, err, want)
			}
		})
	}
}
