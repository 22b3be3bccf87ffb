package diff

import (
	"bytes"
	"sort"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/structured-merge-diff/v6/fieldpath"
	"sigs.k8s.io/structured-merge-diff/v6/value"
)

// Manager is one entry of an object's metadata.managedFields: who wrote a field, how,
// and when that manager last wrote the object.
type Manager struct {
	// Manager is the field manager's name: kubectl-edit, kubectl-patch, a controller's.
	Manager string `json:"manager"`
	// Operation is Apply (server-side apply) or Update (create, update, patch, edit).
	Operation string `json:"operation"`
	// Time is when the manager last changed the object (the API server's record, to
	// the second).
	Time *metav1.Time `json:"time,omitempty"`
	// Subresource is set when the manager wrote through one (status, scale).
	Subresource string `json:"subresource,omitempty"`
}

// ownership is an object's managedFields decoded: each manager with the fields it owns.
type ownership []owned

type owned struct {
	Manager
	fields *fieldpath.Set
}

// decodeOwnership reads managedFields; an entry whose FieldsV1 cannot be decoded is left
// out (it owns nothing this command can name).
func decodeOwnership(entries []metav1.ManagedFieldsEntry) ownership {
	var out ownership
	for _, e := range entries {
		if e.FieldsV1 == nil || e.FieldsType != "FieldsV1" {
			continue
		}
		set := &fieldpath.Set{}
		if err := set.FromJSON(bytes.NewReader(e.FieldsV1.GetRawBytes())); err != nil {
			continue
		}
		out = append(out, owned{Manager: Manager{Manager: e.Manager, Operation: string(e.Operation), Time: e.Time, Subresource: e.Subresource}, fields: set})
	}
	return out
}

// owners are the managers owning the field at p of live (the object managedFields
// describes), in managedFields order.
func (o ownership) owners(live map[string]any, p fieldPath) []Manager {
	var out []Manager
	for _, e := range o {
		if covers(e.fields, live, p) {
			out = append(out, e.Manager)
		}
	}
	return out
}

// covers reports whether set owns the field at p, or part of it, or an ancestor that
// holds it whole (an atomic map or list). Without the type's schema a list element is
// found as the managedFields name it: by its associative keys (k:{"name":"app"}), by
// its value (v:"x"), or by its index (i:0), matched against the live element at p's
// index.
func covers(set *fieldpath.Set, live map[string]any, p fieldPath) bool {
	var cur any = live
	for _, s := range p {
		var elem any
		var pe fieldpath.PathElement
		found := false
		if s.isIndex {
			list, ok := cur.([]any)
			if !ok || s.index >= len(list) {
				return false
			}
			elem = list[s.index]
			pe, found = matchElement(set, elem, s.index)
		} else {
			m, ok := cur.(map[string]any)
			if !ok {
				return false
			}
			elem = m[s.key]
			pe, found = fieldpath.FieldNameElement(s.key), true
		}
		if !found {
			return false
		}
		// A member without children is owned whole (an atomic map or list, or a
		// leaf); a member with children ("." in FieldsV1: the element's existence) owns
		// only what its children say.
		child, ok := set.Children.Get(pe)
		if set.Members.Has(pe) && !ok {
			return true
		}
		if !ok {
			return false
		}
		set, cur = child, elem
	}
	// p names a map or list of which the manager owns part.
	return !set.Empty()
}

// matchElement is the path element of set (member or child) naming the list element
// elem at index i.
func matchElement(set *fieldpath.Set, elem any, i int) (fieldpath.PathElement, bool) {
	var match fieldpath.PathElement
	found := false
	try := func(pe fieldpath.PathElement) {
		if !found && names(pe, elem, i) {
			match, found = pe, true
		}
	}
	set.Members.Iterate(try)
	set.Children.Iterate(try)
	return match, found
}

// names reports whether the list path element pe names item, the element at index i
// of its list: by index (i:0), by value (v:"x") or by its associative keys
// (k:{"name":"app"}).
func names(pe fieldpath.PathElement, item any, i int) bool {
	switch {
	case pe.Index != nil:
		return *pe.Index == i
	case pe.Value != nil:
		return value.Equals(*pe.Value, value.NewValueInterface(item))
	case pe.Key != nil:
		m, ok := item.(map[string]any)
		if !ok {
			return false
		}
		for _, f := range *pe.Key {
			if v, has := m[f.Name]; !has || !value.Equals(f.Value, value.NewValueInterface(v)) {
				return false
			}
		}
		return true
	}
	return false
}

// others are the managers other than the controller's (owner) among ms.
func others(ms []Manager, owner string) []Manager {
	var out []Manager
	for _, m := range ms {
		if m.Manager != owner {
			out = append(out, m)
		}
	}
	return out
}

// sortManagers orders managers by the time they last wrote, the latest last.
func sortManagers(ms []Manager) {
	sort.SliceStable(ms, func(i, j int) bool {
		if ms[i].Time == nil || ms[j].Time == nil {
			return ms[i].Time == nil && ms[j].Time != nil
		}
		return ms[i].Time.Before(ms[j].Time)
	})
}
