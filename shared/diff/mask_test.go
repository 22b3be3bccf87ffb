package diff

import (
	"encoding/base64"
	"reflect"
	"sort"
	"strings"
	"testing"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
)

func secret(data, stringData map[string]any, annotations map[string]string) *unstructured.Unstructured {
	u := &unstructured.Unstructured{Object: map[string]any{"apiVersion": "v1", "kind": "Secret",
		"metadata": map[string]any{"name": "creds", "namespace": "default"}}}
	if data != nil {
		u.Object["data"] = data
	}
	if stringData != nil {
		u.Object["stringData"] = stringData
	}
	if annotations != nil {
		u.SetAnnotations(annotations)
	}
	return u
}

func b64(s string) string { return base64.StdEncoding.EncodeToString([]byte(s)) }

func TestSecretValues(t *testing.T) {
	got := secretValues(secret(map[string]any{"password": b64("hunter2")}, map[string]any{"token": "t0ken"}, nil))
	sort.Strings(got)
	want := []string{b64("hunter2"), b64("t0ken"), "hunter2", "t0ken"}
	sort.Strings(want)
	if !reflect.DeepEqual(got, want) {
		t.Errorf("secretValues = %q, want %q (each value in clear and in base64)", got, want)
	}
	if got := secretValues(secret(nil, nil, nil)); len(got) != 0 {
		t.Errorf("a Secret without data: %q", got)
	}
}

func TestIsSecret(t *testing.T) {
	cm := &unstructured.Unstructured{Object: map[string]any{"apiVersion": "v1", "kind": "ConfigMap"}}
	other := &unstructured.Unstructured{Object: map[string]any{"apiVersion": "example.com/v1", "kind": "Secret"}}
	for _, tc := range []struct {
		u    *unstructured.Unstructured
		want bool
	}{{secret(nil, nil, nil), true}, {cm, false}, {other, false}, {nil, false}} {
		if got := isSecret(tc.u); got != tc.want {
			t.Errorf("isSecret(%v) = %v, want %v", tc.u, got, tc.want)
		}
	}
}

// TestChangedKeys reads the keys from data as ssa's SanitizeUnstructuredData leaves it:
// values replaced, a changed one marked "*** (before)" / "*** (after)".
func TestChangedKeys(t *testing.T) {
	for _, tc := range []struct {
		name          string
		before, after map[string]any
		want          []string
	}{
		{"one changed", map[string]any{"a": "***", "b": "*** (before)"}, map[string]any{"a": "***", "b": "*** (after)"}, []string{"b"}},
		{"added", map[string]any{"a": "***"}, map[string]any{"a": "***", "c": "***"}, []string{"c"}},
		{"removed", map[string]any{"a": "***", "z": "***"}, map[string]any{"a": "***"}, []string{"z"}},
		{"all at once, sorted", map[string]any{"z": "***", "m": "*** (before)"}, map[string]any{"m": "*** (after)", "a": "***"}, []string{"a", "m", "z"}},
		{"none", map[string]any{"a": "***"}, map[string]any{"a": "***"}, []string{}},
		{"no data before", nil, map[string]any{"a": "***"}, []string{"a"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := changedKeys(secret(tc.before, nil, nil), secret(tc.after, nil, nil))
			if !reflect.DeepEqual(got, tc.want) {
				t.Errorf("changedKeys = %q, want %q", got, tc.want)
			}
		})
	}
}

func TestScrubSecret(t *testing.T) {
	u := secret(map[string]any{"a": b64("clear"), "b": "*** (after)"}, map[string]any{"c": "clear-too"},
		map[string]string{lastApplied: `{"stringData":{"c":"clear-too"}}`, "team": "shop"})
	scrubSecret(u)
	want := secret(map[string]any{"a": Masked, "b": "*** (after)"}, map[string]any{"c": Masked},
		map[string]string{lastApplied: Masked, "team": "shop"})
	if !reflect.DeepEqual(u.Object, want.Object) {
		t.Errorf("scrubbed = %v\nwant       %v", u.Object, want.Object)
	}
	scrubSecret(nil) // no panic
}

func TestMask(t *testing.T) {
	for _, tc := range []struct {
		name, in string
		secrets  []string
		want     string
	}{
		{"none", "greeting: hello", nil, "greeting: hello"},
		{"every occurrence", "a: hello\nb: hello\n", []string{"hello"}, "a: ***\nb: ***\n"},
		// A value containing another is masked whole, not left with a visible tail.
		{"longest first", "token: abcdef", []string{"abc", "abcdef"}, "token: ***"},
		{"empty and masked values ignored", "x: ***", []string{"", Masked}, "x: ***"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := mask(tc.in, tc.secrets); got != tc.want {
				t.Errorf("mask(%q) = %q, want %q", tc.in, got, tc.want)
			}
		})
	}
}

func TestUnified(t *testing.T) {
	live := &unstructured.Unstructured{Object: map[string]any{"apiVersion": "v1", "kind": "ConfigMap",
		"metadata": map[string]any{"name": "a", "namespace": "default", "managedFields": []any{map[string]any{"manager": "kubectl"}}},
		"data":     map[string]any{"key": "hand-edited"}, "status": map[string]any{"x": "y"}}}
	merged := live.DeepCopy()
	_ = unstructured.SetNestedField(merged.Object, "v1", "data", "key")
	got, err := unified(live, merged, "ConfigMap/default/a")
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"--- live/ConfigMap/default/a\n", "+++ apply/ConfigMap/default/a\n", "-  key: hand-edited\n", "+  key: v1\n"} {
		if !strings.Contains(got, want) {
			t.Errorf("diff lacks %q:\n%s", want, got)
		}
	}
	if strings.Contains(got, "managedFields") || strings.Contains(got, "status") {
		t.Errorf("managedFields and status are not compared:\n%s", got)
	}
	if got, _ := unified(live, live, "x"); got != "" {
		t.Errorf("no change, want no diff: %q", got)
	}
}
