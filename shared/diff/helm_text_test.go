package diff

import (
	"bytes"
	"path/filepath"
	"testing"

	"github.com/kubectl-gitops/kubectl-gitops/shared/output"
	"github.com/kubectl-gitops/kubectl-gitops/shared/output/outputtest"
)

// helmSample has a HelmRelease with drift, pending and removed objects, one compared
// with its deployed release only, one whose chart does not render and one skipped.
func helmSample() *Diff {
	d := New()
	hotfix := []Manager{{Manager: "hotfix", Operation: "Update", Time: timeAt("2026-12-04T20:31:05Z")}}
	d.HelmReleases = []HelmRelease{
		{Name: "web", Namespace: "apps", Release: "apps/web", ReleaseVersion: 4, Chart: "web@0.1.0", Source: "GitRepository flux-system/fleet",
			Revision: "main@sha1:3f2a9c1e0b7d4a5f6e8c9b0a1d2e3f4a5b6c7d8e", RevisionFrom: "source",
			Summary: Summary{Changed: 2, Removed: 1, Skipped: 1, Unchanged: 1},
			Objects: []Object{
				{ObjectRef: output.ObjectRef{APIVersion: "v1", Kind: "ConfigMap", Namespace: "apps", Name: "web-config"}, Action: Changed,
					Diff:      "--- live/ConfigMap/apps/web-config\n+++ apply/ConfigMap/apps/web-config\n@@ -1,3 +1,3 @@\n data:\n-  greeting: hi\n+  greeting: hello\n",
					Fields:    []Field{{Path: ".data.greeting", Origin: Drift, Managers: hotfix}},
					Conflicts: []Conflict{{Path: ".data.greeting", IgnorePath: "/data/greeting", Managers: hotfix}}},
				{ObjectRef: output.ObjectRef{APIVersion: "v1", Kind: "Secret", Namespace: "apps", Name: "web-creds"}, Action: Changed, ChangedKeys: []string{"password"},
					Fields: []Field{{Path: ".data.password", Origin: Pending}}},
				{ObjectRef: output.ObjectRef{APIVersion: "v1", Kind: "Service", Namespace: "apps", Name: "web"}, Action: Unchanged},
				{ObjectRef: output.ObjectRef{APIVersion: "v1", Kind: "ConfigMap", Namespace: "apps", Name: "manual"}, Action: Skipped, Reason: "helm.toolkit.fluxcd.io/driftDetection: disabled in the manifest"},
				{ObjectRef: output.ObjectRef{APIVersion: "v1", Kind: "ConfigMap", Namespace: "apps", Name: "web-extra"}, Action: Removed, Reason: "no longer rendered: Helm deletes it on upgrade"},
			},
			Notes: []string{"fetched commit 3f2a9c1e0b7d from https://git.example/fleet.git with your git (shallow, into a temporary folder, removed)"}},
		{Name: "api", Namespace: "apps", Release: "apps/api", ReleaseVersion: 2, Chart: "api@1.2.0", RevisionFrom: RevisionApplied,
			Summary: Summary{Unchanged: 2}, Objects: []Object{
				{ObjectRef: output.ObjectRef{APIVersion: "v1", Kind: "ConfigMap", Namespace: "apps", Name: "api"}, Action: Unchanged},
				{ObjectRef: output.ObjectRef{APIVersion: "v1", Kind: "Service", Namespace: "apps", Name: "api"}, Action: Unchanged}}},
		{Name: "broken", Namespace: "apps", Release: "apps/broken", Source: "GitRepository flux-system/fleet", Revision: "main@sha1:3f2a9c1e0b7d4a5f6e8c9b0a1d2e3f4a5b6c7d8e", RevisionFrom: "source",
			Objects: []Object{}, Error: "template: broken/templates/cm.yaml:3: function \"nope\" not defined"},
		{Name: "db", Namespace: "apps", Objects: []Object{}, Skipped: "HelmRelease apps/db installs chart postgres from HelmRepository apps/bitnami: only a chart in a GitRepository is fetched yet"},
	}
	return d
}

func TestWriteTextHelmReleases(t *testing.T) {
	var buf bytes.Buffer
	d := helmSample()
	if err := d.WriteText(&buf, output.TextOptions{}); err != nil {
		t.Fatal(err)
	}
	outputtest.Golden(t, filepath.Join("testdata", "helm-text.golden"), buf.Bytes(), *update)
	if !d.Differs() {
		t.Error("Differs() = false with changed and removed objects")
	}
	d.HelmReleases = d.HelmReleases[1:2]
	if d.Differs() {
		t.Error("Differs() = true with only unchanged objects")
	}
}
