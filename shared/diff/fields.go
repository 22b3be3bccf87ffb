package diff

import (
	"reflect"
	"regexp"
	"sort"
	"strconv"
	"strings"

	"sigs.k8s.io/structured-merge-diff/v6/fieldpath"
)

// step is one step of a field path: a map key, or a list index when isIndex.
type step struct {
	key     string
	index   int
	isIndex bool
}

// fieldPath is a field of an object, as steps from its root.
type fieldPath []step

var plainKey = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_-]*$`)

// String is the path as kubectl's JSONPath writes it: .data.color,
// .spec.template.spec.containers[0].image, .metadata.labels["app.kubernetes.io/name"].
func (p fieldPath) String() string {
	var b strings.Builder
	for _, s := range p {
		switch {
		case s.isIndex:
			b.WriteString("[" + strconv.Itoa(s.index) + "]")
		case plainKey.MatchString(s.key):
			b.WriteString("." + s.key)
		default:
			b.WriteString("[" + strconv.Quote(s.key) + "]")
		}
	}
	if b.Len() == 0 {
		return "."
	}
	return b.String()
}

// Pointer is the path as a JSON pointer (RFC 6901), the form spec.ignore's paths take.
func (p fieldPath) Pointer() string {
	var b strings.Builder
	for _, s := range p {
		b.WriteString("/")
		if s.isIndex {
			b.WriteString(strconv.Itoa(s.index))
			continue
		}
		b.WriteString(strings.NewReplacer("~", "~0", "/", "~1").Replace(s.key))
	}
	return b.String()
}

// valueAt is the value at p in obj, and whether there is one: walked as the cleanup
// walks a managed-fields path (at), each step a field name or a list index.
func valueAt(obj map[string]any, p fieldPath) (any, bool) {
	return at(obj, p.managed())
}

// managed is p as a managed-fields path (field names and list indexes).
func (p fieldPath) managed() fieldpath.Path {
	out := make(fieldpath.Path, len(p))
	for i, s := range p {
		if s.isIndex {
			out[i] = fieldpath.PathElement{Index: &s.index}
		} else {
			out[i] = fieldpath.PathElement{FieldName: &s.key}
		}
	}
	return out
}

// serverFields are what the API server writes on every object: no manager writes
// them, and a dry run may move them (generation), so they are no field that changes.
var serverFields = map[string]bool{
	"managedFields": true, "resourceVersion": true, "generation": true, "uid": true,
	"creationTimestamp": true, "selfLink": true,
}

// changedPaths are the fields where the live object and the dry run's result differ,
// down to the leaves: a map is followed key by key, a list index by index while both
// have the same length (one path for the whole list otherwise, as an insertion shifts
// every index). status and the fields the API server writes itself are left out.
func changedPaths(live, merged map[string]any) []fieldPath {
	var out []fieldPath
	var walk func(a, b any, aok, bok bool, p fieldPath)
	walk = func(a, b any, aok, bok bool, p fieldPath) {
		if len(p) == 1 && p[0].key == "status" || len(p) == 2 && p[0].key == "metadata" && serverFields[p[1].key] {
			return
		}
		am, aIsMap := a.(map[string]any)
		bm, bIsMap := b.(map[string]any)
		if (aIsMap || !aok) && (bIsMap || !bok) && (aIsMap || bIsMap) {
			keys := map[string]bool{}
			for k := range am {
				keys[k] = true
			}
			for k := range bm {
				keys[k] = true
			}
			sorted := make([]string, 0, len(keys))
			for k := range keys {
				sorted = append(sorted, k)
			}
			sort.Strings(sorted)
			for _, k := range sorted {
				av, ak := am[k]
				bv, bk := bm[k]
				walk(av, bv, ak, bk, append(p[:len(p):len(p)], step{key: k}))
			}
			return
		}
		al, aIsList := a.([]any)
		bl, bIsList := b.([]any)
		if aIsList && bIsList && len(al) == len(bl) {
			for i := range al {
				walk(al[i], bl[i], true, true, append(p[:len(p):len(p)], step{index: i, isIndex: true}))
			}
			return
		}
		if aok != bok || !reflect.DeepEqual(a, b) {
			out = append(out, p)
		}
	}
	walk(live, merged, live != nil, merged != nil, nil)
	return out
}
