package diff

import (
	"context"
	"encoding/json"
	"os"
	"strings"
	"testing"

	kustomizev1 "github.com/fluxcd/kustomize-controller/api/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"sigs.k8s.io/yaml"

	"github.com/kubectl-gitops/kubectl-gitops/shared/render"
)

// fixture reads an object from testdata.
func fixture(t *testing.T, name string) *unstructured.Unstructured {
	t.Helper()
	b, err := os.ReadFile("testdata/" + name)
	if err != nil {
		t.Fatal(err)
	}
	u := &unstructured.Unstructured{}
	if err := yaml.Unmarshal(b, &u.Object); err != nil {
		t.Fatal(err)
	}
	return u
}

// webAt is the Deployment of the fixture as Git declares it: replicas 2, image.
func webAt(t *testing.T, image string) *unstructured.Unstructured {
	u := fixture(t, "deployment-live.yaml")
	unstructured.RemoveNestedField(u.Object, "metadata", "managedFields")
	unstructured.RemoveNestedField(u.Object, "metadata", "resourceVersion")
	unstructured.RemoveNestedField(u.Object, "metadata", "generation")
	unstructured.RemoveNestedField(u.Object, "status")
	if err := unstructured.SetNestedField(u.Object, int64(2), "spec", "replicas"); err != nil {
		t.Fatal(err)
	}
	c, _, _ := unstructured.NestedSlice(u.Object, "spec", "template", "spec", "containers")
	c[0].(map[string]any)["image"] = image
	if err := unstructured.SetNestedSlice(u.Object, c, "spec", "template", "spec", "containers"); err != nil {
		t.Fatal(err)
	}
	return u
}

func TestOwners(t *testing.T) {
	live := fixture(t, "deployment-live.yaml")
	own := decodeOwnership(live.GetManagedFields())
	if len(own) != 4 {
		t.Fatalf("decoded %d entries, want 4", len(own))
	}
	for _, tc := range []struct {
		path fieldPath
		want string
	}{
		{fieldPath{{key: "spec"}, {key: "replicas"}}, "scaler/Apply"},
		{fieldPath{{key: "spec"}, {key: "template"}, {key: "spec"}, {key: "containers"}, {index: 0, isIndex: true}, {key: "image"}}, "kubectl-edit/Update"},
		// A keyed list inside a keyed list, matched on the live elements.
		{fieldPath{{key: "spec"}, {key: "template"}, {key: "spec"}, {key: "containers"}, {index: 0, isIndex: true}, {key: "ports"}, {index: 0, isIndex: true}, {key: "containerPort"}}, "kustomize-controller/Apply"},
		// The element itself: several own part of it.
		{fieldPath{{key: "spec"}, {key: "template"}, {key: "spec"}, {key: "containers"}, {index: 0, isIndex: true}}, "kustomize-controller/Apply kubectl-edit/Update"},
		// An atomic field owned whole: what is below it is owned with it.
		{fieldPath{{key: "spec"}, {key: "selector"}, {key: "matchLabels"}, {key: "app"}}, "kustomize-controller/Apply"},
		{fieldPath{{key: "metadata"}, {key: "labels"}, {key: "app"}}, "kustomize-controller/Apply"},
		{fieldPath{{key: "status"}, {key: "replicas"}}, "kube-controller-manager/Update"},
		// Not in the live object, or owned by no one.
		{fieldPath{{key: "metadata"}, {key: "labels"}, {key: "team"}}, ""},
		{fieldPath{{key: "spec"}, {key: "template"}, {key: "spec"}, {key: "containers"}, {index: 1, isIndex: true}, {key: "image"}}, ""},
		{fieldPath{{key: "spec"}, {key: "paused"}}, ""},
	} {
		var got []string
		for _, m := range own.owners(live.Object, tc.path) {
			got = append(got, m.Manager+"/"+m.Operation)
		}
		if strings.Join(got, " ") != tc.want {
			t.Errorf("owners(%s) = %q, want %q", tc.path, strings.Join(got, " "), tc.want)
		}
	}
}

