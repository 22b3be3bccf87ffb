package inventory

import (
	"strings"
	"testing"

	"k8s.io/apimachinery/pkg/runtime/schema"
)

type idExample struct {
	name string
	id   string
	want Entry
	str  string
}

// validIDs are ids in the exact form kustomize-controller writes, so they
// must survive ID(ParseID(id)) byte for byte.
func validIDs() []idExample {
	return []idExample{
		{"namespaced apps", "shop_api_apps_Deployment",
			Entry{Namespace: "shop", Name: "api", Group: "apps", Kind: "Deployment"}, "Deployment/shop/api"},
		{"core group", "shop_settings__ConfigMap",
			Entry{Namespace: "shop", Name: "settings", Kind: "ConfigMap"}, "ConfigMap/shop/settings"},
		{"cluster-scoped core", "_shop__Namespace",
			Entry{Name: "shop", Kind: "Namespace"}, "Namespace/shop"},
		{"cluster-scoped with group", "_foos.example.com_apiextensions.k8s.io_CustomResourceDefinition",
			Entry{Name: "foos.example.com", Group: "apiextensions.k8s.io", Kind: "CustomResourceDefinition"},
			"CustomResourceDefinition/foos.example.com"},
		{"rbac colon name", "_system__foo_rbac.authorization.k8s.io_ClusterRole",
			Entry{Name: "system:foo", Group: "rbac.authorization.k8s.io", Kind: "ClusterRole"}, "ClusterRole/system:foo"},
		{"rbac two colons namespaced", "kube-system_system__controller__bar_rbac.authorization.k8s.io_RoleBinding",
			Entry{Namespace: "kube-system", Name: "system:controller:bar", Group: "rbac.authorization.k8s.io", Kind: "RoleBinding"},
			"RoleBinding/kube-system/system:controller:bar"},
		{"rbac name ending in colon", "_a___rbac.authorization.k8s.io_ClusterRole",
			Entry{Name: "a:", Group: "rbac.authorization.k8s.io", Kind: "ClusterRole"}, "ClusterRole/a:"},
		{"rbac name starting with colon", "ns___a_rbac.authorization.k8s.io_Role",
			Entry{Namespace: "ns", Name: ":a", Group: "rbac.authorization.k8s.io", Kind: "Role"}, "Role/ns/:a"},
		{"rbac name with underscore", "_my_role_rbac.authorization.k8s.io_ClusterRole",
			Entry{Name: "my_role", Group: "rbac.authorization.k8s.io", Kind: "ClusterRole"}, "ClusterRole/my_role"},
		{"dots and dashes", "flux-system_my.app-1_source.toolkit.fluxcd.io_GitRepository",
			Entry{Namespace: "flux-system", Name: "my.app-1", Group: "source.toolkit.fluxcd.io", Kind: "GitRepository"},
			"GitRepository/flux-system/my.app-1"},
		{"non-rbac raw colon", "ns_a:b_example.com_Thing",
			Entry{Namespace: "ns", Name: "a:b", Group: "example.com", Kind: "Thing"}, "Thing/ns/a:b"},
	}
}

func TestParseID(t *testing.T) {
	for _, tc := range validIDs() {
		t.Run(tc.name, func(t *testing.T) {
			got, err := ParseID(tc.id)
			if err != nil {
				t.Fatalf("ParseID(%q): %v", tc.id, err)
			}
			if got != tc.want {
				t.Fatalf("ParseID(%q) = %#v, want %#v", tc.id, got, tc.want)
			}
			if id := got.ID(); id != tc.id {
				t.Errorf("ID() = %q, want round-trip %q", id, tc.id)
			}
			if s := got.String(); s != tc.str {
				t.Errorf("String() = %q, want %q", s, tc.str)
			}
			if gk := got.GroupKind(); gk != (schema.GroupKind{Group: tc.want.Group, Kind: tc.want.Kind}) {
				t.Errorf("GroupKind() = %v", gk)
			}
		})
	}
}

