package render

import (
	"context"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"

	kustomizev1 "github.com/fluxcd/kustomize-controller/api/v1"
	kustomize "github.com/fluxcd/pkg/apis/kustomize"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"sigs.k8s.io/controller-runtime/pkg/client/fake"
)

func write(t *testing.T, root string, files map[string]string) {
	t.Helper()
	for name, data := range files {
		p := filepath.Join(root, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(data), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

const cm = `apiVersion: v1
kind: ConfigMap
metadata:
  name: %s
data:
  greeting: "${GREETING:=hello}"
  token: "${TOKEN:=none}"
`

func ks(mut func(*kustomizev1.Kustomization)) *kustomizev1.Kustomization {
	k := &kustomizev1.Kustomization{
		TypeMeta:   metav1.TypeMeta{APIVersion: kustomizev1.GroupVersion.String(), Kind: kustomizev1.KustomizationKind},
		ObjectMeta: metav1.ObjectMeta{Name: "apps", Namespace: "flux-system"},
		Spec:       kustomizev1.KustomizationSpec{Path: "./apps", Prune: true},
	}
	if mut != nil {
		mut(k)
	}
	return k
}

func byName(objs []*unstructured.Unstructured) map[string]*unstructured.Unstructured {
	out := map[string]*unstructured.Unstructured{}
	for _, o := range objs {
		out[o.GetKind()+"/"+o.GetName()] = o
	}
	return out
}

func TestBuild(t *testing.T) {
	tree := t.TempDir()
	write(t, tree, map[string]string{
		"apps/a.yaml":                 strings.ReplaceAll(cm, "%s", "a"),
		"apps/b.yaml":                 strings.ReplaceAll(cm, "%s", "b"),
		"apps/ignored/c.yaml":         strings.ReplaceAll(cm, "%s", "c"),
		"apps/.sourceignore":          "ignored/\n",
		"apps/deploy.yaml":            "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\nspec:\n  selector: {matchLabels: {app: web}}\n  template:\n    metadata: {labels: {app: web}}\n    spec:\n      containers: [{name: web, image: nginx:1.0}]\n",
		"apps/skip.yaml":              strings.ReplaceAll(cm, "%s", "skip"),
		"overlay/kustomization.yaml":  "resources: [../apps/a.yaml]\nnamePrefix: p-\n",
		"overlay/kustomization.yml.x": "not read",
	})
	secret := &corev1.Secret{ObjectMeta: metav1.ObjectMeta{Name: "vars", Namespace: "flux-system"}, Data: map[string][]byte{"TOKEN": []byte("s3cr3t-value")}}
	config := &corev1.ConfigMap{ObjectMeta: metav1.ObjectMeta{Name: "plain", Namespace: "flux-system"}, Data: map[string]string{"GREETING": "hi"}}
	c := fake.NewClientBuilder().WithObjects(secret, config).Build()

	tests := []struct {
		name   string
		k      *kustomizev1.Kustomization
		ignore string
		check  func(t *testing.T, r *Result)
		err    string
	}{
		{name: "generated kustomization, .sourceignore and spec.ignore honoured", k: ks(nil), ignore: "apps/skip.yaml",
			check: func(t *testing.T, r *Result) {
				m := byName(r.Objects)
				if len(r.Objects) != 3 || m["ConfigMap/a"] == nil || m["ConfigMap/c"] != nil || m["ConfigMap/skip"] != nil {
					t.Errorf("objects = %v, want a, b, web", keys(m))
				}
				if v, _, _ := unstructured.NestedString(m["ConfigMap/a"].Object, "data", "greeting"); v != "${GREETING:=hello}" {
					t.Errorf("without postBuild nothing is substituted, got %q", v)
				}
			}},
		{name: "targetNamespace, namePrefix, images, patches", k: ks(func(k *kustomizev1.Kustomization) {
			k.Spec.TargetNamespace = "shop"
			k.Spec.NamePrefix = "x-"
			k.Spec.Images = []kustomize.Image{{Name: "nginx", NewTag: "2.0"}}
			k.Spec.Patches = []kustomize.Patch{{Patch: `[{"op":"add","path":"/data/patched","value":"yes"}]`, Target: &kustomize.Selector{Kind: "ConfigMap", Name: "a"}}}
		}), check: func(t *testing.T, r *Result) {
			m := byName(r.Objects)
			a, web := m["ConfigMap/x-a"], m["Deployment/x-web"]
			if a == nil || web == nil {
				t.Fatalf("objects = %v, want the x- prefix", keys(m))
			}
			if a.GetNamespace() != "shop" {
				t.Errorf("namespace = %q, want shop", a.GetNamespace())
			}
			if v, _, _ := unstructured.NestedString(a.Object, "data", "patched"); v != "yes" {
				t.Errorf("patch not applied: %v", a.Object["data"])
			}
			cs, _, _ := unstructured.NestedSlice(web.Object, "spec", "template", "spec", "containers")
			if img := cs[0].(map[string]any)["image"]; img != "nginx:2.0" {
				t.Errorf("image = %v, want nginx:2.0", img)
			}
		}},
		{name: "existing kustomization.yaml", k: ks(func(k *kustomizev1.Kustomization) { k.Spec.Path = "overlay" }), check: func(t *testing.T, r *Result) {
			if m := byName(r.Objects); len(m) != 1 || m["ConfigMap/p-a"] == nil {
				t.Errorf("objects = %v, want p-a only", keys(m))
			}
		}},
		{name: "postBuild from the live ConfigMap and Secret, inline wins", k: ks(func(k *kustomizev1.Kustomization) {
			k.Spec.PostBuild = &kustomizev1.PostBuild{
				Substitute: map[string]string{"GREETING": "inline"},
				SubstituteFrom: []kustomizev1.SubstituteReference{
					{Kind: "ConfigMap", Name: "plain"}, {Kind: "Secret", Name: "vars"}, {Kind: "Secret", Name: "gone", Optional: true},
				},
			}
		}), check: func(t *testing.T, r *Result) {
			a := byName(r.Objects)["ConfigMap/a"]
			g, _, _ := unstructured.NestedString(a.Object, "data", "greeting")
			tok, _, _ := unstructured.NestedString(a.Object, "data", "token")
			if g != "inline" || tok != "s3cr3t-value" {
				t.Errorf("data = %v, want the inline greeting and the Secret's token", a.Object["data"])
			}
			if !r.Sensitive["ConfigMap//a"] || r.Sensitive["Deployment//web"] {
				t.Errorf("sensitive = %v, want the ConfigMaps only", r.Sensitive)
			}
			if len(r.SecretValues) == 0 || r.SecretValues[0] != "s3cr3t-value" {
				t.Errorf("secret values not collected for masking")
			}
		}},
		{name: "a missing substituteFrom fails as the controller does", k: ks(func(k *kustomizev1.Kustomization) {
			k.Spec.PostBuild = &kustomizev1.PostBuild{SubstituteFrom: []kustomizev1.SubstituteReference{{Kind: "ConfigMap", Name: "nope"}}}
		}), err: "substitute from 'ConfigMap/nope' error"},
		{name: "a path outside the tree stays inside", k: ks(func(k *kustomizev1.Kustomization) { k.Spec.Path = "../../../etc" }), err: "kustomization path not found"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r, err := Build(context.Background(), Request{Kustomization: tt.k, Tree: tree, Ignore: tt.ignore, Client: c})
			if tt.err != "" {
				if err == nil || !strings.Contains(err.Error(), tt.err) {
					t.Fatalf("err = %v, want %q", err, tt.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			tt.check(t, r)
		})
	}
	// The tree itself is never changed: no kustomization.yaml left behind.
	if _, err := os.Stat(filepath.Join(tree, "apps", "kustomization.yaml")); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("the tree was changed: %v", err)
	}
}

func keys(m map[string]*unstructured.Unstructured) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	return out
}
