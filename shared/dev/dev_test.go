package dev

import (
	"bytes"
	"context"
	"flag"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
	dynamicfake "k8s.io/client-go/dynamic/fake"

	"github.com/kubectl-gitops/kubectl-gitops/shared/exitcode"
	"github.com/kubectl-gitops/kubectl-gitops/shared/output"
	"github.com/kubectl-gitops/kubectl-gitops/shared/output/outputtest"
	"github.com/kubectl-gitops/kubectl-gitops/shared/reconcile"
)

var update = flag.Bool("update", false, "rewrite testdata/*.golden from the current output")

func TestSlug(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"implementing feature X", "implementing-feature-x"},
		{"  INC-42: fix the API!  ", "inc-42-fix-the-api"},
		{"é\x1b[31mred", "31mred"},
		{strings.Repeat("long words ", 10), "long-words-long-words-long-words-long"},
	} {
		got, err := Slug(tc.in)
		if err != nil || got != tc.want {
			t.Errorf("Slug(%q) = %q, %v; want %q", tc.in, got, err, tc.want)
		}
	}
	if _, err := Slug("!!!"); exitcode.Of(err) != exitcode.Usage {
		t.Errorf("Slug(!!!) = %v, want a usage error", err)
	}
}

func session() *Session {
	at := time.Date(2026, 11, 26, 9, 0, 0, 0, time.UTC)
	until := at.Add(8 * time.Hour)
	return &Session{
		ID: "feature-x", Description: "feature X", User: "alice", Started: at, Until: &until,
		Namespace: "flux-system", TrackedBranch: "main", Branch: "dev/feature-x", Base: "0123456789abcdef0123",
		Kustomizations: []output.ObjectRef{{Kind: "Kustomization", Namespace: "flux-system", Name: "apps"}},
	}
}

func object(apiVersion, kind, namespace, name string, labels map[string]string) *unstructured.Unstructured {
	u := &unstructured.Unstructured{}
	u.SetAPIVersion(apiVersion)
	u.SetKind(kind)
	u.SetNamespace(namespace)
	u.SetName(name)
	u.SetLabels(labels)
	return u
}

func TestReach(t *testing.T) {
	s := session()
	s.record(Applied{ObjectRef: output.ObjectRef{APIVersion: "v1", Kind: "Service", Namespace: "shop", Name: "new"}, Created: true})
	byApps := map[string]string{"kustomize.toolkit.fluxcd.io/name": "apps", "kustomize.toolkit.fluxcd.io/namespace": "flux-system"}
	byInfra := map[string]string{"kustomize.toolkit.fluxcd.io/name": "infra", "kustomize.toolkit.fluxcd.io/namespace": "flux-system"}
	byHelm := map[string]string{"helm.toolkit.fluxcd.io/name": "web", "helm.toolkit.fluxcd.io/namespace": "shop"}
	for _, tc := range []struct {
		name string
		obj  *unstructured.Unstructured
		live *unstructured.Unstructured
		want string
	}{
		{"new object", object("v1", "ConfigMap", "shop", "a", nil), nil, ""},
		{"applied by a paused Kustomization", object("v1", "ConfigMap", "shop", "a", nil), object("v1", "ConfigMap", "shop", "a", byApps), ""},
		{"created by the session before", object("v1", "Service", "shop", "new", nil), object("v1", "Service", "shop", "new", nil), ""},
		{"applied by another Kustomization", object("v1", "ConfigMap", "shop", "a", nil), object("v1", "ConfigMap", "shop", "a", byInfra), "Kustomization flux-system/infra, which this session did not pause"},
		{"installed by a HelmRelease", object("v1", "ConfigMap", "shop", "a", nil), object("v1", "ConfigMap", "shop", "a", byHelm), "installed by HelmRelease shop/web"},
		{"nobody's", object("v1", "ConfigMap", "shop", "a", nil), object("v1", "ConfigMap", "shop", "a", nil), "no Kustomization applies it"},
		{"the paused Kustomization itself", object("kustomize.toolkit.fluxcd.io/v1", "Kustomization", "flux-system", "apps", nil), nil, "is paused by this session"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := s.reach(Manifest{Object: tc.obj}, tc.live)
			if (tc.want == "") != (err == nil) || (err != nil && !strings.Contains(err.Error(), tc.want)) {
				t.Errorf("reach = %v, want %q", err, tc.want)
			}
			// A refusal is the documented usage error: nothing was written.
			if err != nil && exitcode.Of(err) != exitcode.Usage {
				t.Errorf("reach exits %d, want %d (usage)", exitcode.Of(err), exitcode.Usage)
			}
		})
	}
}

func TestRecordKeepsCreated(t *testing.T) {
	s := session()
	o := output.ObjectRef{APIVersion: "v1", Kind: "Service", Namespace: "shop", Name: "api"}
	s.record(Applied{ObjectRef: o, Created: true})
	s.record(Applied{ObjectRef: o, Created: false})
	if len(s.Applied) != 1 || !s.Applied[0].Created || !s.created(o) {
		t.Errorf("applied = %+v: a second apply must not forget the session created it", s.Applied)
	}
}

