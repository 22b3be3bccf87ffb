package inventory

import (
	"strings"
	"testing"
)

// FuzzParseID checks that ParseID never panics and that what it accepts
// re-encodes consistently: ID∘ParseID is idempotent, entries whose name has
// no '_' survive ParseID∘ID unchanged, and the id itself round-trips unless
// it is one Flux could not have written (an RBAC name with a raw ':',
// another name with "__").
func FuzzParseID(f *testing.F) {
	for _, tc := range validIDs() {
		f.Add(tc.id)
	}
	for _, s := range []string{
		"ns_a__b__K", "ns_a____K", "ns_a___K", "ns_____K", "____rbac.authorization.k8s.io_Role",
		"", "_", "__", "___", "Deployment", "ns_Deployment", "ns_api_Deployment", "ns_api_apps_",
		"ns__apps_Deployment", "ns_a__b_apps_Deployment",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, id string) {
		e, err := ParseID(id)
		if err != nil {
			if e != (Entry{}) {
				t.Fatalf("ParseID(%q) returned %#v with error %v", id, e, err)
			}
			return
		}
		if e.Name == "" || e.Kind == "" {
			t.Fatalf("ParseID(%q) = %#v accepted an empty name or kind", id, e)
		}
		for _, f := range []string{e.Namespace, e.Group, e.Kind} {
			if strings.Contains(f, sep) {
				t.Fatalf("ParseID(%q) = %#v: namespace, group or kind contains '_'", id, e)
			}
		}
		enc := e.ID()
		e2, err := ParseID(enc)
		if err != nil {
			t.Fatalf("ParseID(%q) = %#v, but ParseID(ID() = %q) failed: %v", id, e, enc, err)
		}
		if enc2 := e2.ID(); enc2 != enc {
			t.Fatalf("ID not stable: %q -> %q -> %q", id, enc, enc2)
		}
		// Only names mixing '_' and ':' are lossy (see ParseID).
		if !strings.Contains(e.Name, sep) && e2 != e {
			t.Fatalf("ParseID(%q) = %#v, ParseID(%q) = %#v", id, e, enc, e2)
		}
		encName := id[len(e.Namespace)+1 : len(id)-len(e.Group)-len(e.Kind)-2]
		// Flux escapes ':' in RBAC names and writes other names verbatim,
		// so an RBAC id with a raw ':' or another id with "__" cannot
		// come from Flux and need not round-trip byte for byte.
		var fluxCouldWrite bool
		if isRBAC(e.Group, e.Kind) {
			fluxCouldWrite = !strings.Contains(encName, ":")
		} else {
			fluxCouldWrite = !strings.Contains(encName, colonEscape)
		}
		if fluxCouldWrite && enc != id {
			t.Fatalf("ID(ParseID(%q)) = %q", id, enc)
		}
		_ = e.String()
	})
}
