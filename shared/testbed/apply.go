package testbed

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/types"
	utilyaml "k8s.io/apimachinery/pkg/util/yaml"
	"k8s.io/client-go/dynamic"
	"sigs.k8s.io/yaml"
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
	r := utilyaml.NewYAMLReader(bufio.NewReader(bytes.NewBufferString(manifests)))
	var objs []*unstructured.Unstructured
	for {
		doc, err := r.Read()
		if errors.Is(err, io.EOF) {
			return objs, nil
		}
		if err != nil {
			return nil, err
		}
		if len(bytes.TrimSpace(doc)) == 0 {
			continue
		}
		var m map[string]any
		if err := yaml.Unmarshal(doc, &m); err != nil {
			return nil, err
		}
		if len(m) == 0 {
			continue
		}
		objs = append(objs, &unstructured.Unstructured{Object: m})
	}
}