func TestOwns(t *testing.T) {
	s := session()
	if !s.owns(s.Reason()) || s.owns("dev session feature-xy: other") || s.owns("INC-42") {
		t.Error("owns must recognise exactly this session's reason")
	}
}

func TestUnified(t *testing.T) {
	a := object("v1", "ConfigMap", "shop", "a", nil)
	a.Object["data"] = map[string]any{"region": "local"}
	a.SetResourceVersion("12")
	b := a.DeepCopy()
	b.SetResourceVersion("13")
	if d, err := unified(a, b, "x", "y"); err != nil || d != "" {
		t.Errorf("a server-kept field alone is no change: %q, %v", d, err)
	}
	b.Object["data"] = map[string]any{"region": "test"}
	d, err := unified(a, b, "live", "after apply")
	if err != nil || !strings.Contains(d, "-  region: local") || !strings.Contains(d, "+  region: test") || !strings.HasPrefix(d, "--- live") {
		t.Errorf("diff = %q, %v", d, err)
	}
	if d, _ := unified(nil, b, "git", "file"); !strings.Contains(d, "+kind: ConfigMap") {
		t.Errorf("a new object is all additions: %q", d)
	}
}

func TestStoreRoundTrip(t *testing.T) {
	ctx := context.Background()
	dyn := dynamicfake.NewSimpleDynamicClientWithCustomListKinds(runtime.NewScheme(), map[schema.GroupVersionResource]string{configMaps: "ConfigMapList"})
	st := Store{Dyn: dyn}
	s := session()
	if err := st.Create(ctx, s); err != nil {
		t.Fatal(err)
	}
	if err := st.Create(ctx, session()); exitcode.Of(err) != exitcode.Failure || !strings.Contains(err.Error(), "already open") {
		t.Errorf("a second create = %v", err)
	}
	if err := st.Modify(ctx, s, func(f *Session) { f.Checkpoints = append(f.Checkpoints, Checkpoint{Commit: "abc", Message: "one"}) }); err != nil {
		t.Fatal(err)
	}
	all, _, err := st.List(ctx, "", "flux-system")
	if err != nil || len(all) != 1 || len(all[0].Checkpoints) != 1 || all[0].Kind != output.KindDevSession || !all[0].Overdue {
		t.Fatalf("list = %+v, %v", all, err)
	}
	if err := st.Delete(ctx, all[0]); err != nil {
		t.Fatal(err)
	}
	if _, err := st.Get(ctx, "flux-system", "feature-x"); exitcode.Of(err) != exitcode.NotFound {
		t.Errorf("after delete: %v", err)
	}
}

func TestPrintGolden(t *testing.T) {
	now := time.Date(2026, 11, 26, 19, 0, 0, 0, time.UTC)
	s := session()
	s.Overdue = true
	s.record(Applied{ObjectRef: output.ObjectRef{APIVersion: "v1", Kind: "Service", Namespace: "shop", Name: "api"}, Created: true})
	other := session()
	other.ID, other.User, other.Until, other.Branch = "cache", "bob", nil, "dev/cache"
	other.Started = now.Add(-20 * time.Minute)
	finish := newResult("finish", s, false)
	finish.Commit, finish.Pushed, finish.Closed = "fedcba9876543210fedc", true, true
	finish.PullRequest = pullRequest(s, "Add feature X")
	finish.Resumed = s.Kustomizations
	finish.Consumers = []reconcile.Outcome{{Kind: "Kustomization", Namespace: "flux-system", Name: "apps", Applied: "main@sha1:0123456789ab", Status: "Applied"}}
	finish.Deleted = []output.ObjectRef{{Kind: "Service", Namespace: "shop", Name: "api"}}
	finish.Released = []output.ObjectRef{{Kind: "ConfigMap", Namespace: "shop", Name: "platform-config"}}
	diff := newResult("diff", s, false)
	diff.Notes = []string{"Git: main at 0123456789ab"}
	diff.Diffs = []ObjectDiff{{ObjectRef: output.ObjectRef{Kind: "ConfigMap", Namespace: "shop", Name: "cfg"}, Live: true, InGit: true, Git: "--- main\n+++ file\n@@ -1 +1 @@\n-a\n+b\n"}}
	for _, tc := range []struct {
		file string
		view output.TextViewer
	}{
		{"status.golden", Sessions{s, other}},
		{"status-empty.golden", Sessions(nil)},
		{"finish.golden", finish},
		{"diff.golden", diff},
	} {
		t.Run(tc.file, func(t *testing.T) {
			var buf bytes.Buffer
			if err := tc.view.WriteText(&buf, output.TextOptions{Now: now}); err != nil {
				t.Fatal(err)
			}
			outputtest.Golden(t, filepath.Join("testdata", tc.file), buf.Bytes(), *update)
		})
	}
}

// TestKeptBranchNote: the command an abort suggests works in the clone `dev start` left
// on the session branch: git refuses to delete the branch checked out.
func TestKeptBranchNote(t *testing.T) {
	s := session()
	want := "(to delete it: 'git switch " + s.TrackedBranch + " && git branch -D " + s.Branch + "')"
	if got := keptBranchNote(s); !strings.HasSuffix(got, want) {
		t.Errorf("note %q, want it to end %q", got, want)
	}
}
