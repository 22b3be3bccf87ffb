package diff

import (
	"context"
	"fmt"
	"path"
	"sort"
	"strings"

	kustomizev1 "github.com/fluxcd/kustomize-controller/api/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/structured-merge-diff/v6/fieldpath"
)

// What kustomize-controller v1.9.5's apply cleans from a live object before it applies
// it (its ApplyCleanupOptions): kubectl's last-applied annotation and Flux v1's
// metadata are removed, and the fields of kubectl (any kubectl-* manager: apply, edit,
// patch), before-first-apply and its own pre-SSA updates become its own, so that those
// Git does not declare are removed by the apply. An object annotated or labelled
// kustomize.toolkit.fluxcd.io/ssa: Merge is left as it is. The dry run does not do
// this: the cleanup is a separate patch, predicted here.
var (
	cleanupAnnotations = []string{corev1.LastAppliedConfigAnnotation, group + "/checksum", "fluxcd.io/sync-checksum"}
	cleanupLabels      = []string{"fluxcd.io/sync-gc-mark"}
	cleanupManagers    = []struct {
		prefix string
		op     metav1.ManagedFieldsOperationType
	}{
		{"kubectl", metav1.ManagedFieldsOperationApply},
		{"kubectl", metav1.ManagedFieldsOperationUpdate},
		{"before-first-apply", metav1.ManagedFieldsOperationUpdate},
		{ControllerName, metav1.ManagedFieldsOperationUpdate},
	}
)

func cleanedManager(e metav1.ManagedFieldsEntry) bool {
	if e.Subresource != "" {
		return false
	}
	for _, m := range cleanupManagers {
		if e.Operation == m.op && strings.HasPrefix(e.Manager, m.prefix) {
			return true
		}
	}
	return false
}

// cleanup predicts the controller's cleanup of live, whose apply of desired the dry
// run turned into merged: it returns merged as the cleanup and the apply leave it
// (a copy; nil when there is no cleanup) and what the cleanup does, in words. With
// ignored (spec.ignore rules apply to the object), fields are not removed from the
// prediction: the controller keeps ignored values it takes over.
func cleanup(desired, live, merged *unstructured.Unstructured, ignored bool) (*unstructured.Unstructured, string) {
	merge := map[string]string{group + "/ssa": kustomizev1.MergeValue}
	if live == nil || merged == nil || hasAny(desired, merge) || hasAny(live, merge) {
		return nil, ""
	}
	out := merged.DeepCopy()
	var did []string
	if keys := dropKeys(live.GetAnnotations(), desired.GetAnnotations(), cleanupAnnotations); len(keys) > 0 {
		a := out.GetAnnotations()
		for _, k := range keys {
			delete(a, k)
		}
		out.SetAnnotations(a)
		did = append(did, "removes the annotation "+strings.Join(keys, ", "))
	}
	if keys := dropKeys(live.GetLabels(), desired.GetLabels(), cleanupLabels); len(keys) > 0 {
		l := out.GetLabels()
		for _, k := range keys {
			delete(l, k)
		}
		out.SetLabels(l)
		did = append(did, "removes the label "+strings.Join(keys, ", "))
	}
	taken, others := &fieldpath.Set{}, &fieldpath.Set{}
	var managers []string
	for _, e := range live.GetManagedFields() {
		if e.FieldsV1 == nil || e.Manager == ControllerName && e.Operation == metav1.ManagedFieldsOperationApply {
			continue
		}
		s := &fieldpath.Set{}
		if err := s.FromJSON(e.FieldsV1.GetRawReader()); err != nil {
			continue
		}
		if cleanedManager(e) {
			taken = taken.Union(s)
			managers = append(managers, fmt.Sprintf("%s (%s)", e.Manager, e.Operation))
		} else {
			others = others.Union(s)
		}
	}
	if len(managers) > 0 {
		sort.Strings(managers)
		what := "takes over the fields of " + strings.Join(managers, ", ")
		var removed []string
		if !ignored {
			// Parents come before their children: a list item kubectl added goes whole.
			taken.Iterate(func(p fieldpath.Path) {
				if len(p) == 0 || sharedWith(others, p) || isManagedMetadata(p) {
					return
				}
				if _, ok := at(desired.Object, p); ok {
					return
				}
				if _, ok := at(out.Object, p); !ok {
					return
				}
				if isMetadataMap(p) {
					// Emptied by the removals above: the API server drops it.
					if m, _ := at(out.Object, p); m == nil || len(m.(map[string]any)) == 0 {
						out.Object = removeAt(out.Object, p).(map[string]any)
					}
					return
				}
				out.Object = removeAt(out.Object, p).(map[string]any)
				removed = append(removed, p.String())
			})
		}
		if len(removed) > 0 {
			what += ": those Git does not declare are removed (" + strings.Join(removed, ", ") + ")"
		}
		did = append(did, what)
	}
	if len(did) == 0 {
		return nil, ""
	}
	why := "the controller's cleanup " + strings.Join(did, "; ")
	if strings.Contains(why, "remove") {
		why += " (annotate it " + group + "/ssa: Merge to keep them)"
	} else {
		why += ": it writes the object, its content stays"
	}
	return out, why
}

