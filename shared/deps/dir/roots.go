package dir

import (
	"path/filepath"
	"slices"
	"strings"

	sourcev1 "github.com/fluxcd/source-controller/api/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"sigs.k8s.io/yaml"

	"github.com/kubectl-gitops/kubectl-gitops/shared/deps"
	"github.com/kubectl-gitops/kubectl-gitops/shared/flux"
	"github.com/kubectl-gitops/kubectl-gitops/shared/yamldoc"
)

// Where a cluster's Flux starts: the sync paths of a repository (Roots), and for one
// sync path the source that is this repository to its Flux (syncOf, rootSource). That
// source may be of any kind: flux bootstrap makes a GitRepository, but a fleet that
// ships itself as an artifact (flux push artifact, the d2 reference architecture)
// syncs from an OCIRepository or a Bucket filled from the same tree, and every child
// on it must be rendered from this repository as much as a GitRepository's.

// isSourceKind reports whether kind is a source a cluster can sync this repository from.
func isSourceKind(kind string) bool {
	switch kind {
	case flux.KindGitRepository, flux.KindOCIRepository, flux.KindBucket:
		return true
	}
	return false
}

// Roots finds the clusters of a repository: the sync path of every root Kustomization
// in the `flux bootstrap` layout (a Kustomization written inside the path it applies,
// reading a GitRepository, OCIRepository or Bucket the repository defines too) and of
// every flux-operator FluxInstance (spec.sync.path, or the flux-instance chart's
// instance.sync.path). Sorted, without repeats.
func Roots(repo string, opts Options) []string {
	if opts.DefaultNamespace == "" {
		opts.DefaultNamespace = DefaultNamespace
	}
	var roots []string
	sources := map[string]bool{}
	var candidates []deps.Node
	eachObject(repo, func(p string, doc yamldoc.Document, obj *repoObject) {
		if path, _, ok := obj.instanceSync(opts.DefaultNamespace); ok {
			roots = append(roots, path)
			return
		}
		switch group := obj.group(); {
		case isSourceKind(obj.Kind) && group == sourcev1.GroupVersion.Group:
			sources[obj.key(opts.DefaultNamespace)] = true
		case obj.Kind == flux.KindKustomization && group == kustomizeGroup:
			if node, ok, _ := decode(doc, opts); ok {
				node.File = p
				candidates = append(candidates, node)
			}
		}
	})
	for _, k := range candidates {
		rel, err := filepath.Rel(repo, k.File)
		path := cleanRel(k.Path)
		if err != nil || !sources[k.SourceRef.Key()] {
			continue
		}
		if path == "." || strings.HasPrefix(filepath.ToSlash(rel), path+"/") {
			roots = append(roots, path)
		}
	}
	slices.Sort(roots)
	return slices.Compact(roots)
}

// rootSync is what the repository says of the source its Flux syncs one path from.
type rootSync struct {
	// source is its key ("OCIRepository/flux-system/flux-system"): the one a
	// Kustomization written for the sync path reads, else the one a FluxInstance
	// syncing the path makes; "" when the repository says nothing of it.
	source string
	// ignore is the spec.ignore of the source, when the repository defines it (the
	// `flux bootstrap` layout): source-controller leaves what it names out of the
	// artifact, beside .sourceignore.
	ignore string
}

// syncOf reads, in one pass over the repository, the source of syncPath and its ignore.
func syncOf(repo, syncPath string, opts Options) rootSync {
	var keys, fromInstance []string
	ignores := map[string]string{}
	eachObject(repo, func(p string, doc yamldoc.Document, obj *repoObject) {
		if path, key, ok := obj.instanceSync(opts.DefaultNamespace); ok {
			if path == syncPath && key != "" {
				fromInstance = append(fromInstance, key)
			}
			return
		}
		switch {
		case isSourceKind(obj.Kind) && obj.group() == sourcev1.GroupVersion.Group && obj.Spec.Ignore != "":
			ignores[obj.key(opts.DefaultNamespace)] = obj.Spec.Ignore
		case obj.Kind == flux.KindKustomization && obj.group() == kustomizeGroup:
			if n, ok, _ := decode(doc, opts); ok && cleanRel(n.Path) == syncPath {
				keys = append(keys, n.SourceRef.Key())
			}
		}
	})
	keys = append(keys, fromInstance...)
	var out rootSync
	for _, k := range keys {
		if out.source == "" {
			out.source = k
		}
		if ig, ok := ignores[k]; ok {
			out.ignore = ig
			break
		}
	}
	return out
}

