// Package inventory reads the object inventory Flux keeps in
// status.inventory of Kustomizations (and of HelmReleases in recent
// helm-controller versions).
//
// The inventory is the authoritative list of what a Kustomization applied
// and will prune; labels on the objects can be stripped or copied, the
// inventory cannot. Each entry is {id, v}: the id encodes
// "<namespace>_<name>_<group>_<kind>" and v is the API version, kept apart
// because the same object may be served under several versions.
package inventory

import (
	"fmt"
	"strings"

	"k8s.io/apimachinery/pkg/runtime/schema"
)

const (
	// sep separates the four id fields. Namespaces, groups and kinds can
	// never contain it, which is what makes the id parseable.
	sep = "_"
	// colonEscape stands for ':' in RBAC names, whose ':' (as in
	// "system:controller:foo") Flux's encoder rewrites.
	colonEscape = "__"
	// rbacGroup is the API group whose names Flux escapes.
	rbacGroup = "rbac.authorization.k8s.io"
)

// Ref is one element of status.inventory.entries, with the same JSON shape,
// so callers can decode a status straight into []Ref.
type Ref struct {
	// ID is the encoded object id, "<namespace>_<name>_<group>_<kind>".
	ID string `json:"id"`
	// V is the API version without the group, e.g. "v1".
	V string `json:"v"`
}

// Entry identifies one object of an inventory.
type Entry struct {
	// Namespace is empty for cluster-scoped objects.
	Namespace string
	// Name is the decoded object name (':' restored).
	Name string
	// Group is the API group, empty for the core group.
	Group string
	// Kind is the object kind, e.g. "Deployment".
	Kind string
	// Version is the API version without the group ("v1"), empty when the
	// entry was parsed from an id alone.
	Version string
}

// ParseID decodes an inventory id into an Entry with no Version.
//
// Namespaces, groups and kinds never contain '_', so the namespace is
// everything before the first '_', the kind everything after the last, the
// group the field before that (possibly empty), and the name all the rest.
// In the name, every "__" becomes ':', left to right, which is exactly how
// Flux (fluxcd/cli-utils ParseObjMetadata) decodes it. That choice settles
// the edge cases: "ns_a___K" (three '_' before the kind) is name "a_" with
// an empty group, and "_a____rbac.authorization.k8s.io_Role" is name "a:_".
//
// The decoding is lossy only for names holding both '_' and ':' where a '_'
// sits right before a ':' — possible for RBAC objects, whose names are
// merely path segments, but not for objects with DNS names. Such names come
// back as Flux itself reads them, which is what matters when matching live
// objects against what Flux will prune.
func ParseID(id string) (Entry, error) {
	ns, rest, ok := strings.Cut(id, sep)
	if !ok {
		return Entry{}, idError(id, "too few fields: want <namespace>_<name>_<group>_<kind>, found no '_'")
	}
	i := strings.LastIndex(rest, sep)
	if i < 0 {
		return Entry{}, idError(id, "too few fields: want <namespace>_<name>_<group>_<kind>, found 2")
	}
	rest, kind := rest[:i], rest[i+1:]
	i = strings.LastIndex(rest, sep)
	if i < 0 {
		return Entry{}, idError(id, "too few fields: want <namespace>_<name>_<group>_<kind>, found 3")
	}
	encName, group := rest[:i], rest[i+1:]
	if kind == "" {
		return Entry{}, idError(id, "empty kind (after the last '_')")
	}
	if encName == "" {
		return Entry{}, idError(id, "empty name (between the namespace and the group)")
	}
	return Entry{
		Namespace: ns,
		Name:      strings.ReplaceAll(encName, colonEscape, ":"),
		Group:     group,
		Kind:      kind,
	}, nil
}

// ParseEntry decodes an inventory element: the id and its "v" field. v is a
// bare version as Flux writes it ("v1"); a "group/version" is rejected
// because accepting it would make GroupVersionKind silently wrong.
func ParseEntry(id, v string) (Entry, error) {
	e, err := ParseID(id)
	if err != nil {
		return Entry{}, err
	}
	if strings.Contains(v, "/") {
		return Entry{}, idError(id, fmt.Sprintf("version %q must not include the group", v))
	}
	e.Version = v
	return e, nil
}

// maxQuoted bounds how much of an id an error repeats, so a corrupt status
// cannot flood a terminal.
const maxQuoted = 160

func idError(id, reason string) error {
	if len(id) > maxQuoted {
		id = id[:maxQuoted] + "..."
	}
	return fmt.Errorf("parse inventory id %q: %s", id, reason)
}

