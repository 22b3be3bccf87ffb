package source

import (
	"strings"
	"testing"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"

	"github.com/kubectl-gitops/kubectl-gitops/shared/status"
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

// TestDescribeMalformedSpec: a spec that does not parse where Describe reads it is said,
// as status.Of says a status that does not parse (Ready Unknown, StatusUnreadable, "spec
// unreadable: …"), never shown as an empty URL; a status that does not parse does not
// pass for a spec that does not, and neither problem hides the other.
func TestDescribeMalformedSpec(t *testing.T) {
	goodStatus := map[string]any{"conditions": []any{map[string]any{"type": "Ready", "status": "True", "reason": "Succeeded",
		"lastTransitionTime": "2026-01-01T00:00:00Z"}}, "artifact": map[string]any{"revision": "main@sha1:" + shaGood}}
	tests := []struct {
		name, kind string
		spec       any
		status     any
		// want are the strings the Ready message must hold; none: the spec is read.
		want []string
		url  string
	}{
		{name: "GitRepository url not a string", kind: "GitRepository", spec: map[string]any{"url": int64(5), "ref": map[string]any{"branch": "main"}},
			status: goodStatus, want: []string{"spec unreadable: .spec:"}},
		{name: "GitRepository ref not an object", kind: "GitRepository", spec: map[string]any{"url": "https://git.example/fleet", "ref": "main"},
			status: goodStatus, want: []string{"spec unreadable: .spec:"}},
		{name: "GitRepository spec not an object", kind: "GitRepository", spec: "https://git.example/fleet",
			status: goodStatus, want: []string{"spec unreadable: .spec is a string, not an object"}},
		{name: "OCIRepository ref not an object", kind: "OCIRepository", spec: map[string]any{"url": "oci://ghcr.io/acme/fleet", "ref": []any{"v2"}},
			status: goodStatus, want: []string{"spec unreadable: .spec:"}},
		{name: "OCIRepository artifact metadata not strings", kind: "OCIRepository", spec: map[string]any{"url": "oci://ghcr.io/acme/fleet"},
			status: map[string]any{"artifact": map[string]any{"revision": "v2@sha256:abc", "metadata": map[string]any{"org.opencontainers.image.source": int64(1)}}},
			want:   []string{"status unreadable: .status.artifact.metadata:"}, url: "oci://ghcr.io/acme/fleet"},
		{name: "Bucket endpoint not a string", kind: "Bucket", spec: map[string]any{"endpoint": int64(9000), "bucketName": "fleet"},
			status: goodStatus, want: []string{"spec unreadable: .spec.endpoint accessor error"}},
		{name: "HelmRepository url not a string", kind: "HelmRepository", spec: map[string]any{"url": true},
			status: goodStatus, want: []string{"spec unreadable: .spec.url accessor error"}},
		{name: "status and spec both unreadable", kind: "GitRepository", spec: map[string]any{"url": int64(5)},
			status: map[string]any{"conditions": "Ready"}, want: []string{"status unreadable: ", "; spec unreadable: .spec:"}},
		{name: "an unreadable status leaves the spec read", kind: "GitRepository", spec: map[string]any{"url": "https://git.example/fleet"},
			status: map[string]any{"conditions": "Ready"}, want: []string{"status unreadable: "}, url: "https://git.example/fleet"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			u := &unstructured.Unstructured{Object: map[string]any{"apiVersion": "source.toolkit.fluxcd.io/v1", "kind": tt.kind,
				"spec": tt.spec, "status": tt.status}}
			u.SetNamespace("flux-system")
			u.SetName("src")
			info := Describe(u)
			r := info.Status.Ready
			if !r.Unreadable() || r.Status != metav1.ConditionUnknown || !info.Status.LastTransition.IsZero() {
				t.Fatalf("Ready = %+v (transition %v), want Unknown %s", r, info.Status.LastTransition, status.UnreadableReason)
			}
			for _, w := range tt.want {
				if !strings.Contains(r.Message, w) {
					t.Errorf("Ready message = %q, want it to hold %q", r.Message, w)
				}
			}
			specBad := strings.Contains(r.Message, "spec unreadable")
			if (info.SpecErr != nil) != specBad || info.URL != tt.url || (specBad && info.Tracks != "") {
				t.Errorf("SpecErr = %v, URL %q, Tracks %q; want an error %v, URL %q", info.SpecErr, info.URL, info.Tracks, specBad, tt.url)
			}
			// branch show's document says it as it says any Ready condition.
			doc := NewDocument(u)
			if doc.Ready != metav1.ConditionUnknown || doc.Reason != status.UnreadableReason || doc.Message != r.Message {
				t.Errorf("document Ready %q %q %q, want Unknown %s %q", doc.Ready, doc.Reason, doc.Message, status.UnreadableReason, r.Message)
			}
		})
	}
}
