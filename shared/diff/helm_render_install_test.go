package diff

import (
	"log/slog"
	"path/filepath"
	"testing"

	"helm.sh/helm/v4/pkg/action"
	chartcommon "helm.sh/helm/v4/pkg/chart/common"
	"helm.sh/helm/v4/pkg/chart/v2/loader"
)

// installManifest is the manifest of Helm's own install action in client-only
// dry-run, as renderChart called it before it made the same calls itself.
func installManifest(t *testing.T, dir string, vals map[string]any, rel releaseRef, upgrade bool, c capabilities) (string, error) {
	t.Helper()
	ch, err := loader.Load(dir)
	if err != nil {
		t.Fatal(err)
	}
	cfg := action.NewConfiguration()
	cfg.SetLogger(slog.DiscardHandler)
	install := action.NewInstall(cfg)
	install.DryRunStrategy = action.DryRunClient
	install.ReleaseName = rel.Name
	install.Namespace = rel.Namespace
	install.IsUpgrade = upgrade
	install.Replace = true
	if c.KubeVersion != "" {
		kv, err := chartcommon.ParseKubeVersion(c.KubeVersion)
		if err != nil {
			t.Fatal(err)
		}
		install.KubeVersion = kv
	}
	install.APIVersions = c.APIVersions
	r, err := install.Run(ch, vals)
	if err != nil {
		return "", err
	}
	v1, err := asV1(r)
	if err != nil {
		t.Fatal(err)
	}
	return v1.Manifest, nil
}

