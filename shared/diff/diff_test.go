package diff

import (
	"testing"

	kustomizev1 "github.com/fluxcd/kustomize-controller/api/v1"
	"github.com/fluxcd/pkg/apis/kustomize"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
)

func TestIsDifference(t *testing.T) {
	for a, want := range map[Action]bool{Created: true, Changed: true, Pruned: true, Failed: true, Recreated: true, Unchanged: false, Skipped: false} {
		if got := a.IsDifference(); got != want {
			t.Errorf("%s.IsDifference() = %v, want %v", a, got, want)
		}
	}
}

func TestDiffers(t *testing.T) {
	same := Kustomization{Objects: []Object{{Action: Unchanged}, {Action: Skipped}}}
	other := Kustomization{Objects: []Object{{Action: Unchanged}, {Action: Pruned}}}
	d := New()
	if d.Differs() {
		t.Error("an empty document differs")
	}
	d.Kustomizations = append(d.Kustomizations, same)
	if d.Differs() {
		t.Error("unchanged and skipped objects are no difference")
	}
	d.Kustomizations = append(d.Kustomizations, other)
	if !d.Differs() {
		t.Error("a pruned object is a difference")
	}
}

func TestValidRevision(t *testing.T) {
	for r, want := range map[string]bool{"": true, "applied": true, "3f2a9c1": true, "3f2a9c1e0b7d4a5f6e8c9b0a1d2e3f4a5b6c7d8e": true,
		"3f2a9c": false, "HEAD": false, "main": false, "3F2A9C1": false, "Applied": false, "main@sha1:3f2a9c1": false} {
		if got := ValidRevision(r); got != want {
			t.Errorf("ValidRevision(%q) = %v, want %v", r, got, want)
		}
	}
}

// TestDiffOptions holds the options to kustomize-controller's: its selectors, spec.force
// and spec.ignore turned into drift ignore rules with their targets.
func TestDiffOptions(t *testing.T) {
	k := &kustomizev1.Kustomization{Spec: kustomizev1.KustomizationSpec{Force: true, Ignore: []kustomizev1.IgnoreRule{
		{Paths: []string{"/spec/replicas"}, Target: &kustomize.Selector{Kind: "Deployment", Name: "api", LabelSelector: "app=api"}},
		{Paths: []string{"/data/x"}},
	}}}
	o := DiffOptions(k)
	if !o.Force || o.Exclusions["kustomize.toolkit.fluxcd.io/reconcile"] != "disabled" || o.Exclusions["kustomize.toolkit.fluxcd.io/ssa"] != "Ignore" ||
		o.IfNotPresentSelector["kustomize.toolkit.fluxcd.io/ssa"] != "IfNotPresent" || o.ForceSelector["kustomize.toolkit.fluxcd.io/force"] != "enabled" {
		t.Errorf("options %+v", o)
	}
	if len(o.DriftIgnoreRules) != 2 {
		t.Fatalf("rules %+v", o.DriftIgnoreRules)
	}
	r := o.DriftIgnoreRules[0]
	if r.Paths[0] != "/spec/replicas" || r.Selector == nil || r.Selector.Kind != "Deployment" || r.Selector.Name != "api" || r.Selector.LabelSelector != "app=api" {
		t.Errorf("rule with a target: %+v %+v", r, r.Selector)
	}
	if r := o.DriftIgnoreRules[1]; r.Selector != nil || r.Paths[0] != "/data/x" {
		t.Errorf("rule without a target: %+v", r)
	}
	if DiffOptions(&kustomizev1.Kustomization{}).Force {
		t.Error("force without spec.force")
	}
}

func TestSkipReason(t *testing.T) {
	o := DiffOptions(&kustomizev1.Kustomization{})
	obj := func(labels, annotations map[string]string) *unstructured.Unstructured {
		u := &unstructured.Unstructured{Object: map[string]any{}}
		u.SetLabels(labels)
		u.SetAnnotations(annotations)
		return u
	}
	for _, tc := range []struct {
		name string
		u    *unstructured.Unstructured
		want string
	}{
		{"reconcile disabled label", obj(map[string]string{"kustomize.toolkit.fluxcd.io/reconcile": "disabled"}, nil), "kustomize.toolkit.fluxcd.io/reconcile: disabled in the manifest"},
		{"ssa Ignore annotation, any case", obj(nil, map[string]string{"kustomize.toolkit.fluxcd.io/ssa": "ignore"}), "kustomize.toolkit.fluxcd.io/ssa: ignore in the manifest"},
		{"IfNotPresent", obj(nil, map[string]string{"kustomize.toolkit.fluxcd.io/ssa": "IfNotPresent"}), "kustomize.toolkit.fluxcd.io/ssa: IfNotPresent and the object exists"},
		{"the live object's", obj(nil, nil), "the live object is labelled or annotated kustomize.toolkit.fluxcd.io/reconcile: disabled or kustomize.toolkit.fluxcd.io/ssa: Ignore"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := skipReason(tc.u, o, kustomizeController); got != tc.want {
				t.Errorf("skipReason = %q, want %q", got, tc.want)
			}
		})
	}
}
