package diff

import (
	"bytes"
	"flag"
	"path/filepath"
	"testing"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/kubectl-gitops/kubectl-gitops/shared/output"
	"github.com/kubectl-gitops/kubectl-gitops/shared/output/outputtest"
)

var update = flag.Bool("update", false, "rewrite testdata/*.golden from the current output")

// sample has one Kustomization with every action, one that cannot be built and one in
// sync.
func sample() *Diff {
	d := New()
	d.Kustomizations = append(d.Kustomizations,
		Kustomization{Name: "apps", Namespace: "flux-system", Path: "./apps", Revision: "main@sha1:3f2a9c1e0b7d4a5f6e8c9b0a1d2e3f4a5b6c7d8e", RevisionFrom: "source",
			Summary: Summary{Created: 1, Changed: 2, Recreated: 1, Pruned: 1, Failed: 1, Skipped: 1, Unchanged: 3},
			Objects: []Object{
				{ObjectRef: output.ObjectRef{APIVersion: "v1", Kind: "ConfigMap", Namespace: "shop", Name: "a"}, Action: Changed,
					Diff:      "--- live/ConfigMap/shop/a\n+++ apply/ConfigMap/shop/a\n@@ -1,4 +1,5 @@\n apiVersion: v1\n data:\n-  color: red\n+  color: blue\n-  key: v1\n+  key: v2\n kind: ConfigMap\n",
					Fields:    []Field{{Path: ".data.color", Origin: Drift, Managers: []Manager{{Manager: "kubectl-edit", Operation: "Update", Time: timeAt("2026-12-04T20:31:05Z")}}}, {Path: ".data.key", Origin: Pending}},
					Conflicts: []Conflict{{Path: ".data.color", IgnorePath: "/data/color", Managers: []Manager{{Manager: "kubectl-edit", Operation: "Update", Time: timeAt("2026-12-04T20:31:05Z")}}}}},
				{ObjectRef: output.ObjectRef{APIVersion: "v1", Kind: "Secret", Namespace: "shop", Name: "creds"}, Action: Changed, ChangedKeys: []string{"password", "token"},
					Diff:   "--- live/Secret/shop/creds\n+++ apply/Secret/shop/creds\n@@ -1,3 +1,3 @@\n data:\n-  password: '*** (before)'\n+  password: '*** (after)'\n",
					Fields: []Field{{Path: ".data.password"}, {Path: ".data.token", Managers: []Manager{{Manager: "rotator", Operation: "Apply", Time: timeAt("2026-12-04T19:02:00Z")}, {Manager: "kube-controller-manager", Operation: "Update", Subresource: "status"}}}}},
				{ObjectRef: output.ObjectRef{APIVersion: "v1", Kind: "ConfigMap", Namespace: "shop", Name: "b"}, Action: Unchanged},
				{ObjectRef: output.ObjectRef{APIVersion: "v1", Kind: "ConfigMap", Namespace: "shop", Name: "c"}, Action: Created},
				{ObjectRef: output.ObjectRef{APIVersion: "batch/v1", Kind: "Job", Namespace: "shop", Name: "migrate"}, Action: Recreated, Reason: "an immutable field changes and force is set: the controller deletes and creates it again"},
				{ObjectRef: output.ObjectRef{APIVersion: "apps/v1", Kind: "Deployment", Namespace: "shop", Name: "api"}, Action: Failed, Reason: "Invalid: spec.selector: field is immutable"},
				{ObjectRef: output.ObjectRef{APIVersion: "v1", Kind: "ConfigMap", Namespace: "shop", Name: "manual"}, Action: Skipped, Reason: "kustomize.toolkit.fluxcd.io/reconcile: disabled in the manifest"},
				{ObjectRef: output.ObjectRef{APIVersion: "v1", Kind: "ConfigMap", Namespace: "shop", Name: "gone"}, Action: Pruned},
			},
			Notes: []string{"the controller applies as service account deployer; the dry runs ran as you"}},
		Kustomization{Name: "broken", Namespace: "flux-system", Path: "./broken", Revision: "main@sha1:3f2a9c1e0b7d4a5f6e8c9b0a1d2e3f4a5b6c7d8e", RevisionFrom: "flag",
			Objects: []Object{}, Error: "kustomize build failed: accumulating resources: missing.yaml: no such file"},
		Kustomization{Name: "infra", Namespace: "flux-system", Path: "./infra", Revision: "main@sha1:0000000e0b7d4a5f6e8c9b0a1d2e3f4a5b6c7d8e", RevisionFrom: "applied",
			Summary: Summary{Unchanged: 1}, Objects: []Object{{ObjectRef: output.ObjectRef{APIVersion: "v1", Kind: "Namespace", Name: "shop"}, Action: Unchanged}}},
	)
	return d
}