// TestRenderManifestMatchesInstall: renderManifest answers what Helm's install action
// answers (client-only dry-run), manifest for manifest and error for error, on charts
// that use each step it copies: hooks and NOTES.txt left out, crds/ not rendered,
// subcharts enabled and disabled by condition and tags, import-values, a values schema
// met and broken, the chart's kubeVersion, capabilities, upgrade, a bad release name.
func TestRenderManifestMatchesInstall(t *testing.T) {
	root := writeChart(t, map[string]string{
		"web/Chart.yaml": `apiVersion: v2
name: web
version: 0.1.0
kubeVersion: ">=1.19.0-0"
dependencies:
- name: db
  version: 0.1.0
  condition: db.enabled
  import-values:
  - child: exported
    parent: fromdb
- name: cache
  version: 0.1.0
  tags: [cache]
`,
		"web/values.yaml": "greeting: hello\nreplicas: 1\ndb:\n  enabled: true\ntags:\n  cache: false\n",
		"web/values.schema.json": `{"$schema": "http://json-schema.org/draft-07/schema#", "type": "object",
  "properties": {"replicas": {"type": "integer", "minimum": 1}, "greeting": {"type": "string"}}}`,
		"web/crds/crd.yaml":          "apiVersion: apiextensions.k8s.io/v1\nkind: CustomResourceDefinition\nmetadata:\n  name: things.example.com\n",
		"web/templates/NOTES.txt":    "Installed {{ .Release.Name }}.\n",
		"web/templates/_helpers.tpl": `{{- define "web.name" -}}{{ .Release.Name }}-web{{- end -}}`,
		"web/templates/cm.yaml": `apiVersion: v1
kind: ConfigMap
metadata:
  name: {{ include "web.name" . }}
data:
  greeting: {{ .Values.greeting | quote }}
  upgrade: {{ .Release.IsUpgrade | quote }}
  install: {{ .Release.IsInstall | quote }}
  revision: {{ .Release.Revision | quote }}
  kube: {{ .Capabilities.KubeVersion.Version | quote }}
  hasThing: {{ .Capabilities.APIVersions.Has "example.com/v1/Thing" | quote }}
  hasApps: {{ .Capabilities.APIVersions.Has "apps/v1" | quote }}
  port: {{ (.Values.fromdb | default dict).port | default "none" | quote }}
  chart: {{ .Chart.Name }}-{{ .Chart.Version }}
`,
		"web/templates/deploy.yaml": `apiVersion: apps/v1
kind: Deployment
metadata:
  name: {{ .Release.Name }}
spec:
  replicas: {{ .Values.replicas }}
`,
		"web/templates/sa.yaml":     "apiVersion: v1\nkind: ServiceAccount\nmetadata:\n  name: {{ .Release.Name }}\n",
		"web/templates/hook.yaml":   "apiVersion: batch/v1\nkind: Job\nmetadata:\n  name: migrate\n  annotations:\n    helm.sh/hook: pre-upgrade\n",
		"web/templates/empty.yaml":  "{{- if false }}\nkind: Nothing\n{{- end }}\n",
		"web/charts/db/Chart.yaml":  "apiVersion: v2\nname: db\nversion: 0.1.0\n",
		"web/charts/db/values.yaml": "exported:\n  port: 5432\nsize: 1Gi\n",
		"web/charts/db/templates/svc.yaml": `apiVersion: v1
kind: Service
metadata:
  name: {{ .Release.Name }}-db
  annotations:
    size: {{ .Values.size | quote }}
    global: {{ .Values.global.team | default "none" | quote }}
`,
		"web/charts/db/templates/NOTES.txt":  "db notes\n",
		"web/charts/cache/Chart.yaml":        "apiVersion: v2\nname: cache\nversion: 0.1.0\n",
		"web/charts/cache/templates/cm.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: cache\n",
		"old/Chart.yaml":                     "apiVersion: v2\nname: old\nversion: 0.1.0\nkubeVersion: \"<1.20.0\"\n",
		"old/templates/cm.yaml":              "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: old\n",
		"broken/Chart.yaml":                  "apiVersion: v2\nname: broken\nversion: 0.1.0\n",
		"broken/templates/x.yaml":            "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: {{ .Values.missing.field }}\n",
	})
	web := filepath.Join(root, "web")
	rel := releaseRef{Name: "web", Namespace: "apps"}
	cluster := capabilities{KubeVersion: "v1.37.2", APIVersions: []string{"example.com/v1", "example.com/v1/Thing"}}
	for _, tc := range []struct {
		name    string
		dir     string
		vals    map[string]any
		rel     releaseRef
		upgrade bool
		caps    capabilities
		wantErr bool
	}{
		{name: "install, Helm's default capabilities", dir: web, rel: rel},
		{name: "upgrade, the cluster's capabilities", dir: web, rel: rel, upgrade: true, caps: cluster},
		{name: "values override, subchart off, tag on, a global", dir: web, rel: rel, caps: cluster,
			vals: map[string]any{"greeting": "hi", "db": map[string]any{"enabled": false}, "tags": map[string]any{"cache": true}, "global": map[string]any{"team": "a"}}},
		{name: "values against the schema", dir: web, rel: rel, vals: map[string]any{"replicas": 0}, wantErr: true},
		{name: "a value of the wrong type for the schema", dir: web, rel: rel, vals: map[string]any{"greeting": 3}, wantErr: true},
		{name: "a chart's kubeVersion the cluster does not meet", dir: filepath.Join(root, "old"), rel: rel, caps: cluster, wantErr: true},
		{name: "a template that fails", dir: filepath.Join(root, "broken"), rel: rel, wantErr: true},
		{name: "a release name Helm refuses", dir: web, rel: releaseRef{Name: "Web_1", Namespace: "apps"}, wantErr: true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			want, wantErr := installManifest(t, tc.dir, tc.vals, tc.rel, tc.upgrade, tc.caps)
			ch, err := loader.Load(tc.dir)
			if err != nil {
				t.Fatal(err)
			}
			got, err := renderManifest(ch, tc.vals, tc.rel, tc.upgrade, tc.caps)
			if (wantErr != nil) != tc.wantErr {
				t.Fatalf("Helm's install: error %v, want an error %v", wantErr, tc.wantErr)
			}
			if tc.wantErr {
				if err == nil || err.Error() != wantErr.Error() {
					t.Fatalf("error\n%v\nwant Helm's install's\n%v", err, wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if testing.Verbose() {
				t.Log(got)
			}
			if got != want {
				t.Errorf("manifest\n%s\nwant Helm's install's\n%s", got, want)
			}
		})
	}
}