// TestParseIDAmbiguous pins down how runs of '_' next to the group are
// read, following Flux's decoder: the group and kind come off the end one
// '_' each, and what is left of the name decodes "__" to ':' left to right.
func TestParseIDAmbiguous(t *testing.T) {
	tests := []struct {
		id   string
		want Entry
	}{
		// "a__b" next to an empty group is the name "a:b", not name "a"
		// with group "b": groups never contain '_'.
		{"ns_a__b__K", Entry{Namespace: "ns", Name: "a:b", Kind: "K"}},
		// Name "a:" with an empty group.
		{"ns_a____K", Entry{Namespace: "ns", Name: "a:", Kind: "K"}},
		// Three '_' before an empty group: an odd run leaves a literal '_'.
		{"ns_a___K", Entry{Namespace: "ns", Name: "a_", Kind: "K"}},
		// Name ":" alone.
		{"ns_____K", Entry{Namespace: "ns", Name: ":", Kind: "K"}},
		// Lossy case: RBAC name "_:" encodes to "___", which reads back
		// as ":_" (as in Flux); the id itself still round-trips.
		{"_____rbac.authorization.k8s.io_Role", Entry{Name: ":_", Group: "rbac.authorization.k8s.io", Kind: "Role"}},
	}
	for _, tc := range tests {
		got, err := ParseID(tc.id)
		if err != nil {
			t.Errorf("ParseID(%q): %v", tc.id, err)
			continue
		}
		if got != tc.want {
			t.Errorf("ParseID(%q) = %#v, want %#v", tc.id, got, tc.want)
		}
	}
}

func TestIDMatchesFluxEncoder(t *testing.T) {
	tests := []struct {
		e    Entry
		want string
	}{
		{Entry{Name: "system:foo", Group: "rbac.authorization.k8s.io", Kind: "ClusterRole"},
			"_system__foo_rbac.authorization.k8s.io_ClusterRole"},
		{Entry{Namespace: "ns", Name: "a:b", Group: "rbac.authorization.k8s.io", Kind: "Role"},
			"ns_a__b_rbac.authorization.k8s.io_Role"},
		{Entry{Name: "x:y", Group: "rbac.authorization.k8s.io", Kind: "ClusterRoleBinding"},
			"_x__y_rbac.authorization.k8s.io_ClusterRoleBinding"},
		// Flux only escapes RBAC kinds.
		{Entry{Namespace: "ns", Name: "a:b", Group: "example.com", Kind: "Thing"}, "ns_a:b_example.com_Thing"},
		{Entry{Namespace: "ns", Name: "a:b", Kind: "Role"}, "ns_a:b__Role"},
		{Entry{Namespace: "ns", Name: "cm", Kind: "ConfigMap", Version: "v1"}, "ns_cm__ConfigMap"},
	}
	for _, tc := range tests {
		if got := tc.e.ID(); got != tc.want {
			t.Errorf("%#v.ID() = %q, want %q", tc.e, got, tc.want)
		}
	}
}

func TestParseIDErrors(t *testing.T) {
	tests := []struct {
		id, mention string
	}{
		{"", "found no '_'"},
		{"Deployment", "found no '_'"},
		{"ns_Deployment", "found 2"},
		{"ns_api_Deployment", "found 3"},
		{"ns_api_apps_", "empty kind"},
		{"ns__apps_Deployment", "empty name"},
		{"___", "empty kind"},
		{"ns___Deployment", "empty name"},
	}
	for _, tc := range tests {
		got, err := ParseID(tc.id)
		if err == nil {
			t.Errorf("ParseID(%q) = %#v, want error", tc.id, got)
			continue
		}
		if !strings.Contains(err.Error(), tc.mention) || !strings.Contains(err.Error(), "inventory id") {
			t.Errorf("ParseID(%q) error %q does not mention %q", tc.id, err, tc.mention)
		}
	}
}

