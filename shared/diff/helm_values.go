package diff

import (
	"context"
	"fmt"
	"strings"

	helmv2 "github.com/fluxcd/helm-controller/api/v2"
	"github.com/fluxcd/pkg/runtime/transform"
	chartcommon "helm.sh/helm/v4/pkg/chart/common"
	"helm.sh/helm/v4/pkg/strvals"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/types"
	"sigs.k8s.io/controller-runtime/pkg/client"
)

// valuesSource reads the data of the ConfigMap or Secret kind/name of the
// HelmRelease's namespace; found is false when it does not exist.
type valuesSource func(ctx context.Context, kind, name string) (data map[string][]byte, found bool, err error)

// clusterValues reads valuesFrom ConfigMaps and Secrets from the live cluster.
func clusterValues(c client.Client, namespace string) valuesSource {
	return func(ctx context.Context, kind, name string) (map[string][]byte, bool, error) {
		key := types.NamespacedName{Namespace: namespace, Name: name}
		var data map[string][]byte
		var err error
		switch kind {
		case "Secret":
			var s corev1.Secret
			err = c.Get(ctx, key, &s)
			data = s.Data
		case "ConfigMap":
			var cm corev1.ConfigMap
			err = c.Get(ctx, key, &cm)
			data = map[string][]byte{}
			for k, v := range cm.Data {
				data[k] = []byte(v)
			}
		default:
			return nil, false, fmt.Errorf("valuesFrom kind %q is not ConfigMap or Secret", kind)
		}
		if apierrors.IsNotFound(err) {
			return nil, false, nil
		}
		return data, err == nil, err
	}
}

// composedValues are a HelmRelease's values and what is known of their origin.
type composedValues struct {
	Values map[string]any
	// Secrets are the values read from valuesFrom Secrets: never to be shown.
	Secrets []string
	// Public are the scalars of spec.values and of valuesFrom ConfigMaps.
	Public []string
}

// helmValues are the values helm-controller gives the chart, composed as its
// ChartValuesFromReferences does: each valuesFrom in order (its valuesKey parsed as
// YAML and deep-merged, or, with targetPath, set at that path as --set does), an
// optional one that is missing left out, and spec.values merged last. Errors name the
// reference, never a value.
func helmValues(ctx context.Context, read valuesSource, hr *helmv2.HelmRelease) (composedValues, error) {
	var out composedValues
	values, err := composeValues(ctx, read, hr, &out)
	out.Values = values
	out.Public = append(out.Public, scalars(hr.GetValues())...)
	return out, err
}

func composeValues(ctx context.Context, read valuesSource, hr *helmv2.HelmRelease, out *composedValues) (map[string]any, error) {
	result := map[string]any{}
	for _, ref := range hr.Spec.ValuesFrom {
		key := ref.GetValuesKey()
		what := fmt.Sprintf("valuesFrom %s %s/%s key %s", ref.Kind, hr.Namespace, ref.Name, key)
		data, found, err := read(ctx, ref.Kind, ref.Name)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", what, err)
		}
		raw, ok := data[key]
		if !found || !ok {
			if ref.Optional {
				continue
			}
			if !found {
				return nil, fmt.Errorf("%s: not found", what)
			}
			return nil, fmt.Errorf("%s: no such key", what)
		}
		if ref.Kind == "Secret" {
			out.Secrets = append(out.Secrets, valueStrings(ref.TargetPath, raw)...)
		} else {
			out.Public = append(out.Public, valueStrings(ref.TargetPath, raw)...)
		}
		if ref.TargetPath != "" {
			if err := setPath(result, ref.TargetPath, string(raw)); err != nil {
				return nil, fmt.Errorf("%s: targetPath %s cannot be set", what, ref.TargetPath)
			}
			continue
		}
		v, err := chartcommon.ReadValues(raw)
		if err != nil {
			return nil, fmt.Errorf("%s: not YAML values", what)
		}
		result = transform.MergeMaps(result, v)
	}
	return transform.MergeMaps(result, hr.GetValues()), nil
}

// masked are the values not to show for a HelmRelease with valuesFrom Secrets: those
// of its Secrets now, and those the deployed release was given (its config) that no
// ConfigMap nor spec.values holds now: a Secret's earlier values, which the live
// objects may still hold. Without Secrets among valuesFrom, nothing is masked.
func (v composedValues) masked(hr *helmv2.HelmRelease, deployedConfig map[string]any) []string {
	hasSecret := false
	for _, ref := range hr.Spec.ValuesFrom {
		hasSecret = hasSecret || ref.Kind == "Secret"
	}
	if !hasSecret {
		return nil
	}
	public := map[string]bool{}
	for _, p := range v.Public {
		public[p] = true
	}
	out := append([]string(nil), v.Secrets...)
	for _, s := range scalars(deployedConfig) {
		if !public[s] {
			out = append(out, s)
		}
	}
	return out
}

// setPath sets value at path as helm-controller's ReplacePathValue does (a quoted
// value stays a string).
func setPath(values map[string]any, path, value string) error {
	const quotes = `'"`
	if len(value) >= 2 && strings.ContainsAny(value[:1], quotes) && value[len(value)-1] == value[0] {
		return strvals.ParseIntoString(path+"="+strings.Trim(value, quotes), values)
	}
	return strvals.ParseInto(path+"="+value, values)
}

// valueStrings are the values a values document holds: the raw value for a
// targetPath, else every scalar of the document.
func valueStrings(targetPath string, raw []byte) []string {
	if targetPath != "" {
		return []string{strings.Trim(string(raw), `'"`)}
	}
	v, err := chartcommon.ReadValues(raw)
	if err != nil {
		return []string{string(raw)}
	}
	return scalars(v)
}

// scalars are the scalar values of a values tree, written as text.
func scalars(v map[string]any) []string {
	var out []string
	var walk func(any)
	walk = func(x any) {
		switch t := x.(type) {
		case map[string]any:
			for _, e := range t {
				walk(e)
			}
		case []any:
			for _, e := range t {
				walk(e)
			}
		case nil:
		default:
			out = append(out, fmt.Sprint(t))
		}
	}
	walk(map[string]any(v))
	return out
}