// sharedWith reports whether another manager owns p or anything under it.
func sharedWith(others *fieldpath.Set, p fieldpath.Path) bool {
	if others.Has(p) {
		return true
	}
	s := others
	for _, pe := range p {
		child, ok := s.Children.Get(pe)
		if !ok {
			return false
		}
		s = child
	}
	return !s.Empty()
}

func hasAny(u *unstructured.Unstructured, sel map[string]string) bool {
	_, _, ok := matching(u, sel)
	return ok
}

// dropKeys are the keys of live the cleanup removes and desired does not set again.
func dropKeys(live, desired map[string]string, keys []string) []string {
	var out []string
	for _, k := range keys {
		if _, ok := live[k]; ok {
			if _, again := desired[k]; !again {
				out = append(out, k)
			}
		}
	}
	return out
}

// isManagedMetadata: the annotations and labels the cleanup removes are handled above.
func isManagedMetadata(p fieldpath.Path) bool {
	if len(p) < 3 || p[0].FieldName == nil || *p[0].FieldName != "metadata" || p[2].FieldName == nil {
		return false
	}
	for _, k := range append(append([]string{}, cleanupAnnotations...), cleanupLabels...) {
		if *p[2].FieldName == k {
			return true
		}
	}
	return false
}

// isMetadataMap: metadata.annotations or metadata.labels themselves.
func isMetadataMap(p fieldpath.Path) bool {
	return len(p) == 2 && p[0].FieldName != nil && *p[0].FieldName == "metadata" && p[1].FieldName != nil &&
		(*p[1].FieldName == "annotations" || *p[1].FieldName == "labels")
}

// at walks an unstructured object along a managed-fields path.
func at(v any, p fieldpath.Path) (any, bool) {
	for _, pe := range p {
		var ok bool
		if v, _, ok = descend(v, pe); !ok {
			return nil, false
		}
	}
	return v, true
}

// descend is one element of a path: a map's field, or the list item with the key, value
// or index given; i is the item's index in its list.
func descend(v any, pe fieldpath.PathElement) (child any, i int, ok bool) {
	if pe.FieldName != nil {
		m, isMap := v.(map[string]any)
		if !isMap {
			return nil, 0, false
		}
		child, ok = m[*pe.FieldName]
		return child, 0, ok
	}
	l, isList := v.([]any)
	switch {
	case !isList:
		return nil, 0, false
	case pe.Index != nil:
		if *pe.Index < 0 || *pe.Index >= len(l) {
			return nil, 0, false
		}
		return l[*pe.Index], *pe.Index, true
	}
	for i, item := range l {
		if names(pe, item, i) {
			return item, i, true
		}
	}
	return nil, 0, false
}

// removeAt returns v without the element at p (which must exist).
func removeAt(v any, p fieldpath.Path) any {
	child, i, _ := descend(v, p[0])
	if len(p) > 1 {
		child = removeAt(child, p[1:])
		if m, ok := v.(map[string]any); ok {
			m[*p[0].FieldName] = child
			return m
		}
		l := v.([]any)
		l[i] = child
		return l
	}
	if m, ok := v.(map[string]any); ok {
		delete(m, *p[0].FieldName)
		return m
	}
	l := v.([]any)
	return append(l[:i:i], l[i+1:]...)
}

// predictCleanup turns an object the dry run leaves unchanged, or changes, into what
// the controller's cleanup and apply make of it (see cleanup): changed, with the
// cleanup's removals in its diff and why in its reason.
func (o *Object) predictCleanup(ctx context.Context, c client.Client, desired, live, merged *unstructured.Unstructured, ignored bool, secrets []string) error {
	current := liveOf(ctx, c, desired)
	if current == nil {
		return nil
	}
	if live == nil {
		// Unchanged: the dry run leaves the live object as it is.
		live = current.DeepCopy()
		unstructured.RemoveNestedField(live.Object, "metadata", "managedFields")
		merged = live.DeepCopy()
		if isSecret(live) {
			scrubSecret(live)
			scrubSecret(merged)
		}
	}
	cleaned, why := cleanup(desired, current, merged, ignored)
	if cleaned == nil {
		return nil
	}
	text, err := unified(live, cleaned, path.Join(o.Kind, o.Namespace, o.Name))
	if err != nil {
		return err
	}
	o.Action, o.Reason, o.Diff = Changed, mask(why, secrets), mask(text, secrets)
	return o.keep(live, cleaned, secrets)
}