func timeAt(s string) *metav1.Time {
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		panic(err)
	}
	return &metav1.Time{Time: t}
}

func TestWriteText(t *testing.T) {
	for _, tc := range []struct {
		file  string
		color bool
	}{{"text.golden", false}, {"text-color.golden", true}} {
		t.Run(tc.file, func(t *testing.T) {
			var buf bytes.Buffer
			if err := sample().WriteText(&buf, output.TextOptions{Palette: output.Palette(tc.color)}); err != nil {
				t.Fatal(err)
			}
			outputtest.Golden(t, filepath.Join("testdata", tc.file), buf.Bytes(), *update)
		})
	}
}

func TestPreviewString(t *testing.T) {
	tests := []struct {
		p    Preview
		want string
	}{
		{Preview{Revision: "main@sha1:abc", Summary: &Summary{Unchanged: 5}}, "the apply of main@sha1:abc makes no differences: 5 objects unchanged"},
		{Preview{Revision: "main@sha1:abc", Summary: &Summary{Created: 1, Changed: 3, Pruned: 1, Unchanged: 1, Skipped: 2}, DriftOverwritten: 2},
			"the apply of main@sha1:abc makes 5 differences: 1 created, 3 changed, 1 pruned; 1 unchanged, 2 skipped; it puts back 2 drifted fields the cluster changed"},
		{Preview{Error: "cannot fetch commit abc"}, "what the apply will change is unknown: cannot fetch commit abc"},
		{Preview{Revision: "abc", Summary: &Summary{Changed: 1, Created: 1}, Objects: []PreviewObject{
			{ObjectRef: output.ObjectRef{Kind: "ConfigMap", Namespace: "shop", Name: "config"}, Action: Changed, Fields: []string{".data.region", ".data.zone"}},
			{ObjectRef: output.ObjectRef{Kind: "Namespace", Name: "shop"}, Action: Created}}},
			"the apply of abc makes 2 differences: 1 created, 1 changed; 0 unchanged (changed ConfigMap shop/config (.data.region, .data.zone); created Namespace shop)"},
		{Preview{Revision: "abc", Summary: &Summary{Pruned: 5}, Objects: []PreviewObject{
			{ObjectRef: output.ObjectRef{Kind: "ConfigMap", Namespace: "a", Name: "1"}, Action: Pruned}, {ObjectRef: output.ObjectRef{Kind: "ConfigMap", Namespace: "a", Name: "2"}, Action: Pruned},
			{ObjectRef: output.ObjectRef{Kind: "ConfigMap", Namespace: "a", Name: "3"}, Action: Pruned}, {ObjectRef: output.ObjectRef{Kind: "ConfigMap", Namespace: "a", Name: "4"}, Action: Pruned},
			{ObjectRef: output.ObjectRef{Kind: "ConfigMap", Namespace: "a", Name: "5"}, Action: Pruned}}},
			"the apply of abc makes 5 differences: 5 pruned; 0 unchanged (pruned ConfigMap a/1; pruned ConfigMap a/2; pruned ConfigMap a/3; and 2 more)"},
	}
	for _, tt := range tests {
		if got := tt.p.String(); got != tt.want {
			t.Errorf("String() = %q\nwant %q", got, tt.want)
		}
	}
}
