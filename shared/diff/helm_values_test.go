package diff

import (
	"context"
	"encoding/json"
	"reflect"
	"sort"
	"strings"
	"testing"

	helmv2 "github.com/fluxcd/helm-controller/api/v2"
	"github.com/fluxcd/pkg/apis/meta"
	apiextensionsv1 "k8s.io/apiextensions-apiserver/pkg/apis/apiextensions/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// memoryValues is a valuesSource over objects held in memory: "Kind/name" → data.
func memoryValues(objects map[string]map[string]string) valuesSource {
	return func(_ context.Context, kind, name string) (map[string][]byte, bool, error) {
		data, ok := objects[kind+"/"+name]
		if !ok {
			return nil, false, nil
		}
		out := map[string][]byte{}
		for k, v := range data {
			out[k] = []byte(v)
		}
		return out, true, nil
	}
}

func TestHelmValues(t *testing.T) {
	objects := map[string]map[string]string{
		"ConfigMap/base":  {"values.yaml": "replicas: 1\nimage:\n  tag: v1\n  repo: web\n"},
		"ConfigMap/prod":  {"custom": "replicas: 3\nimage:\n  tag: v2\n"},
		"Secret/db":       {"values.yaml": "db:\n  password: s3cr3t-pw\n  port: 5432\n"},
		"Secret/token":    {"token": "tok-123456"},
		"ConfigMap/plain": {"tag": `"007"`},
	}
	hr := func(values string, refs ...meta.ValuesReference) *helmv2.HelmRelease {
		h := &helmv2.HelmRelease{ObjectMeta: metav1.ObjectMeta{Name: "web", Namespace: "apps"}, Spec: helmv2.HelmReleaseSpec{ValuesFrom: refs}}
		if values != "" {
			h.Spec.Values = &apiextensionsv1.JSON{Raw: []byte(values)}
		}
		return h
	}
	for _, tc := range []struct {
		name        string
		hr          *helmv2.HelmRelease
		want        string
		wantSecrets []string
		wantErr     string
	}{
		{"refs merged in order, spec.values last",
			hr(`{"image":{"tag":"v3"}}`, meta.ValuesReference{Kind: "ConfigMap", Name: "base"}, meta.ValuesReference{Kind: "ConfigMap", Name: "prod", ValuesKey: "custom"}),
			`{"image":{"repo":"web","tag":"v3"},"replicas":3}`, nil, ""},
		{"a Secret's values are merged and kept for masking",
			hr("", meta.ValuesReference{Kind: "Secret", Name: "db"}),
			`{"db":{"password":"s3cr3t-pw","port":5432}}`, []string{"5432", "s3cr3t-pw"}, ""},
		{"targetPath sets one value; a quoted one stays a string",
			hr("", meta.ValuesReference{Kind: "Secret", Name: "token", ValuesKey: "token", TargetPath: "auth.token"}, meta.ValuesReference{Kind: "ConfigMap", Name: "plain", ValuesKey: "tag", TargetPath: "image.tag"}),
			`{"auth":{"token":"tok-123456"},"image":{"tag":"007"}}`, []string{"tok-123456"}, ""},
		{"an optional missing reference is left out",
			hr(`{"a":1}`, meta.ValuesReference{Kind: "ConfigMap", Name: "nope", Optional: true}, meta.ValuesReference{Kind: "Secret", Name: "db", ValuesKey: "nokey", Optional: true}),
			`{"a":1}`, nil, ""},
		{"a required missing reference is an error naming it",
			hr("", meta.ValuesReference{Kind: "ConfigMap", Name: "nope"}), "", nil, "valuesFrom ConfigMap apps/nope key values.yaml: not found"},
		{"a missing key is an error naming it, never a value",
			hr("", meta.ValuesReference{Kind: "Secret", Name: "db", ValuesKey: "other"}), "", nil, "valuesFrom Secret apps/db key other: no such key"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := helmValues(context.Background(), memoryValues(objects), tc.hr)
			values, secrets := got.Values, got.Secrets
			if tc.wantErr != "" {
				if err == nil || err.Error() != tc.wantErr {
					t.Fatalf("error = %v, want %q", err, tc.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			text, _ := json.Marshal(values)
			if string(text) != tc.want {
				t.Errorf("values = %s, want %s", text, tc.want)
			}
			sort.Strings(secrets)
			if !reflect.DeepEqual(secrets, tc.wantSecrets) {
				t.Errorf("secrets = %q, want %q", secrets, tc.wantSecrets)
			}
			if strings.Contains(strings.Join(secrets, ""), "web") {
				t.Errorf("ConfigMap values taken for secrets: %q", secrets)
			}
		})
	}
}

// TestMasked: the values of valuesFrom Secrets are masked, now and as the deployed
// release was given them (a rotated Secret's old value is still live), and nothing
// public is.
func TestMasked(t *testing.T) {
	objects := map[string]map[string]string{
		"ConfigMap/base": {"values.yaml": "replicas: 2\nimage: web\n"},
		"Secret/db":      {"values.yaml": "password: new-pw\n"},
	}
	hr := &helmv2.HelmRelease{ObjectMeta: metav1.ObjectMeta{Name: "web", Namespace: "apps"}, Spec: helmv2.HelmReleaseSpec{
		Values:     &apiextensionsv1.JSON{Raw: []byte(`{"greeting":"hello"}`)},
		ValuesFrom: []meta.ValuesReference{{Kind: "ConfigMap", Name: "base"}, {Kind: "Secret", Name: "db"}}}}
	v, err := helmValues(context.Background(), memoryValues(objects), hr)
	if err != nil {
		t.Fatal(err)
	}
	deployed := map[string]any{"replicas": 2, "image": "web", "greeting": "hello", "password": "old-pw"}
	got := v.masked(hr, deployed)
	sort.Strings(got)
	if want := []string{"new-pw", "old-pw"}; !reflect.DeepEqual(got, want) {
		t.Errorf("masked = %q, want %q", got, want)
	}
	hr.Spec.ValuesFrom = hr.Spec.ValuesFrom[:1]
	if got := v.masked(hr, deployed); got != nil {
		t.Errorf("without a Secret among valuesFrom, masked = %q, want nothing", got)
	}
}
