package source

import (
	"strings"
	"testing"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
)

func TestDescribe(t *testing.T) {
	tests := []struct {
		name   string
		obj    map[string]any
		url    string
		tracks string
		rev    string
		origin string
	}{
		{
			name: "GitRepository with credentials and a semver range",
			obj: map[string]any{"apiVersion": "source.toolkit.fluxcd.io/v1", "kind": "GitRepository",
				"spec":   map[string]any{"url": "https://bot:ghp_secret@github.com/acme/fleet", "ref": map[string]any{"semver": ">=1.0.0", "branch": "main"}},
				"status": map[string]any{"artifact": map[string]any{"revision": "v1.2.0@sha1:" + shaGood}}},
			url: "https://github.com/acme/fleet", tracks: "semver >=1.0.0", rev: "v1.2.0@sha1:" + shaGood,
		},
		{
			name: "OCIRepository with its Git origin",
			obj: map[string]any{"apiVersion": "source.toolkit.fluxcd.io/v1", "kind": "OCIRepository",
				"spec": map[string]any{"url": "oci://ghcr.io/acme/manifests", "ref": map[string]any{"tag": "v2"}},
				"status": map[string]any{"artifact": map[string]any{"revision": "v2@sha256:abc", "metadata": map[string]any{
					"org.opencontainers.image.source": "https://github.com/acme/fleet", "org.opencontainers.image.revision": "main@sha1:" + shaGood}}}},
			url: "oci://ghcr.io/acme/manifests", tracks: "tag v2", rev: "v2@sha256:abc", origin: "main@sha1:" + shaGood,
		},
		{
			name: "Bucket",
			obj: map[string]any{"apiVersion": "source.toolkit.fluxcd.io/v1", "kind": "Bucket",
				"spec":   map[string]any{"endpoint": "minio.example.com", "bucketName": "fleet", "prefix": "prod/"},
				"status": map[string]any{"artifact": map[string]any{"revision": "sha256:def"}}},
			url: "minio.example.com/fleet", tracks: "prefix prod/", rev: "sha256:def",
		},
		{
			name: "ExternalArtifact",
			obj: map[string]any{"apiVersion": "source.toolkit.fluxcd.io/v1", "kind": "ExternalArtifact",
				"status": map[string]any{"artifact": map[string]any{"revision": "latest@sha256:123"}}},
			rev: "latest@sha256:123",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			u := &unstructured.Unstructured{Object: tt.obj}
			u.SetNamespace("flux-system")
			u.SetName("src")
			h := Describe(u)
			if h.URL != tt.url || h.Tracks != tt.tracks || h.Revision != tt.rev || h.OriginRevision != tt.origin {
				t.Errorf("Describe = url %q tracks %q rev %q origin %q; want %q %q %q %q", h.URL, h.Tracks, h.Revision, h.OriginRevision, tt.url, tt.tracks, tt.rev, tt.origin)
			}
		})
	}
}

var shaGood = strings.Repeat("a1", 20)
