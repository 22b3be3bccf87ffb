package diff

import (
	"strings"
	"testing"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"sigs.k8s.io/yaml"
)

func fromYAML(t *testing.T, s string) *unstructured.Unstructured {
	t.Helper()
	u := &unstructured.Unstructured{}
	if err := yaml.Unmarshal([]byte(s), &u.Object); err != nil {
		t.Fatal(err)
	}
	return u
}

func managed(manager string, op metav1.ManagedFieldsOperationType, fields string) metav1.ManagedFieldsEntry {
	return metav1.ManagedFieldsEntry{Manager: manager, Operation: op, APIVersion: "v1", FieldsType: "FieldsV1", FieldsV1: metav1.NewFieldsV1(fields)}
}

// TestCleanup predicts kustomize-controller's metadata cleanup: kubectl's annotation
// removed, the fields only kubectl set and Git does not declare removed (map keys and
// keyed list items), none of it under ssa: Merge, fields another manager shares kept,
// and nothing removed from an object spec.ignore rules apply to.
func TestCleanup(t *testing.T) {
	const cm = `apiVersion: v1
kind: ConfigMap
metadata:
  name: a
  namespace: default
  annotations:
    kubectl.kubernetes.io/last-applied-configuration: '{"data":{"key":"v1","extra":"x"}}'
data:
  key: v1
  extra: x
`
	const pod = `apiVersion: v1
kind: Pod
metadata:
  name: p
  namespace: default
spec:
  containers:
  - name: app
    image: app:1
  - name: sidecar
    image: sidecar:1
`
	kubectlCM := managed("kubectl-client-side-apply", metav1.ManagedFieldsOperationUpdate,
		`{"f:data":{".":{},"f:extra":{},"f:key":{}},"f:metadata":{"f:annotations":{".":{},"f:kubectl.kubernetes.io/last-applied-configuration":{}}}}`)
	flux := managed(ControllerName, metav1.ManagedFieldsOperationApply, `{"f:data":{"f:key":{}}}`)
	for _, tc := range []struct {
		name           string
		desired, live  string
		managers       []metav1.ManagedFieldsEntry
		ignored        bool
		want           string // the cleaned object's YAML; "" for no cleanup
		wantWhy, notIn string
	}{
		{name: "kubectl apply before Flux: annotation and undeclared field removed",
			desired: "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: a\n  namespace: default\ndata:\n  key: v1\n", live: cm,
			managers: []metav1.ManagedFieldsEntry{kubectlCM, flux},
			want:     "apiVersion: v1\ndata:\n  key: v1\nkind: ConfigMap\nmetadata:\n  name: a\n  namespace: default\n",
			wantWhy:  "removes the annotation kubectl.kubernetes.io/last-applied-configuration; takes over the fields of kubectl-client-side-apply (Update): those Git does not declare are removed (.data.extra)"},
		{name: "ssa: Merge in Git: left as it is",
			desired: "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: a\n  namespace: default\n  annotations:\n    kustomize.toolkit.fluxcd.io/ssa: merge\ndata:\n  key: v1\n", live: cm,
			managers: []metav1.ManagedFieldsEntry{kubectlCM, flux}},
		{name: "a field another manager also owns is kept",
			desired: "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: a\n  namespace: default\ndata:\n  key: v1\n", live: cm,
			managers: []metav1.ManagedFieldsEntry{kubectlCM, managed("operator", metav1.ManagedFieldsOperationUpdate, `{"f:data":{"f:extra":{}}}`)},
			want:     "apiVersion: v1\ndata:\n  extra: x\n  key: v1\nkind: ConfigMap\nmetadata:\n  name: a\n  namespace: default\n",
			wantWhy:  "takes over the fields of kubectl-client-side-apply (Update)", notIn: ".data.extra"},
		{name: "spec.ignore: nothing removed, the takeover said",
			desired: "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: a\n  namespace: default\ndata:\n  key: v1\n", live: cm,
			managers: []metav1.ManagedFieldsEntry{kubectlCM}, ignored: true,
			want:    "apiVersion: v1\ndata:\n  extra: x\n  key: v1\nkind: ConfigMap\nmetadata:\n  annotations: {}\n  name: a\n  namespace: default\n",
			wantWhy: "takes over the fields of kubectl-client-side-apply (Update) (annotate"},
		{name: "a container kubectl edit added is removed by its key",
			desired: "apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\n  namespace: default\nspec:\n  containers:\n  - name: app\n    image: app:1\n", live: pod,
			managers: []metav1.ManagedFieldsEntry{managed("kubectl-edit", metav1.ManagedFieldsOperationUpdate, `{"f:spec":{"f:containers":{"k:{\"name\":\"sidecar\"}":{".":{},"f:image":{},"f:name":{}}}}}`)},
			want:     "apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\n  namespace: default\nspec:\n  containers:\n  - image: app:1\n    name: app\n",
			wantWhy:  "kubectl-edit (Update)"},
		{name: "only Flux and others manage it: no cleanup",
			desired:  "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: a\n  namespace: default\ndata:\n  key: v1\n",
			live:     "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: a\n  namespace: default\ndata:\n  key: v1\n",
			managers: []metav1.ManagedFieldsEntry{flux, managed("kubectl-edit", metav1.ManagedFieldsOperationUpdate, `{"f:data":{"f:key":{}}}`)}[:1]},
	} {
		t.Run(tc.name, func(t *testing.T) {
			live := fromYAML(t, tc.live)
			live.SetManagedFields(tc.managers)
			merged := fromYAML(t, tc.live) // the dry run keeps what kubectl set
			got, why := cleanup(fromYAML(t, tc.desired), live, merged, tc.ignored)
			if tc.want == "" {
				if got != nil {
					t.Errorf("want no cleanup, got %q", why)
				}
				return
			}
			if got == nil {
				t.Fatal("want a cleanup, got none")
			}
			if text, _ := yamlOf(got); text != tc.want {
				t.Errorf("cleaned:\n%s\nwant:\n%s", text, tc.want)
			}
			if !strings.Contains(why, tc.wantWhy) || tc.notIn != "" && strings.Contains(why, tc.notIn) {
				t.Errorf("why %q, want it to hold %q and not %q", why, tc.wantWhy, tc.notIn)
			}
			if text, _ := yamlOf(merged); text == tc.want {
				t.Error("cleanup changed the dry run's object in place")
			}
		})
	}
}