// TestMatchElementByValue: a set's element (v:"x") is found by its value, an atomic
// list's (i:1) by its index.
func TestMatchElementByValue(t *testing.T) {
	live := &unstructured.Unstructured{}
	if err := yaml.Unmarshal([]byte(`
metadata:
  finalizers: [a, b]
  managedFields:
  - manager: finalizer-writer
    operation: Update
    fieldsType: FieldsV1
    fieldsV1:
      f:metadata:
        f:finalizers:
          v:"b": {}
  - manager: args-writer
    operation: Update
    fieldsType: FieldsV1
    fieldsV1:
      f:spec:
        f:args:
          i:1: {}
spec:
  args: [x, y]
`), &live.Object); err != nil {
		t.Fatal(err)
	}
	own := decodeOwnership(live.GetManagedFields())
	for p, want := range map[string]string{"finalizers0": "", "finalizers1": "finalizer-writer", "args0": "", "args1": "args-writer"} {
		var path fieldPath
		idx := int(p[len(p)-1] - '0')
		if strings.HasPrefix(p, "finalizers") {
			path = fieldPath{{key: "metadata"}, {key: "finalizers"}, {index: idx, isIndex: true}}
		} else {
			path = fieldPath{{key: "spec"}, {key: "args"}, {index: idx, isIndex: true}}
		}
		var got []string
		for _, m := range own.owners(live.Object, path) {
			got = append(got, m.Manager)
		}
		if strings.Join(got, " ") != want {
			t.Errorf("%s: owners %v, want %q", path, got, want)
		}
	}
}

// shown is an object as ssa's Diff returns it: without managedFields.
func shown(u *unstructured.Unstructured) *unstructured.Unstructured {
	c := u.DeepCopy()
	unstructured.RemoveNestedField(c.Object, "metadata", "managedFields")
	return c
}

func TestFieldsOriginAndConflicts(t *testing.T) {
	live := fixture(t, "deployment-live.yaml")
	target := webAt(t, "web:v1")
	merged := target.DeepCopy()
	merged.SetResourceVersion("42")
	merged.SetGeneration(4)
	describe := func(fs []Field) string {
		var out []string
		for _, f := range fs {
			s := f.Path + "=" + string(f.Origin)
			for _, m := range f.Managers {
				s += " by " + m.Manager + "@" + m.Time.UTC().Format("15:04:05")
			}
			out = append(out, s)
		}
		return strings.Join(out, "; ")
	}
	const (
		image    = ".spec.template.spec.containers[0].image"
		replicas = ".spec.replicas"
	)
	for _, tc := range []struct {
		name    string
		a       fieldAnalysis
		want    string
		noLive  bool
		nothing bool
	}{
		{"applied is the target: all drift", fieldAnalysis{desired: target, target: target, applied: target, hasBase: true, owner: ControllerName},
			replicas + "=drift by scaler@20:30:00; " + image + "=drift by kubectl-edit@20:31:05", false, false},
		{"Git changed the image since: pending, no managers", fieldAnalysis{desired: target, target: target, applied: webAt(t, "web:v0"), hasBase: true, owner: ControllerName},
			replicas + "=drift by scaler@20:30:00; " + image + "=pending", false, false},
		{"new in Git since: pending", fieldAnalysis{desired: target, target: target, hasBase: true, owner: ControllerName},
			replicas + "=pending; " + image + "=pending", false, false},
		{"no baseline (--dir): unknown, managers named", fieldAnalysis{desired: target, target: target, owner: ControllerName},
			replicas + "= by scaler@20:30:00; " + image + "= by kubectl-edit@20:31:05", false, false},
		{"live unreadable: no managers, no conflicts", fieldAnalysis{desired: target, target: target, owner: ControllerName},
			replicas + "=; " + image + "=", true, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			a := tc.a
			if !tc.noLive {
				a.live = live
			}
			fields, conflicts := a.fields(shown(live), merged)
			if got := describe(fields); got != tc.want {
				t.Errorf("fields:\n got %s\nwant %s", got, tc.want)
			}
			var cs []string
			for _, c := range conflicts {
				cs = append(cs, c.Path+" "+c.IgnorePath+" "+c.Managers[0].Manager)
			}
			want := replicas + " /spec/replicas scaler; " + image + " /spec/template/spec/containers/0/image kubectl-edit"
			if tc.nothing {
				want = ""
			}
			if strings.Join(cs, "; ") != want {
				t.Errorf("conflicts:\n got %s\nwant %s", strings.Join(cs, "; "), want)
			}
		})
	}

	t.Run("a field under spec.ignore (stripped by ssa) is no conflict", func(t *testing.T) {
		l, m := shown(live), merged.DeepCopy()
		unstructured.RemoveNestedField(l.Object, "spec", "replicas")
		unstructured.RemoveNestedField(m.Object, "spec", "replicas")
		_, conflicts := fieldAnalysis{live: live, desired: target, target: target, applied: target, hasBase: true, owner: ControllerName}.fields(l, m)
		if len(conflicts) != 1 || conflicts[0].Path != image {
			t.Errorf("conflicts %+v, want the image only", conflicts)
		}
	})
	t.Run("a field the desired object does not set is no conflict", func(t *testing.T) {
		desired := target.DeepCopy()
		unstructured.RemoveNestedField(desired.Object, "spec", "replicas")
		_, conflicts := fieldAnalysis{live: live, desired: desired, target: desired, applied: desired, hasBase: true, owner: ControllerName}.fields(shown(live), merged)
		if len(conflicts) != 1 || conflicts[0].Path != image {
			t.Errorf("conflicts %+v, want the image only", conflicts)
		}
	})
	t.Run("the controller's own fields are no conflict", func(t *testing.T) {
		m := merged.DeepCopy()
		labels := m.GetLabels()
		labels["app"] = "shop"
		m.SetLabels(labels)
		d := target.DeepCopy()
		d.SetLabels(labels)
		fields, conflicts := fieldAnalysis{live: live, desired: d, target: d, applied: target, hasBase: true, owner: ControllerName}.fields(shown(live), m)
		for _, c := range conflicts {
			if c.Path == ".metadata.labels.app" {
				t.Errorf("a label only kustomize-controller owns is a conflict: %+v", c)
			}
		}
		if describe(fields[:1]) != ".metadata.labels.app=pending" {
			t.Errorf("fields %s", describe(fields))
		}
	})
}

