package source

import (
	"time"

	sourcev1 "github.com/fluxcd/source-controller/api/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"

	"github.com/kubectl-gitops/kubectl-gitops/shared/flux"
	"github.com/kubectl-gitops/kubectl-gitops/shared/output"
	"github.com/kubectl-gitops/kubectl-gitops/shared/redact"
	"github.com/kubectl-gitops/kubectl-gitops/shared/status"
)

// OCI annotations through which `flux push artifact` records the Git origin.
const (
	ociSourceAnnotation   = "org.opencontainers.image.source"
	ociRevisionAnnotation = "org.opencontainers.image.revision"
)

// Info describes a GitRepository, OCIRepository, Bucket, HelmRepository or
// ExternalArtifact the way a user asks about it: where it reads from (without
// credentials), which ref it follows, and the revision it holds now.
type Info struct {
	// URL is the address with credentials removed.
	URL string
	// Tracks is the ref followed: "branch main", "tag v1.0.0", "commit 1a2b…".
	Tracks string
	// Ref is the GitRepository's effective ref (nil for other kinds).
	Ref *Ref
	// Revision is status.artifact.revision.
	Revision string
	// OriginURL and OriginRevision come from an OCI artifact's annotations.
	OriginURL      string
	OriginRevision string
	Status         status.Status
}

// Describe reads what any source kind says about itself.
func Describe(u *unstructured.Unstructured) Info {
	info := Info{Status: status.Of(u)}
	info.Revision = info.Status.ArtifactRevision
	switch u.GetKind() {
	case flux.KindGitRepository:
		var gr sourcev1.GitRepository
		if flux.FromUnstructured(u, &gr) == nil {
			ref := FromGit(gr.Spec.Reference)
			info.URL, info.Ref, info.Tracks = redact.URL(gr.Spec.URL), &ref, ref.String()
		}
	case flux.KindOCIRepository:
		var or sourcev1.OCIRepository
		if flux.FromUnstructured(u, &or) == nil {
			info.URL = redact.URL(or.Spec.URL)
			info.Tracks = ociTracks(or.Spec.Reference)
			if a := or.Status.Artifact; a != nil {
				info.OriginURL = redact.URL(a.Metadata[ociSourceAnnotation])
				info.OriginRevision = a.Metadata[ociRevisionAnnotation]
			}
		}
	case flux.KindBucket:
		endpoint, _, _ := unstructured.NestedString(u.Object, "spec", "endpoint")
		bucket, _, _ := unstructured.NestedString(u.Object, "spec", "bucketName")
		prefix, _, _ := unstructured.NestedString(u.Object, "spec", "prefix")
		info.URL = redact.URL(endpoint) + "/" + bucket
		if prefix != "" {
			info.Tracks = "prefix " + prefix
		}
	case flux.KindHelmRepository:
		url, _, _ := unstructured.NestedString(u.Object, "spec", "url")
		info.URL = redact.URL(url)
	}
	return info
}

func ociTracks(ref *sourcev1.OCIRepositoryRef) string {
	switch {
	case ref == nil:
		return "tag latest"
	case ref.Digest != "":
		return "digest " + ref.Digest
	case ref.SemVer != "":
		return "semver " + ref.SemVer
	case ref.Tag != "":
		return "tag " + ref.Tag
	}
	return "tag latest"
}

// Document is what `branch show -o json|yaml` prints for one GitRepository: kind
// SourceRef, the ref it tracks and the revision it holds.
type Document struct {
	output.TypeMeta `json:",inline"`
	Object          Object `json:"object"`
	// URL is the address with credentials removed.
	URL string `json:"url"`
	// Tracks is the ref followed, in words: "branch main".
	Tracks string `json:"tracks"`
	// Ref is the effective ref, kind and value.
	Ref *Ref `json:"ref,omitempty"`
	// Revision is the artifact revision the source holds now.
	Revision string `json:"revision,omitempty"`
	Ready    string `json:"ready"`
	Reason   string `json:"reason,omitempty"`
	Message  string `json:"message,omitempty"`
	// Switched is set while `kubectl gitops branch set` holds the source away from the
	// ref it tracked (and Git declares).
	Switched *Switched `json:"switched,omitempty"`
	// Consumers are the Kustomizations reading the source, with what each applied.
	Consumers []Consumer `json:"consumers,omitempty"`
}

// Consumer is a Kustomization reading the source; Current says it applied the
// revision the source holds now.
type Consumer struct {
	Kind      string `json:"kind"`
	Namespace string `json:"namespace"`
	Name      string `json:"name"`
	Applied   string `json:"applied,omitempty"`
	Current   bool   `json:"current"`
	Suspended bool   `json:"suspended,omitempty"`
}

// Switched says who moved a source to another ref, when, from what, and which parent
// Kustomization skips it meanwhile.
type Switched struct {
	From   Ref       `json:"from"`
	By     string    `json:"by,omitempty"`
	At     time.Time `json:"at"`
	Parent string    `json:"parent,omitempty"`
}

// Object names the source.
type Object struct {
	Kind      string `json:"kind"`
	Namespace string `json:"namespace"`
	Name      string `json:"name"`
}

// NewDocument describes u as a SourceRef document.
func NewDocument(u *unstructured.Unstructured) Document {
	info := Describe(u)
	ready := string(info.Status.Ready.Status)
	if ready == "" {
		ready = "Unknown"
	}
	return Document{
		TypeMeta: output.NewTypeMeta(output.KindSourceRef),
		Object:   Object{Kind: u.GetKind(), Namespace: u.GetNamespace(), Name: u.GetName()},
		URL:      info.URL, Tracks: info.Tracks, Ref: info.Ref, Revision: info.Revision,
		Ready: ready, Reason: info.Status.Ready.Reason, Message: info.Status.Ready.Message,
	}
}
