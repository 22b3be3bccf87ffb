package testbed

import (
	"context"
	"encoding/json"
	"fmt"

	yaml "go.yaml.in/yaml/v3"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/client-go/dynamic"

	"github.com/kubectl-gitops/kubectl-gitops/shared/yamldoc"
)

// FieldManager is the server-side-apply manager of objects the bed creates.
const FieldManager = "testbed"

// Apply server-side-applies every document of a multi-document YAML string.
func (b *Bed) Apply(ctx context.Context, manifests string) error {
	objs, err := ParseObjects(manifests)
	if err != nil {
		return err
	}
	for _, o := range objs {
		if err := b.ApplyObject(ctx, o); err != nil {
			return err
		}
	}
	return nil
}

// ApplyObject server-side-applies one object.
func (b *Bed) ApplyObject(ctx context.Context, o *unstructured.Unstructured) error {
	ri, err := b.Resource(o)
	if err != nil {
		return err
	}
	data, err := o.MarshalJSON()
	if err != nil {
		return err
	}
	force := true
	_, err = ri.Patch(ctx, o.GetName(), types.ApplyPatchType, data, metav1.PatchOptions{FieldManager: FieldManager, Force: &force})
	if err != nil {
		return fmt.Errorf("applying %s %s/%s: %w", o.GetKind(), o.GetNamespace(), o.GetName(), err)
	}
	return nil
}

// Delete deletes every object of a multi-document YAML string; absent ones are skipped.
func (b *Bed) Delete(ctx context.Context, manifests string) error {
	objs, err := ParseObjects(manifests)
	if err != nil {
		return err
	}
	for _, o := range objs {
		ri, err := b.Resource(o)
		if err != nil {
			return err
		}
		if err := ri.Delete(ctx, o.GetName(), metav1.DeleteOptions{}); err != nil && !isNotFound(err) {
			return err
		}
	}
	return nil
}

// Resource returns the dynamic client for an object's type and namespace.
func (b *Bed) Resource(o *unstructured.Unstructured) (dynamic.ResourceInterface, error) {
	gvk := o.GroupVersionKind()
	m, err := b.Mapper.RESTMapping(gvk.GroupKind(), gvk.Version)
	if err != nil {
		b.Mapper.Reset()
		if m, err = b.Mapper.RESTMapping(gvk.GroupKind(), gvk.Version); err != nil {
			return nil, err
		}
	}
	if m.Scope.Name() == "namespace" {
		ns := o.GetNamespace()
		if ns == "" {
			ns = "default"
		}
		return b.Dynamic.Resource(m.Resource).Namespace(ns), nil
	}
	return b.Dynamic.Resource(m.Resource), nil
}

// ParseObjects splits a multi-document YAML string into objects, skipping empty documents.
func ParseObjects(manifests string) ([]*unstructured.Unstructured, error) {
	var objs []*unstructured.Unstructured
	for _, doc := range yamldoc.Split([]byte(manifests)) {
		var v any
		if err := yaml.Unmarshal(doc.Text, &v); err != nil {
			return nil, fmt.Errorf("line %d: %w", doc.Line, err)
		}
		if v == nil {
			continue
		}
		js, err := json.Marshal(v)
		if err != nil {
			return nil, fmt.Errorf("line %d: %w", doc.Line, err)
		}
		u := &unstructured.Unstructured{}
		if err := u.UnmarshalJSON(js); err != nil {
			return nil, fmt.Errorf("line %d: %w", doc.Line, err)
		}
		objs = append(objs, u)
	}
	return objs, nil
}