// TestSecretFieldsNameNoValue: a Secret's changed keys are named by path, their values
// (live, in Git, in managedFields' keys) never appear in the fields or conflicts.
func TestSecretFieldsNameNoValue(t *testing.T) {
	const old, updated = "b2xkLXBhc3N3b3Jk", "bmV3LXBhc3N3b3Jk"
	live := &unstructured.Unstructured{}
	if err := yaml.Unmarshal([]byte(`
apiVersion: v1
kind: Secret
metadata:
  name: creds
  namespace: shop
  managedFields:
  - manager: kubectl-patch
    operation: Update
    time: "2026-12-04T20:31:05Z"
    fieldsType: FieldsV1
    fieldsV1:
      f:data:
        f:password: {}
data:
  password: `+old+`
`), &live.Object); err != nil {
		t.Fatal(err)
	}
	desired := live.DeepCopy()
	unstructured.RemoveNestedField(desired.Object, "metadata", "managedFields")
	desired.Object["data"] = map[string]any{"password": updated}
	// As ssa's Diff returns them: values masked.
	l, m := shown(live), desired.DeepCopy()
	l.Object["data"] = map[string]any{"password": "*** (before)"}
	m.Object["data"] = map[string]any{"password": "*** (after)"}
	fields, conflicts := fieldAnalysis{live: live, desired: desired, target: desired, applied: desired, hasBase: true, owner: ControllerName}.fields(l, m)
	b, err := json.Marshal(Object{Fields: fields, Conflicts: conflicts})
	if err != nil {
		t.Fatal(err)
	}
	if len(fields) != 1 || fields[0].Path != ".data.password" || fields[0].Origin != Drift || len(conflicts) != 1 {
		t.Errorf("fields %+v conflicts %+v", fields, conflicts)
	}
	if strings.Contains(string(b), old) || strings.Contains(string(b), updated) || strings.Contains(string(b), "password\":\"") {
		t.Errorf("a value is shown: %s", b)
	}
}

