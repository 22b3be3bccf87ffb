package branch

import (
	"context"
	"strings"
	"testing"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
	k8stesting "k8s.io/client-go/testing"

	"github.com/kubectl-gitops/kubectl-gitops/shared/cluster/clustertest"
	"github.com/kubectl-gitops/kubectl-gitops/shared/exitcode"
	"github.com/kubectl-gitops/kubectl-gitops/shared/status"
	"github.com/kubectl-gitops/kubectl-gitops/shared/write"
)

func gitRepo(ref map[string]any, annotations map[string]any) *unstructured.Unstructured {
	meta := map[string]any{"name": "flux-system", "namespace": "flux-system", "resourceVersion": "7"}
	if annotations != nil {
		meta["annotations"] = annotations
	}
	return &unstructured.Unstructured{Object: map[string]any{
		"apiVersion": "source.toolkit.fluxcd.io/v1", "kind": "GitRepository", "metadata": meta,
		"spec": map[string]any{"url": "https://deploy:s3cret@git.example.com/fleet.git", "interval": "1m", "ref": ref},
	}}
}

func remote(branches ...string) func(context.Context, string) (map[string]string, error) {
	return func(context.Context, string) (map[string]string, error) {
		heads := map[string]string{}
		for _, b := range branches {
			heads[b] = strings.Repeat("a", 40)
		}
		return heads, nil
	}
}

func TestSetWritesOnlyTheRefWithAPrecondition(t *testing.T) {
	f := clustertest.New("flux-system", gitRepo(map[string]any{"tag": "v1", "branch": "main"}, nil))
	var patch []byte
	f.Dynamic.PrependReactor("patch", "gitrepositories", func(a k8stesting.Action) (bool, runtime.Object, error) {
		patch = a.(k8stesting.PatchAction).GetPatch()
		return false, nil, nil
	})
	res, err := Set(context.Background(), f.Dynamic, Request{Namespace: "flux-system", Name: "flux-system", Branch: "stable", Remote: remote("stable"), Hooks: write.Hooks{User: "alice"}})
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{`"resourceVersion":"7"`, `"branch":"stable"`, `"tag":null`, `"commit":null`, `gitops.kubectl.io/switch`, `\"by\":\"alice\"`, `\"refBefore\":{\"branch\":\"main\",\"tag\":\"v1\"}`} {
		if !strings.Contains(string(patch), want) {
			t.Errorf("patch %s lacks %s", patch, want)
		}
	}
	if strings.Contains(string(patch), "url") || strings.Contains(string(patch), "interval") {
		t.Errorf("patch %s touches more than spec.ref", patch)
	}
	if len(res.Cleared) != 1 || res.Cleared[0] != "tag=v1" || res.Undo == "" || !res.Changed {
		t.Errorf("result %+v", res)
	}
}

func TestSetRefusals(t *testing.T) {
	conflict := func(f *clustertest.Factory) {
		f.Dynamic.PrependReactor("patch", "gitrepositories", func(k8stesting.Action) (bool, runtime.Object, error) {
			return true, nil, apierrors.NewConflict(schema.GroupResource{Group: "source.toolkit.fluxcd.io", Resource: "gitrepositories"}, "flux-system", nil)
		})
	}
	tests := []struct {
		name   string
		obj    *unstructured.Unstructured
		branch string
		setup  func(*clustertest.Factory)
		code   exitcode.Code
		msg    string
	}{
		{"branch that does not exist", gitRepo(map[string]any{"branch": "main"}, nil), "nope", nil, exitcode.NotFound, `branch "nope" does not exist in https://git.example.com/fleet.git`},
		{"a branch name mistyped", gitRepo(map[string]any{"branch": "main"}, nil), "stabel", nil, exitcode.NotFound, `branch "stabel" does not exist in https://git.example.com/fleet.git; did you mean stable?`},
		{"concurrent write", gitRepo(map[string]any{"branch": "main"}, nil), "stable", conflict, exitcode.Failure, "changed while this command ran"},
		{"suspended source", func() *unstructured.Unstructured {
			u := gitRepo(map[string]any{"branch": "main"}, nil)
			u.Object["spec"].(map[string]any)["suspend"] = true
			return u
		}(), "stable", nil, exitcode.Failure, "is suspended"},
		{"a record that is not ours", gitRepo(map[string]any{"branch": "main"}, map[string]any{status.SwitchAnnotation: "{not json"}), "stable", nil, exitcode.Failure, "not a record this suite wrote"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := clustertest.New("flux-system", tt.obj)
			if tt.setup != nil {
				tt.setup(f)
			}
			_, err := Set(context.Background(), f.Dynamic, Request{Namespace: "flux-system", Name: "flux-system", Branch: tt.branch, Remote: remote("main", "stable")})
			if err == nil || exitcode.Of(err) != tt.code || !strings.Contains(err.Error(), tt.msg) || strings.Contains(err.Error(), "s3cret") {
				t.Errorf("err %v (code %d), want code %d with %q", err, exitcode.Of(err), tt.code, tt.msg)
			}
		})
	}
}