func TestParseEntry(t *testing.T) {
	e, err := ParseEntry("shop_api_apps_Deployment", "v1")
	if err != nil {
		t.Fatal(err)
	}
	gvk, ok := e.GroupVersionKind()
	if !ok || gvk != (schema.GroupVersionKind{Group: "apps", Version: "v1", Kind: "Deployment"}) {
		t.Errorf("GroupVersionKind() = %v, %v", gvk, ok)
	}
	if id := e.ID(); id != "shop_api_apps_Deployment" {
		t.Errorf("ID() = %q", id)
	}

	e, err = ParseEntry("shop_api_apps_Deployment", "")
	if err != nil {
		t.Fatal(err)
	}
	if gvk, ok := e.GroupVersionKind(); ok {
		t.Errorf("GroupVersionKind() without version = %v, true; want false", gvk)
	}

	if _, err := ParseEntry("shop_api_apps_Deployment", "apps/v1"); err == nil ||
		!strings.Contains(err.Error(), "must not include the group") {
		t.Errorf("ParseEntry with group/version: err = %v", err)
	}
	if _, err := ParseEntry("bad", "v1"); err == nil {
		t.Error("ParseEntry with bad id: want error")
	}
}

func TestIndex(t *testing.T) {
	refs := []Ref{
		{ID: "shop_api_apps_Deployment", V: "v1"},
		{ID: "shop_settings__ConfigMap", V: "v1"},
		{ID: "_shop__Namespace", V: "v1"},
		{ID: "_system__foo_rbac.authorization.k8s.io_ClusterRole", V: "v1"},
		{ID: "shop_api_apps_Deployment", V: "v1beta2"}, // duplicate object
	}
	idx, err := NewIndex(refs)
	if err != nil {
		t.Fatal(err)
	}
	if len(idx.entries) != 4 {
		t.Errorf("%d entries, want 4", len(idx.entries))
	}
	deploy := schema.GroupKind{Group: "apps", Kind: "Deployment"}
	tests := []struct {
		gk       schema.GroupKind
		ns, name string
		want     bool
	}{
		{deploy, "shop", "api", true},
		{deploy, "other", "api", false},
		{deploy, "shop", "web", false},
		{schema.GroupKind{Group: "extensions", Kind: "Deployment"}, "shop", "api", false},
		{schema.GroupKind{Kind: "ConfigMap"}, "shop", "settings", true},
		{schema.GroupKind{Kind: "Namespace"}, "", "shop", true},
		{schema.GroupKind{Kind: "Namespace"}, "shop", "shop", false},
		{schema.GroupKind{Group: "rbac.authorization.k8s.io", Kind: "ClusterRole"}, "", "system:foo", true},
		{schema.GroupKind{Group: "rbac.authorization.k8s.io", Kind: "ClusterRole"}, "", "system__foo", false},
	}
	for _, tc := range tests {
		if got := idx.Contains(tc.gk, tc.ns, tc.name); got != tc.want {
			t.Errorf("Contains(%v, %q, %q) = %v, want %v", tc.gk, tc.ns, tc.name, got, tc.want)
		}
	}
	e, ok := idx.Get(deploy, "shop", "api")
	if !ok || e.Version != "v1" {
		t.Errorf("Get kept %#v, %v; want the first entry (v1)", e, ok)
	}
	if idx.entries[0].Name != "api" || idx.entries[3].Name != "system:foo" {
		t.Errorf("entries = %#v, want inventory order", idx.entries)
	}
}

func TestIndexMalformed(t *testing.T) {
	idx, err := NewIndex([]Ref{
		{ID: "shop_api_apps_Deployment", V: "v1"},
		{ID: "garbage", V: "v1"},
		{ID: "shop__apps_Deployment", V: "v1"},
	})
	if err == nil {
		t.Fatal("want error for malformed entries")
	}
	for _, want := range []string{"2 malformed", "entry 1", "garbage", "entry 2", "empty name"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q does not mention %q", err, want)
		}
	}
	if idx == nil || len(idx.entries) != 1 || !idx.Contains(schema.GroupKind{Group: "apps", Kind: "Deployment"}, "shop", "api") {
		t.Errorf("valid entries were not kept: %#v", idx)
	}
}

func TestNilIndex(t *testing.T) {
	var idx *Index
	if idx.Contains(schema.GroupKind{Kind: "ConfigMap"}, "a", "b") {
		t.Error("nil Index should be empty")
	}
	empty, err := NewIndex(nil)
	if err != nil || len(empty.entries) != 0 {
		t.Errorf("NewIndex(nil) = %v, %v", empty, err)
	}
}
