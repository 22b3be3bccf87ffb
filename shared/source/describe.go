package source

import (
	"errors"
	"fmt"
	"time"

	sourcev1 "github.com/fluxcd/source-controller/api/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime"

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
	// Status is the object's status; a spec that does not parse makes its Ready
	// condition Unknown (status.SpecUnreadable).
	Status status.Status
	// SpecErr is why the spec did not parse where Describe reads it (URL and Tracks are
	// empty then); nil when it did.
	SpecErr error
}

// Describe reads what any source kind says about itself. A spec that does not parse
// where it is read (a url that is not a string, a ref that is not an object) leaves
// URL and Tracks empty and says so as status.Of says a status that does not parse: a
// Ready condition of Unknown, reason status.UnreadableReason, and a "spec unreadable: …"
// message, which every reader shows; SpecErr holds the error.
func Describe(u *unstructured.Unstructured) Info {
	info := Info{Status: status.Of(u)}
	info.Revision = info.Status.ArtifactRevision
	var specErrs []error
	switch u.GetKind() {
	case flux.KindGitRepository:
		var spec sourcev1.GitRepositorySpec
		if err := specInto(u, &spec); err != nil {
			specErrs = append(specErrs, err)
			break
		}
		ref := FromGit(spec.Reference)
		info.URL, info.Ref, info.Tracks = redact.URL(spec.URL), &ref, ref.String()
	case flux.KindOCIRepository:
		var spec sourcev1.OCIRepositorySpec
		if err := specInto(u, &spec); err != nil {
			specErrs = append(specErrs, err)
		} else {
			info.URL = redact.URL(spec.URL)
			info.Tracks = ociTracks(spec.Reference)
		}
		meta, _, err := unstructured.NestedStringMap(u.Object, "status", "artifact", "metadata")
		if err != nil {
			info.Status.Ready = info.Status.Ready.Join(status.Unreadable(fmt.Errorf(".status.artifact.metadata: %w", err)))
			info.Status.LastTransition = time.Time{}
		}
		info.OriginURL = redact.URL(meta[ociSourceAnnotation])
		info.OriginRevision = meta[ociRevisionAnnotation]
	case flux.KindBucket:
		endpoint := specString(u, &specErrs, "endpoint")
		bucket := specString(u, &specErrs, "bucketName")
		prefix := specString(u, &specErrs, "prefix")
		if len(specErrs) > 0 {
			break
		}
		info.URL = redact.URL(endpoint) + "/" + bucket
		if prefix != "" {
			info.Tracks = "prefix " + prefix
		}
	case flux.KindHelmRepository:
		info.URL = redact.URL(specString(u, &specErrs, "url"))
	}
	if len(specErrs) > 0 {
		info.SpecErr = errors.Join(specErrs...)
		info.Status.Ready = info.Status.Ready.Join(status.SpecUnreadable(info.SpecErr))
		info.Status.LastTransition = time.Time{}
	}
	return info
}

// specInto converts the object's spec alone into out, so that a status that does not
// parse (status.Of's to report) is not taken for a spec that does not.
func specInto(u *unstructured.Unstructured, out any) error {
	switch m := u.Object["spec"].(type) {
	case nil:
		return nil
	case map[string]any:
		if err := runtime.DefaultUnstructuredConverter.FromUnstructured(m, out); err != nil {
			return fmt.Errorf(".spec: %w", err)
		}
		return nil
	default:
		return fmt.Errorf(".spec is a %T, not an object", m)
	}
}

// specString reads .spec.<field>, adding to errs when it is there but not a string.
func specString(u *unstructured.Unstructured, errs *[]error, field string) string {
	s, _, err := unstructured.NestedString(u.Object, "spec", field)
	if err != nil {
		*errs = append(*errs, err)
	}
	return s
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
	Object          output.ObjectRef `json:"object"`
	// URL is the address with credentials removed.
	URL string `json:"url"`
	// Tracks is the ref followed, in words: "branch main".
	Tracks string `json:"tracks"`
	// Ref is the effective ref, kind and value.
	Ref *Ref `json:"ref,omitempty"`
	// Revision is the artifact revision the source holds now.
	Revision string `json:"revision,omitempty"`
	// Ready is the Ready condition's status, Unknown when absent.
	Ready   metav1.ConditionStatus `json:"ready"`
	Reason  string                 `json:"reason,omitempty"`
	Message string                 `json:"message,omitempty"`
	// Switched is set while `kubectl gitops branch set` holds the source away from the
	// ref it tracked (and Git declares).
	Switched *Switched `json:"switched,omitempty"`
	// Consumers are the objects reading the source, with what each applied.
	Consumers []Consumer `json:"consumers,omitempty"`
	// Remote lists the repository's branches, with --remote or --git-dir.
	Remote *Remote `json:"remote,omitempty"`
}

// Remote is what the repository says about its branches: each one and its head, which
// one the source tracks and which one Git declares (the one tracked before a switch),
// and, from a clone, how far apart they and Flux's commit are.
type Remote struct {
	Branches []Branch `json:"branches,omitempty"`
	Tracked  string   `json:"tracked,omitempty"`
	Declared string   `json:"declared,omitempty"`
	// TrackedVsDeclared counts the commits the tracked branch has that the declared one
	// lacks (ahead) and the other way (behind); set when they differ.
	TrackedVsDeclared *Count `json:"trackedVsDeclared,omitempty"`
	// HeldVsTracked compares the commit the source holds with the tracked branch's
	// head: behind > 0 means Flux has not fetched the newest commits yet.
	HeldVsTracked *Count   `json:"heldVsTracked,omitempty"`
	Notes         []string `json:"notes,omitempty"`
}

// Branch is one branch of the repository and the commit it points at.
type Branch struct {
	Name     string `json:"name"`
	Commit   string `json:"commit"`
	Tracked  bool   `json:"tracked,omitempty"`
	Declared bool   `json:"declared,omitempty"`
}

// Count is how many commits one side has that the other lacks.
type Count struct {
	Ahead  int `json:"ahead"`
	Behind int `json:"behind"`
}

// Switched says who moved a source to another ref, when, from what, and which parent
// Kustomization skips it meanwhile.
type Switched struct {
	// Action is "set" (switched to another branch) or "pin" (pinned to a commit).
	Action string    `json:"action"`
	From   Ref       `json:"from"`
	By     string    `json:"by,omitempty"`
	At     time.Time `json:"at"`
	Parent string    `json:"parent,omitempty"`
	// Undo is the command that puts the source back.
	Undo string `json:"undo,omitempty"`
}

// NewDocument describes u as a SourceRef document.
func NewDocument(u *unstructured.Unstructured) Document {
	info := Describe(u)
	ready := info.Status.Ready.Status
	if ready == "" {
		ready = metav1.ConditionUnknown
	}
	return Document{
		TypeMeta: output.NewTypeMeta(output.KindSourceRef),
		Object:   output.ObjectRef{Kind: u.GetKind(), Namespace: u.GetNamespace(), Name: u.GetName()},
		URL:      info.URL, Tracks: info.Tracks, Ref: info.Ref, Revision: info.Revision,
		Ready: ready, Reason: info.Status.Ready.Reason, Message: info.Status.Ready.Message,
	}
}
