package alerting

import (
	"strings"
	"testing"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"sigs.k8s.io/yaml"
)

func objectsOf(t *testing.T, docs string) []*unstructured.Unstructured {
	t.Helper()
	var out []*unstructured.Unstructured
	for _, d := range strings.Split(docs, "---\n") {
		u := &unstructured.Unstructured{}
		if err := yaml.Unmarshal([]byte(d), &u.Object); err != nil {
			t.Fatal(err)
		}
		out = append(out, u)
	}
	return out
}

// TestFromRendered: the Secrets a repository makes in any of its forms (a SealedSecret's
// is named after it, whatever its template says, as the controller names it; an
// ExternalSecret that merges into a Secret makes none), the HelmChart of a
// HelmRelease's spec.chart with the labels helm-controller copies onto it (none for
// spec.chartRef), an object rendered twice
// counted once, and what is neither Flux's nor notification's left out.
func TestFromRendered(t *testing.T) {
	f := FromRendered(objectsOf(t, `apiVersion: v1
kind: Secret
metadata: {name: plain, namespace: a}
---
apiVersion: bitnami.com/v1alpha1
kind: SealedSecret
metadata: {name: sealed, namespace: a}
spec: {template: {metadata: {name: unsealed}}}
---
apiVersion: external-secrets.io/v1
kind: ExternalSecret
metadata: {name: es, namespace: a}
spec: {target: {name: from-store}}
---
apiVersion: external-secrets.io/v1
kind: ExternalSecret
metadata: {name: es-default, namespace: a}
---
apiVersion: external-secrets.io/v1
kind: ExternalSecret
metadata: {name: es-merge, namespace: a}
spec: {target: {name: merged, creationPolicy: Merge}}
---
apiVersion: helm.toolkit.fluxcd.io/v2
kind: HelmRelease
metadata: {name: web, namespace: shop}
spec: {chart: {spec: {chart: web, sourceRef: {kind: HelmRepository, name: charts, namespace: flux-system}}, metadata: {labels: {team: shop}}}}
---
apiVersion: helm.toolkit.fluxcd.io/v2
kind: HelmRelease
metadata: {name: web, namespace: shop}
spec: {chart: {spec: {chart: web, sourceRef: {kind: HelmRepository, name: charts, namespace: flux-system}}, metadata: {labels: {team: shop}}}}
---
apiVersion: helm.toolkit.fluxcd.io/v2
kind: HelmRelease
metadata: {name: api, namespace: shop}
spec: {chartRef: {kind: OCIRepository, name: api}}
---
apiVersion: v1
kind: ConfigMap
metadata: {name: x, namespace: a}
---
apiVersion: notification.toolkit.fluxcd.io/v1beta3
kind: Provider
metadata: {name: slack, namespace: a}
spec: {type: slack, secretRef: {name: missing}}
---
apiVersion: notification.toolkit.fluxcd.io/v1beta3
kind: Alert
metadata: {name: all, namespace: a}
spec: {providerRef: {name: slack}, eventSources: [{kind: HelmRelease, name: '*', namespace: shop}]}
`))
	for _, tc := range []struct {
		name string
		want bool
	}{{"plain", true}, {"sealed", true}, {"unsealed", false}, {"from-store", true}, {"es", false}, {"es-default", true}, {"merged", false}, {"x", false}} {
		if got := f.SecretInRepository("a", tc.name); got != tc.want {
			t.Errorf("Secret a/%s in the repository: %v, want %v", tc.name, got, tc.want)
		}
	}
	var objs []string
	for _, o := range f.Objects {
		objs = append(objs, o.Kind+" "+o.Namespace+"/"+o.Name)
	}
	if got, want := strings.Join(objs, ", "), "HelmRelease shop/web, HelmChart flux-system/shop-web, HelmRelease shop/api"; got != want {
		t.Errorf("objects %s, want %s", got, want)
	}
	if l := f.Objects[1].Labels["team"]; l != "shop" {
		t.Errorf("the HelmChart's labels %v, want spec.chart.metadata.labels (team: shop)", f.Objects[1].Labels)
	}
	if got := strings.Join(f.MissingSecrets(f.Set.Alerts), ","); got != "a/missing" {
		t.Errorf("missing secrets %q", got)
	}
	c := f.Cover("clusters/x", false)
	if len(c.Uncovered) != 1 || c.Uncovered[0].Ref.Kind != "HelmChart" || len(c.Undeliverable) != 0 || strings.Join(c.Unknown, ",") != "a/missing" {
		t.Errorf("coverage %+v", c)
	}
	c = f.Cover("clusters/x", true)
	if len(c.Uncovered) != 3 || len(c.Undeliverable) != 1 || c.Undeliverable[0].Reason != "its Provider's Secret a/missing is not in the repository" || len(c.Unknown) != 0 {
		t.Errorf("strict coverage %+v", c)
	}
}
