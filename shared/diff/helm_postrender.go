package diff

import (
	"bytes"
	"encoding/json"
	"fmt"
	"sync"

	helmv2 "github.com/fluxcd/helm-controller/api/v2"
	"github.com/fluxcd/pkg/apis/kustomize"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"sigs.k8s.io/kustomize/api/krusty"
	kustypes "sigs.k8s.io/kustomize/api/types"
	"sigs.k8s.io/kustomize/kyaml/filesys"
	"sigs.k8s.io/yaml"
)

// postRender does to rendered objects what helm-controller v1.6.4's post-renderers do
// after Helm renders, in its order: each spec.postRenderers Kustomize (patches and
// images, built with kustomize's krusty over an in-memory folder holding the render, as
// the controller builds it), then spec.commonMetadata, then the origin labels naming
// the HelmRelease, which win over commonMetadata on the same key.
func postRender(hr *helmv2.HelmRelease, objects []*unstructured.Unstructured) ([]*unstructured.Unstructured, error) {
	for i, r := range hr.Spec.PostRenderers {
		if r.Kustomize == nil {
			continue
		}
		var err error
		if objects, err = kustomizePostRender(objects, r.Kustomize.Patches, r.Kustomize.Images); err != nil {
			return nil, fmt.Errorf("spec.postRenderers[%d].kustomize: %w", i, err)
		}
	}
	if cm := hr.Spec.CommonMetadata; cm != nil {
		for _, o := range objects {
			o.SetLabels(merged(o.GetLabels(), cm.Labels))
			o.SetAnnotations(merged(o.GetAnnotations(), cm.Annotations))
		}
	}
	for _, o := range objects {
		o.SetLabels(merged(o.GetLabels(), map[string]string{helmGroup + "/name": hr.Name, helmGroup + "/namespace": hr.Namespace}))
	}
	return objects, nil
}

func merged(into, from map[string]string) map[string]string {
	if len(from) == 0 {
		return into
	}
	if into == nil {
		into = map[string]string{}
	}
	for k, v := range from {
		into[k] = v
	}
	return into
}

// krustyMu serialises kustomize builds, as helm-controller does: kustomize's builder
// has shared state that concurrent builds race on (kubernetes-sigs/kustomize#3659).
var krustyMu sync.Mutex

// kustomizePostRender builds a kustomization whose one resource is the render, with
// the patches and images given.
func kustomizePostRender(objects []*unstructured.Unstructured, patches []kustomize.Patch, images []kustomize.Image) ([]*unstructured.Unstructured, error) {
	fs := filesys.MakeFsInMemory()
	var manifest bytes.Buffer
	for _, o := range objects {
		b, err := yaml.Marshal(o.Object)
		if err != nil {
			return nil, err
		}
		manifest.WriteString("---\n")
		manifest.Write(b)
	}
	const input = "helm-output.yaml"
	if err := fs.WriteFile(input, manifest.Bytes()); err != nil {
		return nil, err
	}
	cfg := kustypes.Kustomization{Resources: []string{input}}
	cfg.APIVersion, cfg.Kind = kustypes.KustomizationVersion, kustypes.KustomizationKind
	for _, im := range images {
		cfg.Images = append(cfg.Images, kustypes.Image{Name: im.Name, NewName: im.NewName, NewTag: im.NewTag, Digest: im.Digest})
	}
	for _, p := range patches {
		kp := kustypes.Patch{Patch: p.Patch}
		if s := p.Target; s != nil {
			kp.Target = &kustypes.Selector{LabelSelector: s.LabelSelector, AnnotationSelector: s.AnnotationSelector}
			kp.Target.Gvk.Group, kp.Target.Gvk.Version, kp.Target.Gvk.Kind = s.Group, s.Version, s.Kind
			kp.Target.Name, kp.Target.Namespace = s.Name, s.Namespace
		}
		cfg.Patches = append(cfg.Patches, kp)
	}
	k, err := json.Marshal(cfg)
	if err != nil {
		return nil, err
	}
	if err := fs.WriteFile("kustomization.yaml", k); err != nil {
		return nil, err
	}
	krustyMu.Lock()
	resMap, err := krusty.MakeKustomizer(&krusty.Options{LoadRestrictions: kustypes.LoadRestrictionsNone, PluginConfig: kustypes.DisabledPluginConfig()}).Run(fs, ".")
	krustyMu.Unlock()
	if err != nil {
		return nil, err
	}
	out := make([]*unstructured.Unstructured, 0, resMap.Size())
	for _, r := range resMap.Resources() {
		b, err := r.MarshalJSON()
		if err != nil {
			return nil, err
		}
		u := &unstructured.Unstructured{}
		if err := u.UnmarshalJSON(b); err != nil {
			return nil, err
		}
		out = append(out, u)
	}
	return out, nil
}
