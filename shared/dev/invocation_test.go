package dev

import (
	"context"
	"strings"
	"testing"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
	dynamicfake "k8s.io/client-go/dynamic/fake"

	"github.com/kubectl-gitops/kubectl-gitops/shared/flux"
	"github.com/kubectl-gitops/kubectl-gitops/shared/git/gittest"
	"github.com/kubectl-gitops/kubectl-gitops/shared/invocation"
	"github.com/kubectl-gitops/kubectl-gitops/shared/status"
)

// fleet is a cluster whose Kustomization apps reads GitRepository flux-system (url,
// branch main, annotations as given), with room for dev sessions' ConfigMaps.
func fleet(url string, annotations map[string]any) *dynamicfake.FakeDynamicClient {
	lists := map[schema.GroupVersionResource]string{configMaps: "ConfigMapList"}
	for _, kind := range []string{flux.KindKustomization, flux.KindGitRepository} {
		gvr, _ := flux.GVR(kind)
		lists[gvr] = kind + "List"
	}
	repoMeta := map[string]any{"namespace": "flux-system", "name": "flux-system"}
	if annotations != nil {
		repoMeta["annotations"] = annotations
	}
	repo := &unstructured.Unstructured{Object: map[string]any{
		"apiVersion": "source.toolkit.fluxcd.io/v1", "kind": "GitRepository", "metadata": repoMeta,
		"spec": map[string]any{"url": url, "interval": "1m", "ref": map[string]any{"branch": "main"}},
	}}
	ks := &unstructured.Unstructured{Object: map[string]any{
		"apiVersion": "kustomize.toolkit.fluxcd.io/v1", "kind": "Kustomization",
		"metadata": map[string]any{"namespace": "flux-system", "name": "apps"},
		"spec":     map[string]any{"path": "./apps", "interval": "1m", "prune": true, "sourceRef": map[string]any{"kind": "GitRepository", "name": "flux-system"}},
	}}
	return dynamicfake.NewSimpleDynamicClientWithCustomListKinds(runtime.NewScheme(), lists, repo, ks)
}

// TestNextStepsAsInvoked: the next steps of a session, and the hints of the errors that
// point at another dev command, name it as the user runs the suite.
func TestNextStepsAsInvoked(t *testing.T) {
	for _, tt := range []struct{ invoked, dev, branch, suite string }{
		{"kubectl gitops", "kubectl gitops dev", "kubectl gitops branch", "kubectl gitops"},
		{"flux gitops", "flux gitops dev", "flux gitops branch", "flux gitops"},
		{"kubectl gitops dev", "kubectl gitops dev", "kubectl gitops branch", "kubectl gitops"},
		{"kubectl gitops-dev", "kubectl gitops-dev", "kubectl gitops-branch", "kubectl gitops"},
	} {
		t.Run(tt.invoked, func(t *testing.T) {
			ctx := invocation.NewContext(context.Background(), invocation.Parse(tt.invoked))
			gittest.Isolate(t)
			remote, clone := gittest.Bare(t), gittest.New(t)
			clone.Commit("apps", map[string]string{"apps/cm.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: app\n"})
			clone.Git("remote", "add", "origin", remote.Dir)
			clone.Git("push", "--quiet", "origin", "main")
			dyn := fleet(remote.Dir, nil)

			res, err := Start(ctx, dyn, StartRequest{Description: "feature X", GitDir: clone.Dir, Namespace: "flux-system", Kustomizations: []string{"apps"}})
			if err != nil {
				t.Fatal(err)
			}
			for _, step := range []string{"'" + tt.dev + " test FILE'", "'" + tt.dev + " checkpoint MSG'", "'" + tt.dev + " finish MSG'"} {
				if !strings.Contains(res.Next, step) {
					t.Errorf("next %q lacks %s", res.Next, step)
				}
			}
			if _, err := Find(ctx, dyn, "nope", nil, "", "flux-system"); err == nil || !strings.HasSuffix(err.Error(), "list them with '"+tt.dev+" status'") {
				t.Errorf("find of an unknown session: %v", err)
			}
			if _, err := (Store{Dyn: dyn}).Get(ctx, "flux-system", "nope"); err == nil || !strings.HasSuffix(err.Error(), "list the open ones with '"+tt.dev+" status'") {
				t.Errorf("get of an unknown session: %v", err)
			}
			if err := (HandBack{Session: &Session{ID: "feature-x"}}).left(ctx, context.Canceled); err == nil || !strings.HasSuffix(err.Error(), "(the session is still open: '"+tt.dev+" abort --session feature-x' finishes handing back)") {
				t.Errorf("a hand back left half way: %v", err)
			}

			// A switched source: the refusal names the switch's undo, canonical in the record.
			switched := map[string]any{status.SwitchAnnotation: `{"action":"set","refBefore":{"branch":"main"},"at":"2026-01-01T00:00:00Z"}`}
			_, err = Start(ctx, fleet(remote.Dir, switched), StartRequest{Description: "feature Y", GitDir: clone.Dir, Namespace: "flux-system", Kustomizations: []string{"apps"}})
			if want := "is switched or pinned by " + tt.suite + " and does not apply its own branch: put it back first ('" + tt.branch + " restore flux-system -n flux-system')"; err == nil || !strings.Contains(err.Error(), want) {
				t.Errorf("start on a switched source: %v; want %q", err, want)
			}
		})
	}
}
