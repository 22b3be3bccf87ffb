package diff

import (
	"encoding/base64"
	"sort"
	"strings"

	"github.com/pmezard/go-difflib/difflib"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"sigs.k8s.io/yaml"
)

// Masked replaces every value of a Secret that is shown.
const Masked = "***"

// lastApplied is kubectl's client-side apply annotation: on a Secret it holds the
// values in clear.
const lastApplied = "kubectl.kubernetes.io/last-applied-configuration"

func isSecret(u *unstructured.Unstructured) bool {
	return u != nil && u.GetKind() == "Secret" && u.GetAPIVersion() == "v1"
}

// secretValues are the values of a rendered Secret, encoded and decoded, for masking
// anything the API server echoes back.
func secretValues(u *unstructured.Unstructured) []string {
	var out []string
	data, _, _ := unstructured.NestedMap(u.Object, "data")
	for _, v := range data {
		if s, ok := v.(string); ok {
			out = append(out, s)
			if b, err := base64.StdEncoding.DecodeString(s); err == nil {
				out = append(out, string(b))
			}
		}
	}
	sdata, _, _ := unstructured.NestedMap(u.Object, "stringData")
	for _, v := range sdata {
		if s, ok := v.(string); ok {
			out = append(out, s, base64.StdEncoding.EncodeToString([]byte(s)))
		}
	}
	return out
}

// changedKeys are the data keys of a Secret that the apply adds, changes or removes,
// read from the live and dry-run objects ssa has masked (SanitizeUnstructuredData:
// "*** (before)" and "*** (after)" mark a changed value).
func changedKeys(live, merged *unstructured.Unstructured) []string {
	before, _, _ := unstructured.NestedMap(live.Object, "data")
	after, _, _ := unstructured.NestedMap(merged.Object, "data")
	set := map[string]bool{}
	for k, v := range before {
		if _, ok := after[k]; !ok || v != after[k] {
			set[k] = true
		}
	}
	for k := range after {
		if _, ok := before[k]; !ok {
			set[k] = true
		}
	}
	out := make([]string, 0, len(set))
	for k := range set {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// scrubSecret masks whatever of a Secret could still hold a value after ssa's own
// masking of data: stringData, and the last-applied annotation kubectl leaves.
func scrubSecret(u *unstructured.Unstructured) {
	if u == nil {
		return
	}
	for _, field := range []string{"data", "stringData"} {
		m, ok, _ := unstructured.NestedMap(u.Object, field)
		if !ok {
			continue
		}
		for k, v := range m {
			if s, _ := v.(string); !strings.HasPrefix(s, Masked) {
				m[k] = Masked
			}
		}
		_ = unstructured.SetNestedMap(u.Object, m, field)
	}
	if a := u.GetAnnotations(); a[lastApplied] != "" {
		a[lastApplied] = Masked
		u.SetAnnotations(a)
	}
}

// mask replaces every occurrence of a secret value in s, the longest values first.
func mask(s string, secrets []string) string {
	if len(secrets) == 0 {
		return s
	}
	vals := append([]string(nil), secrets...)
	sort.Slice(vals, func(i, j int) bool { return len(vals[i]) > len(vals[j]) })
	for _, v := range vals {
		if v != "" && v != Masked {
			s = strings.ReplaceAll(s, v, Masked)
		}
	}
	return s
}

// unified is the unified diff of the YAML of live against the dry run's result, without
// managedFields and status: what `kubectl diff` shows.
func unified(live, merged *unstructured.Unstructured, name string) (string, error) {
	a, err := yamlOf(live)
	if err != nil {
		return "", err
	}
	b, err := yamlOf(merged)
	if err != nil {
		return "", err
	}
	return unifiedText(a, b, "live/"+name, "apply/"+name)
}

// unifiedText is the unified diff of two texts, with three lines of context.
func unifiedText(a, b, from, to string) (string, error) {
	return difflib.GetUnifiedDiffString(difflib.UnifiedDiff{
		A: difflib.SplitLines(a), B: difflib.SplitLines(b),
		FromFile: from, ToFile: to, Context: 3,
	})
}

func yamlOf(u *unstructured.Unstructured) (string, error) {
	if u == nil {
		return "", nil
	}
	c := u.DeepCopy()
	unstructured.RemoveNestedField(c.Object, "metadata", "managedFields")
	unstructured.RemoveNestedField(c.Object, "status")
	b, err := yaml.Marshal(c.Object)
	return string(b), err
}