func TestSameCommit(t *testing.T) {
	const sha = "3f2a9c1e0b7d4a5f6e8c9b0a1d2e3f4a5b6c7d8e"
	for _, tc := range []struct {
		a, b string
		want bool
	}{
		{"main@sha1:" + sha, "main@sha1:" + sha, true},
		{sha, "main@sha1:" + sha, true},
		{"3f2a9c1", "main@sha1:" + sha, true},
		{"main@sha1:0000000e0b7d4a5f6e8c9b0a1d2e3f4a5b6c7d8e", "main@sha1:" + sha, false},
		{"", "main@sha1:" + sha, false},
		{"main@sha1:" + sha, "", false},
	} {
		if got := sameCommit(tc.a, tc.b); got != tc.want {
			t.Errorf("sameCommit(%q, %q) = %v, want %v", tc.a, tc.b, got, tc.want)
		}
	}
}

func TestMaskPaths(t *testing.T) {
	fields := []Field{{Path: `.data["hidden-key"]`}, {Path: ".data.plain"}}
	conflicts := []Conflict{{Path: `.data["hidden-key"]`, IgnorePath: "/data/hidden-key"}}
	maskPaths(fields, conflicts, []string{"hidden"})
	if fields[0].Path != `.data["***-key"]` || fields[1].Path != ".data.plain" || conflicts[0].Path != `.data["***-key"]` || conflicts[0].IgnorePath != "/data/***-key" {
		t.Errorf("fields %+v conflicts %+v", fields, conflicts)
	}
}

// TestBaselineFor: the revision applied last is the render compared when it is the
// same commit, unknown with --dir or when nothing was applied; rendered on first use
// only, and its note shown only then.
func TestBaselineFor(t *testing.T) {
	const sha = "3f2a9c1e0b7d4a5f6e8c9b0a1d2e3f4a5b6c7d8e"
	ctx := context.Background()
	k := &kustomizev1.Kustomization{}
	k.Name, k.Namespace = "apps", "flux-system"
	k.Status.LastAppliedRevision = "main@sha1:" + sha
	cm := &unstructured.Unstructured{Object: map[string]any{"apiVersion": "v1", "kind": "ConfigMap", "metadata": map[string]any{"name": "a", "namespace": "shop"}, "data": map[string]any{"k": "v"}}}
	rendered := &render.Result{Objects: []*unstructured.Unstructured{cm}}
	key := render.Key("ConfigMap", "shop", "a")

	for _, tc := range []struct {
		name, rev, from string
		opts            Options
		applied         string
		known           bool
		note            string
	}{
		{"--revision applied", "main@sha1:" + sha, "applied", Options{GitDir: "/nonexistent"}, "main@sha1:" + sha, true, ""},
		{"the source holds the revision applied", "main@sha1:" + sha, "source", Options{GitDir: "/nonexistent"}, "main@sha1:" + sha, true, ""},
		{"--dir", "main@sha1:" + sha, "dir", Options{Dir: "."}, "main@sha1:" + sha, false, "with --dir, whether a changed field drifted or Git changed it is unknown"},
		{"nothing applied yet", "main@sha1:" + sha, "source", Options{GitDir: "/nonexistent"}, "", false, "the Kustomization applied nothing yet"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			k := k.DeepCopy()
			k.Status.LastAppliedRevision = tc.applied
			b := baselineFor(ctx, k, tc.opts, tc.rev, tc.from, rendered, render.Request{})
			if n := b.Note(); n != "" {
				t.Errorf("a note before the baseline is needed: %s", n)
			}
			objects, known := b.get()
			if known != tc.known || !strings.HasPrefix(b.Note(), tc.note) || (tc.note == "") != (b.Note() == "") {
				t.Fatalf("known %v note %q, want %v %q", known, b.Note(), tc.known, tc.note)
			}
			if known {
				o := objects[key]
				if o == nil || o.GetLabels()["kustomize.toolkit.fluxcd.io/name"] != "apps" {
					t.Errorf("baseline object %v: want the rendered one with the owner labels", o)
				}
				if _, ok := cm.GetLabels()["kustomize.toolkit.fluxcd.io/name"]; ok {
					t.Error("the render was changed in place")
				}
			}
		})
	}
	var nilBase *Baseline
	if _, known := nilBase.get(); known || nilBase.Note() != "" {
		t.Error("a nil baseline is known")
	}
}
