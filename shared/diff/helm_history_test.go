package diff

import (
	"strings"
	"testing"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"

	"github.com/kubectl-gitops/kubectl-gitops/shared/exitcode"
)

func TestParseHistoryRange(t *testing.T) {
	tests := []struct {
		in   string
		want HistoryRange
		code exitcode.Code
	}{
		{"3..4", HistoryRange{3, 4}, 0},
		{"4..3", HistoryRange{4, 3}, 0},
		{"3..3", HistoryRange{}, exitcode.Usage},
		{"0..1", HistoryRange{}, exitcode.Usage},
		{"3", HistoryRange{}, exitcode.Usage},
		{"a..b", HistoryRange{}, exitcode.Usage},
	}
	for _, tt := range tests {
		got, err := ParseHistoryRange(tt.in)
		if got != tt.want || exitcode.Of(err) != tt.code && !(tt.code == 0 && err == nil) {
			t.Errorf("ParseHistoryRange(%q) = %v, %v; want %v, exit %d", tt.in, got, err, tt.want, tt.code)
		}
	}
}

// TestCompareReleases: objects only in the newer release are created, only in the
// older removed, in both changed with their paths and a vN/vM diff; a Secret's values
// never appear.
func TestCompareReleases(t *testing.T) {
	obj := func(kind, name string, data map[string]any) *unstructured.Unstructured {
		return &unstructured.Unstructured{Object: map[string]any{"apiVersion": "v1", "kind": kind,
			"metadata": map[string]any{"name": name, "namespace": "shop"}, "data": data}}
	}
	a := []*unstructured.Unstructured{
		obj("ConfigMap", "config", map[string]any{"greeting": "hello"}),
		obj("ConfigMap", "old", map[string]any{"k": "v"}),
		obj("Secret", "token", map[string]any{"token": "c2VjcmV0LW9uZQ=="}),
		obj("ConfigMap", "same", map[string]any{"k": "v"}),
	}
	b := []*unstructured.Unstructured{
		obj("ConfigMap", "config", map[string]any{"greeting": "bonjour"}),
		obj("Secret", "token", map[string]any{"token": "c2VjcmV0LXR3bw=="}),
		obj("ConfigMap", "same", map[string]any{"k": "v"}),
		obj("ConfigMap", "new", map[string]any{"k": "v"}),
	}
	objects, err := compareReleases(a, b, HistoryRange{1, 2}, nil)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	all := ""
	for _, o := range objects {
		s := o.Kind + "/" + o.Name + "=" + string(o.Action)
		for _, f := range o.Fields {
			s += " " + f.Path
		}
		got = append(got, s)
		all += o.Diff
	}
	want := "ConfigMap/config=changed .data.greeting; Secret/token=changed .data.token; ConfigMap/same=unchanged; ConfigMap/new=created; ConfigMap/old=removed"
	if strings.Join(got, "; ") != want {
		t.Errorf("got %q\nwant %q", strings.Join(got, "; "), want)
	}
	if !strings.Contains(all, "--- v1/ConfigMap/shop/config") || !strings.Contains(all, "+++ v2/ConfigMap/shop/config") {
		t.Errorf("diff lacks the version labels:\n%s", all)
	}
	for _, secret := range []string{"secret-one", "secret-two", "c2VjcmV0LW9uZQ==", "c2VjcmV0LXR3bw=="} {
		if strings.Contains(all, secret) {
			t.Errorf("a Secret value %q appears in the diff:\n%s", secret, all)
		}
	}
}
