package diff

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"strings"
	"testing"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/client-go/dynamic"
	dynamicfake "k8s.io/client-go/dynamic/fake"

	"github.com/kubectl-gitops/kubectl-gitops/shared/flux"
	"github.com/kubectl-gitops/kubectl-gitops/shared/output"
)

const (
	next     = "1111111111111111111111111111111111111111"
	appliedA = "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
	appliedB = "bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb"
)

// counting is a Fetch that records each call and fails, as a remote that cannot be
// reached does: the comparisons stop there, which is all a count of fetches needs.
type counting struct{ calls [][]string }

func (f *counting) fetch(_ context.Context, url, branch string, commits ...string) (string, func(), error) {
	f.calls = append(f.calls, append([]string{url, branch}, commits...))
	return "", func() {}, errors.New("unreachable")
}

// consumerFleet is GitRepository flux-system/fleet read by one Kustomization per entry
// of applied (its last applied commit; a "suspended:" prefix suspends it).
func consumerFleet(applied ...string) dynamic.Interface {
	lists := map[schema.GroupVersionResource]string{}
	for _, kind := range []string{flux.KindKustomization, flux.KindGitRepository, flux.KindHelmChart, flux.KindHelmRelease} {
		gvr, _ := flux.GVR(kind)
		lists[gvr] = kind + "List"
	}
	objs := []runtime.Object{&unstructured.Unstructured{Object: map[string]any{
		"apiVersion": "source.toolkit.fluxcd.io/v1", "kind": "GitRepository",
		"metadata": map[string]any{"namespace": "flux-system", "name": "fleet"},
		"spec":     map[string]any{"url": "https://git.example/fleet.git", "ref": map[string]any{"branch": "main"}},
		"status":   map[string]any{"artifact": map[string]any{"revision": "main@sha1:" + next}},
	}}}
	for i, a := range applied {
		commit, suspended := strings.CutPrefix(a, "suspended:")
		objs = append(objs, &unstructured.Unstructured{Object: map[string]any{
			"apiVersion": "kustomize.toolkit.fluxcd.io/v1", "kind": "Kustomization",
			"metadata": map[string]any{"namespace": "flux-system", "name": fmt.Sprintf("k%d", i)},
			"spec": map[string]any{"path": "./k", "interval": "1m", "prune": true, "suspend": suspended,
				"sourceRef": map[string]any{"kind": "GitRepository", "name": "fleet"}},
			"status": map[string]any{"lastAppliedRevision": "main@sha1:" + commit},
		}})
	}
	return dynamicfake.NewSimpleDynamicClientWithCustomListKinds(runtime.NewScheme(), lists, objs...)
}

// TestPreviewFetchesOncePerSource: however many Kustomizations read the source, a
// preview fetches its commit once, with every commit they applied last, and each
// Kustomization's preview says the fetch failed.
func TestPreviewFetchesOncePerSource(t *testing.T) {
	for _, tt := range []struct {
		name    string
		applied []string
		// want is the one fetch's commits; nil: no fetch.
		want     []string
		previews int
	}{
		{"three on one source", []string{appliedA, appliedA, appliedA}, []string{next, appliedA}, 3},
		{"applied different commits", []string{appliedA, appliedB, appliedA}, []string{next, appliedA, appliedB}, 3},
		{"one at the commit already", []string{next, appliedA}, []string{next, appliedA}, 2},
		{"suspended ones apply nothing", []string{"suspended:" + appliedA, appliedB}, []string{next, appliedB}, 1},
		{"all suspended: nothing fetched", []string{"suspended:" + appliedA}, nil, 0},
	} {
		t.Run(tt.name, func(t *testing.T) {
			f := &counting{}
			got := PreviewConsumers(context.Background(), consumerFleet(tt.applied...), nil, "flux-system", "fleet", Options{Revision: next, Fetch: f.fetch})
			if len(got) != tt.previews {
				t.Fatalf("%d previews, want %d: %+v", len(got), tt.previews, got)
			}
			for _, p := range got {
				if !strings.Contains(p.Error, "cannot fetch commit 1111111") {
					t.Errorf("%s: error %q, want the fetch's", p.Kustomization, p.Error)
				}
			}
			switch {
			case tt.want == nil && len(f.calls) != 0:
				t.Errorf("fetched %v, want nothing", f.calls)
			case tt.want != nil && (len(f.calls) != 1 || !reflect.DeepEqual(f.calls[0][2:], tt.want)):
				t.Errorf("fetches %v, want one of %v", f.calls, tt.want)
			}
		})
	}
}

// TestResumePreviewsShareFetches: a resume previews its Kustomizations one call at a
// time; with one Trees they fetch each source's commit once.
func TestResumePreviewsShareFetches(t *testing.T) {
	f := &counting{}
	trees := NewTrees(f.fetch)
	defer trees.Close()
	preview := KustomizationPreviewer(consumerFleet(appliedA, appliedA, appliedA), nil, nil, Options{Fetch: trees.Fetch})
	// No cluster config: the dry-run client cannot be made, so this checks the hook's
	// fallback; the fetch count is checked through PreviewOf below.
	if p := preview(context.Background(), "flux-system", "k0"); p.Error == "" {
		t.Errorf("a previewer without a cluster previewed: %+v", p)
	}
	dyn := consumerFleet(appliedA, appliedA, appliedA)
	for _, name := range []string{"k0", "k1", "k2"} {
		if p := PreviewOf(context.Background(), dyn, nil, "flux-system", name, Options{Fetch: trees.Fetch}); !strings.Contains(p.Error, "cannot fetch") {
			t.Errorf("%s: %+v", name, p)
		}
	}
	if len(f.calls) != 1 {
		t.Errorf("%d fetches for three Kustomizations on one source and commit, want 1: %v", len(f.calls), f.calls)
	}
}