// rootSource is the source the repository is to its Flux, whatever its kind: the one
// the rendered Kustomization applying the sync path reads (flux bootstrap, or its
// OCIRepository form); else declared, what syncOf found (a FluxInstance's sync, whose
// Kustomization is not in Git); else the GitRepository most Kustomizations at the sync
// path read; "" when none reads one, and every child is then on another source.
func rootSource(objects []*unstructured.Unstructured, syncPath, declared string) string {
	count := map[string]int{}
	best := ""
	for _, u := range objects {
		if u.GetKind() != flux.KindKustomization || !strings.HasPrefix(u.GetAPIVersion(), kustomizeGroup+"/") {
			continue
		}
		kind, _, _ := unstructured.NestedString(u.Object, "spec", "sourceRef", "kind")
		name, _, _ := unstructured.NestedString(u.Object, "spec", "sourceRef", "name")
		ns, _, _ := unstructured.NestedString(u.Object, "spec", "sourceRef", "namespace")
		if ns == "" {
			ns = orDefault(u.GetNamespace(), DefaultNamespace)
		}
		key := kind + "/" + ns + "/" + name
		if path, _, _ := unstructured.NestedString(u.Object, "spec", "path"); cleanRel(path) == syncPath {
			return key
		}
		if kind != flux.KindGitRepository {
			continue // an OCIRepository, an ExternalArtifact: more likely another source
		}
		if count[key]++; best == "" || count[key] > count[best] {
			best = key
		}
	}
	if declared != "" {
		return declared
	}
	return best
}

// syncSpec is a FluxInstance's spec.sync, or the flux-instance chart's instance.sync.
type syncSpec struct {
	Kind string `json:"kind"`
	Name string `json:"name"`
	Path string `json:"path"`
}

// repoObject is what the repository-wide scans read of any object: its identity, a
// source's spec.ignore, and the sync a FluxInstance (or the flux-instance chart's
// values) sets up.
type repoObject struct {
	APIVersion string `json:"apiVersion"`
	Kind       string `json:"kind"`
	Metadata   struct {
		Name      string `json:"name"`
		Namespace string `json:"namespace"`
	} `json:"metadata"`
	Spec struct {
		Ignore          string   `json:"ignore"`
		Sync            syncSpec `json:"sync"`
		TargetNamespace string   `json:"targetNamespace"`
		Values          struct {
			Instance struct {
				Sync syncSpec `json:"sync"`
			} `json:"instance"`
		} `json:"values"`
	} `json:"spec"`
}

func (o *repoObject) group() string {
	g, _, _ := strings.Cut(o.APIVersion, "/")
	return g
}

// key is the object's "Kind/namespace/name".
func (o *repoObject) key(defaultNamespace string) string {
	return o.Kind + "/" + orDefault(o.Metadata.Namespace, defaultNamespace) + "/" + o.Metadata.Name
}

// instanceSync is the sync path of a FluxInstance (or of a HelmRelease of the
// flux-instance chart, which makes one in its release namespace) and the key of the
// source flux-operator makes for it: named sync.name, else after the instance's
// namespace, as flux bootstrap names its own; key is "" when the kind is not said.
// ok is false for any other object, or an instance that syncs nothing.
func (o *repoObject) instanceSync(defaultNamespace string) (path, key string, ok bool) {
	ns := orDefault(o.Metadata.Namespace, defaultNamespace)
	var s syncSpec
	switch group := o.group(); {
	case o.Kind == "FluxInstance" && group == operatorGroup:
		s = o.Spec.Sync
	case o.Kind == flux.KindHelmRelease && group == helmGroup:
		s = o.Spec.Values.Instance.Sync
		ns = orDefault(o.Spec.TargetNamespace, ns)
	}
	if s.Path == "" {
		return "", "", false
	}
	if s.Kind != "" {
		key = s.Kind + "/" + ns + "/" + orDefault(s.Name, ns)
	}
	return cleanRel(s.Path), key, true
}

// eachObject hands fn every document of the repository's manifests with its repoObject.
func eachObject(repo string, fn func(path string, doc yamldoc.Document, obj *repoObject)) {
	eachManifest(repo, func(p string, data []byte) {
		for _, doc := range yamldoc.Split(data) {
			var obj repoObject
			if yaml.Unmarshal(doc.Text, &obj) == nil {
				fn(p, doc, &obj)
			}
		}
	})
}