// isRBAC reports whether Flux escapes ':' in names of this group and kind.
// Flux's encoder only escapes RBAC names, the only kinds it expects to
// contain ':'; matching it exactly keeps ID() byte-identical to what the
// controller stores, so ids can be compared as strings.
func isRBAC(group, kind string) bool {
	if group != rbacGroup {
		return false
	}
	switch kind {
	case "Role", "ClusterRole", "RoleBinding", "ClusterRoleBinding":
		return true
	}
	return false
}

// ID encodes e the way Flux does, so the result can be compared with the
// ids in a live inventory: ':' becomes "__" in RBAC names only, as in Flux.
// For every id Flux writes, ID(ParseID(id)) == id. The one exception would
// be a non-RBAC object whose name itself contains "__", which Flux's own
// parser misreads as well; DNS-style names cannot contain '_'.
func (e Entry) ID() string {
	name := e.Name
	if isRBAC(e.Group, e.Kind) {
		name = strings.ReplaceAll(name, ":", colonEscape)
	}
	return e.Namespace + sep + name + sep + e.Group + sep + e.Kind
}

// GroupKind returns the entry's group and kind.
func (e Entry) GroupKind() schema.GroupKind {
	return schema.GroupKind{Group: e.Group, Kind: e.Kind}
}

// GroupVersionKind returns the entry's full type, with ok false when the
// entry has no Version (it was parsed from an id alone), because a GVK with
// an empty version cannot be used for a request.
func (e Entry) GroupVersionKind() (gvk schema.GroupVersionKind, ok bool) {
	if e.Version == "" {
		return schema.GroupVersionKind{}, false
	}
	return schema.GroupVersionKind{Group: e.Group, Version: e.Version, Kind: e.Kind}, true
}

// String renders e as "<Kind>/<namespace>/<name>", or "<Kind>/<name>" for a
// cluster-scoped object: the form kustomize-controller uses in its events
// and logs ("Deployment/shop/api configured"), so users can match the two.
// It omits the group; use ID or GroupKind where kinds could collide.
func (e Entry) String() string {
	if e.Namespace == "" {
		return e.Kind + "/" + e.Name
	}
	return e.Kind + "/" + e.Namespace + "/" + e.Name
}

// key identifies an object regardless of API version: an object applied as
// apps/v1 is the same object when looked up as apps/v1beta2.
type key struct {
	group, kind, namespace, name string
}

// Index answers "is this object in the inventory?" in constant time, for
// checking the ownership of many objects against one Kustomization.
type Index struct {
	byKey   map[key]int
	entries []Entry
}

// NewIndex parses refs and indexes them. Malformed ids do not stop it: the
// returned Index holds every valid entry, and the error (if any) lists each
// bad id, so a caller can warn and carry on with a partially corrupt
// inventory rather than losing all of it. A duplicated object keeps its
// first entry.
func NewIndex(refs []Ref) (*Index, error) {
	idx := &Index{
		byKey:   make(map[key]int, len(refs)),
		entries: make([]Entry, 0, len(refs)),
	}
	var bad []string
	for i, r := range refs {
		e, err := ParseEntry(r.ID, r.V)
		if err != nil {
			bad = append(bad, fmt.Sprintf("entry %d: %v", i, err))
			continue
		}
		k := key{e.Group, e.Kind, e.Namespace, e.Name}
		if _, dup := idx.byKey[k]; dup {
			continue
		}
		idx.byKey[k] = len(idx.entries)
		idx.entries = append(idx.entries, e)
	}
	if len(bad) > 0 {
		return idx, fmt.Errorf("%d malformed inventory entries: %s", len(bad), strings.Join(bad, "; "))
	}
	return idx, nil
}

// Contains reports whether the object is in the inventory. The name is the
// real object name (with ':', not "__"); namespace is "" for cluster-scoped
// objects. Version plays no part.
func (x *Index) Contains(gk schema.GroupKind, namespace, name string) bool {
	_, ok := x.Get(gk, namespace, name)
	return ok
}

// Get returns the inventory entry for the object, which carries the version
// Flux applied it with.
func (x *Index) Get(gk schema.GroupKind, namespace, name string) (Entry, bool) {
	if x == nil {
		return Entry{}, false
	}
	i, ok := x.byKey[key{gk.Group, gk.Kind, namespace, name}]
	if !ok {
		return Entry{}, false
	}
	return x.entries[i], true
}