// TestTrees: one fetch per repository and commit, its answer (a failure too) shared;
// Close removes each repository once.
func TestTrees(t *testing.T) {
	fetches, removed := 0, 0
	fetch := func(_ context.Context, url, _ string, commits ...string) (string, func(), error) {
		fetches++
		if strings.Contains(url, "down") {
			return "", func() { removed++ }, errors.New("unreachable")
		}
		return url + "@" + commits[0], func() { removed++ }, nil
	}
	trees := NewTrees(fetch)
	for _, tt := range []struct {
		url, commit string
		wantDir     string
		wantErr     bool
		fetches     int
	}{
		{"a", next, "a@" + next, false, 1},
		{"a", next, "a@" + next, false, 1},
		{"a", appliedA, "a@" + appliedA, false, 2},
		{"b", next, "b@" + next, false, 3},
		{"down", next, "", true, 4},
		{"down", next, "", true, 4},
	} {
		dir, cleanup, err := trees.Fetch(context.Background(), tt.url, "main", tt.commit, appliedB)
		cleanup() // a no-op: the cache owns the repository
		if dir != tt.wantDir || (err != nil) != tt.wantErr || fetches != tt.fetches {
			t.Errorf("Fetch(%s, %s) = %q, %v after %d fetches; want %q, error %v, %d fetches", tt.url, tt.commit, dir, err, fetches, tt.wantDir, tt.wantErr, tt.fetches)
		}
	}
	if removed != 0 {
		t.Errorf("%d repositories removed before Close", removed)
	}
	trees.Close()
	trees.Close()
	if removed != 4 {
		t.Errorf("Close removed %d repositories, want 4", removed)
	}
}

func TestWithApplied(t *testing.T) {
	for _, tt := range []struct {
		applied []string
		want    []string
	}{
		{nil, []string{next}},
		{[]string{"main@sha1:" + next}, []string{next}},
		{[]string{"main@sha1:" + appliedA, "main@sha1:" + appliedA, "", "v1.0.0"}, []string{next, appliedA}},
		{[]string{"main@sha1:" + appliedA, "main@sha1:" + appliedB}, []string{next, appliedA, appliedB}},
	} {
		if got := withApplied(next, tt.applied...); !reflect.DeepEqual(got, tt.want) {
			t.Errorf("withApplied(%v) = %v, want %v", tt.applied, got, tt.want)
		}
	}
}

// TestPreviewOfNamesObjects: a preview names each object the apply makes a difference
// to, with its fields' paths, and counts the drifted ones; unchanged objects are counted
// only.
func TestPreviewOfNamesObjects(t *testing.T) {
	cm := output.ObjectRef{Kind: "ConfigMap", Namespace: "shop", Name: "config"}
	for _, tt := range []struct {
		name    string
		objects []Object
		want    []PreviewObject
		drift   int
	}{
		{"nothing changes", []Object{{ObjectRef: cm, Action: Unchanged}}, nil, 0},
		{"a field Git changed and one drifted", []Object{{ObjectRef: cm, Action: Changed, Fields: []Field{{Path: ".data.region", Origin: Pending}, {Path: ".data.zone", Origin: Drift}}}},
			[]PreviewObject{{ObjectRef: cm, Action: Changed, Fields: []string{".data.region", ".data.zone"}}}, 1},
		{"pruned and skipped", []Object{{ObjectRef: cm, Action: Pruned}, {ObjectRef: output.ObjectRef{Kind: "Secret", Name: "s"}, Action: Skipped}},
			[]PreviewObject{{ObjectRef: cm, Action: Pruned}}, 0},
	} {
		t.Run(tt.name, func(t *testing.T) {
			p := previewOf(&Kustomization{Revision: "main@sha1:" + next, Objects: tt.objects})
			if !reflect.DeepEqual(p.Objects, tt.want) || p.DriftOverwritten != tt.drift {
				t.Errorf("objects %+v, drift %d; want %+v, %d", p.Objects, p.DriftOverwritten, tt.want, tt.drift)
			}
		})
	}
}

// TestTreesServeSupersets: a repository fetched with a set of commits serves any caller
// asking for some of them; one asking for a commit it lacks gets its own fetch, never a
// repository without the commit it applied last.
func TestTreesServeSupersets(t *testing.T) {
	const url = "https://git.example/fleet.git"
	f := &counting{}
	trees := NewTrees(f.fetch)
	defer trees.Close()
	for _, commits := range [][]string{{next, appliedA, appliedB}, {next, appliedA}, {next}, {next, "cccccccccccccccccccccccccccccccccccccccc"}, {appliedA}} {
		_, _, _ = trees.Fetch(context.Background(), url, "main", commits...)
	}
	want := [][]string{{url, "main", next, appliedA, appliedB}, {url, "main", next, "cccccccccccccccccccccccccccccccccccccccc"}, {url, "main", appliedA}}
	if !reflect.DeepEqual(f.calls, want) {
		t.Errorf("fetches %v, want %v", f.calls, want)
	}
}
