package resolve

import (
	"context"
	"fmt"

	sourcev1 "github.com/fluxcd/source-controller/api/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"

	"github.com/kubectl-gitops/kubectl-gitops/shared/flux"
	"github.com/kubectl-gitops/kubectl-gitops/shared/sourceref"
)

// OCI annotations through which `flux push artifact` records the Git origin.
const (
	ociSourceAnnotation   = "org.opencontainers.image.source"
	ociRevisionAnnotation = "org.opencontainers.image.revision"
)

// addSource reads a source once and appends its hop.
func (t *Tracer) addSource(ctx context.Context, r *Report, role, kind, namespace, name, via string) {
	ref := ObjectRef{APIVersion: sourcev1.GroupVersion.String(), Kind: kind, Namespace: namespace, Name: name}
	if _, ok := flux.GVR(kind); !ok {
		r.Hops = append(r.Hops, Hop{Role: role, Ref: ref, Via: via, Error: fmt.Sprintf("unsupported source kind %q", kind)})
		return
	}
	u, err := t.getFlux(ctx, kind, namespace, name)
	if err != nil {
		r.addErrorHop(role, ref, via, err)
		return
	}
	r.Hops = append(r.Hops, SourceHop(role, via, u))
}

// SourceHop describes a GitRepository, OCIRepository, Bucket, HelmRepository or
// ExternalArtifact: address without credentials, the ref it tracks, the revision it holds.
func SourceHop(role, via string, u *unstructured.Unstructured) Hop {
	suspended, _, _ := unstructured.NestedBool(u.Object, "spec", "suspend")
	hop := Hop{Role: role, Ref: refOf(u), Via: via, Health: health(u, suspended)}
	hop.Revision, _, _ = unstructured.NestedString(u.Object, "status", "artifact", "revision")
	switch u.GetKind() {
	case flux.KindGitRepository:
		var gr sourcev1.GitRepository
		if flux.FromUnstructured(u, &gr) == nil {
			hop.URL = sourceref.RedactURL(gr.Spec.URL)
			hop.Tracks = sourceref.FromGit(gr.Spec.Reference).String()
		}
	case flux.KindOCIRepository:
		var or sourcev1.OCIRepository
		if flux.FromUnstructured(u, &or) == nil {
			hop.URL = sourceref.RedactURL(or.Spec.URL)
			hop.Tracks = ociTracks(or.Spec.Reference)
			if a := or.Status.Artifact; a != nil {
				hop.OriginURL = sourceref.RedactURL(a.Metadata[ociSourceAnnotation])
				hop.OriginRevision = a.Metadata[ociRevisionAnnotation]
			}
		}
	case flux.KindBucket:
		endpoint, _, _ := unstructured.NestedString(u.Object, "spec", "endpoint")
		bucket, _, _ := unstructured.NestedString(u.Object, "spec", "bucketName")
		prefix, _, _ := unstructured.NestedString(u.Object, "spec", "prefix")
		hop.URL = sourceref.RedactURL(endpoint) + "/" + bucket
		if prefix != "" {
			hop.Tracks = "prefix " + prefix
		}
	case flux.KindHelmRepository:
		url, _, _ := unstructured.NestedString(u.Object, "spec", "url")
		hop.URL = sourceref.RedactURL(url)
	}
	return hop
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
