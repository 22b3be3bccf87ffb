// Package dir reads Flux Kustomizations and HelmReleases from YAML
// files on disk, for analysing a repository's dependency graph offline,
// before anything reaches a cluster (a pre-merge check, say).
package dir

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	helmv2 "github.com/fluxcd/helm-controller/api/v2"
	kustomizev1 "github.com/fluxcd/kustomize-controller/api/v1"
	yaml "go.yaml.in/yaml/v3"

	"github.com/kubectl-gitops/kubectl-gitops/shared/deps"
	"github.com/kubectl-gitops/kubectl-gitops/shared/flux"
	"github.com/kubectl-gitops/kubectl-gitops/shared/yamldoc"
)

// DefaultNamespace is used for objects whose manifest has no namespace.
//
// In a Flux repository, Kustomization and HelmRelease manifests often omit
// metadata.namespace and get one when applied (from the parent
// Kustomization's targetNamespace, or the namespace its own manifests are
// applied to). Offline that context is unknown, so we assume flux-system:
// it is where `flux bootstrap` creates the Kustomizations that sync the
// repository and where most repositories keep the rest.
const DefaultNamespace = "flux-system"

const (
	kustomizeGroup = "kustomize.toolkit.fluxcd.io"
	helmGroup      = "helm.toolkit.fluxcd.io"
	sourceGroup    = "source.toolkit.fluxcd.io"
	// notificationGroup is notification-controller's (Receivers).
	notificationGroup = "notification.toolkit.fluxcd.io"
)

// Options tune Load.
type Options struct {
	// DefaultNamespace replaces an empty metadata.namespace; empty means
	// the package DefaultNamespace ("flux-system").
	DefaultNamespace string
	// Sources maps another source ("GitRepository/namespace/name") to a local
	// checkout, so that Walk renders the Kustomizations reading it too.
	Sources map[string]string
	// KeepObjects has Walk hand back every object each Kustomization renders
	// (Cluster.Rendered), for comparing two renders of a repository.
	KeepObjects bool
}

// Result is what Load found.
type Result struct {
	// Nodes are the Kustomizations and HelmReleases found, in file order,
	// with Offline, File and Line set. Pass them to deps.Analyze.
	Nodes []deps.Node
	// Errors lists files and documents that could not be read or decoded,
	// in file order. Loading continued past each one.
	Errors []*FileError
	// Files counts the YAML files read.
	Files int
}

// Load reads every .yaml and .yml file under root (or root itself if it is
// a file), recursively, including multi-document files, and keeps the
// Kustomizations (kustomize.toolkit.fluxcd.io) and HelmReleases
// (helm.toolkit.fluxcd.io) of any API version; other objects are ignored.
//
// Directories whose name starts with "." (.git, .github) and Helm chart
// directories (containing Chart.yaml) below root are skipped: chart
// templates are not valid YAML until rendered and are never applied as they
// stand.
//
// Only regular files of at most yamldoc.MaxFileSize are read; a FIFO, a device or a
// symbolic link leading out of root is recorded as an error and skipped, so a pull
// request cannot hang or exhaust the check.
//
// The error is non-nil only when root itself cannot be read; every other
// problem is recorded in Result.Errors.
func Load(root string, opts Options) (*Result, error) {
	if opts.DefaultNamespace == "" {
		opts.DefaultNamespace = DefaultNamespace
	}
	if _, err := os.Stat(root); err != nil {
		return nil, err
	}
	res := &Result{}
	var kdirs []string
	bad := map[string]bool{}
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			res.Errors = append(res.Errors, &FileError{File: path, Err: err})
			if d != nil && d.IsDir() && path != root {
				return fs.SkipDir
			}
			return nil
		}
		if d.IsDir() {
			if path != root && skipDir(path, d.Name()) {
				return fs.SkipDir
			}
			if kustomizationFile(path) != "" {
				kdirs = append(kdirs, path)
			}
			return nil
		}
		if !isYAML(d.Name()) {
			return nil
		}
		res.Files++
		data, err := yamldoc.ReadFile(path, root)
		if err != nil {
			res.Errors = append(res.Errors, &FileError{File: path, Err: err})
			bad[path] = true
			return nil
		}
		res.loadFile(path, data, opts)
		return nil
	})
	if err == nil && len(kdirs) > 0 {
		res.render(root, kdirs, bad, opts)
	}
	res.appliers(root)
	return res, err
}

func skipDir(path, name string) bool {
	if strings.HasPrefix(name, ".") {
		return true
	}
	_, err := os.Stat(filepath.Join(path, "Chart.yaml"))
	return err == nil
}

// isYAML accepts the extensions kustomize-controller applies: YAML, and JSON (which
// YAML reads too).
func isYAML(name string) bool {
	ext := strings.ToLower(filepath.Ext(name))
	return ext == ".yaml" || ext == ".yml" || ext == ".json"
}

func (res *Result) loadFile(path string, data []byte, opts Options) {
	for _, doc := range yamldoc.Split(data) {
		root, rerr := doc.Root()
		if items := listItems(root, rerr); items != nil {
			// kind: List, as `kubectl get -o yaml` writes it: Flux applies each item.
			for _, item := range items {
				node, ok, err := decodeObject(item, doc.FileLine(item), opts)
				if err != nil {
					err.File = path
					res.Errors = append(res.Errors, err)
				} else if ok {
					node.File = path
					res.Nodes = append(res.Nodes, node)
				}
			}
			continue
		}
		node, ok, err := decodeParsed(doc, root, rerr, opts)
		if err != nil {
			err.File = path
			res.Errors = append(res.Errors, err)
			continue
		}
		if ok {
			node.File = path
			res.Nodes = append(res.Nodes, node)
		}
	}
}

// decode turns one document into a node. ok is false for documents that
// are valid YAML but not a Flux Kustomization or HelmRelease. The kind is read
// from the parsed node before anything is converted, so that a repository's
// other objects cost a parse and nothing more.
func decode(doc yamldoc.Document, opts Options) (deps.Node, bool, *FileError) {
	root, err := doc.Root()
	return decodeParsed(doc, root, err, opts)
}

// decodeParsed is decode of a document already parsed (root, or err).
func decodeParsed(doc yamldoc.Document, root *yaml.Node, err error, opts Options) (deps.Node, bool, *FileError) {
	defined := doc.FirstContentLine()
	if err != nil {
		var syn *yamldoc.SyntaxError
		if errors.As(err, &syn) {
			return deps.Node{}, false, &FileError{Line: syn.Line, Err: syn}
		}
		return deps.Node{}, false, &FileError{Line: defined, Err: err}
	}
	return decodeObject(root, defined, opts)
}

// decodeObject turns one object's mapping into a node, as decode does for a document.
func decodeObject(root *yaml.Node, defined int, opts Options) (deps.Node, bool, *FileError) {
	if root == nil || root.Kind != yaml.MappingNode {
		return deps.Node{}, false, nil // a list or a scalar: not a Kubernetes object
	}
	apiVersion, kind := yamldoc.Scalar(yamldoc.MapValue(root, "apiVersion")), yamldoc.Scalar(yamldoc.MapValue(root, "kind"))
	group, _, _ := strings.Cut(apiVersion, "/")

	var node deps.Node
	switch {
	case group == kustomizeGroup && kind == flux.KindKustomization:
		var k kustomizev1.Kustomization
		if err := decodeNode(root, &k); err != nil {
			return node, false, &FileError{Line: defined, Err: fmt.Errorf("invalid Kustomization: %w", err)}
		}
		k.Namespace = orDefault(k.Namespace, opts.DefaultNamespace)
		k.Status = kustomizev1.KustomizationStatus{}
		node = deps.FromKustomization(&k)
	case group == helmGroup && kind == flux.KindHelmRelease:
		var h helmv2.HelmRelease
		if err := decodeNode(root, &h); err != nil {
			return node, false, &FileError{Line: defined, Err: fmt.Errorf("invalid HelmRelease: %w", err)}
		}
		h.Namespace = orDefault(h.Namespace, opts.DefaultNamespace)
		h.Status = helmv2.HelmReleaseStatus{}
		node = deps.FromHelmRelease(&h)
	case isResourceSet(apiVersion, kind):
		var v any
		if err := root.Decode(&v); err != nil {
			return node, false, &FileError{Line: defined, Err: err}
		}
		raw, err := json.Marshal(v)
		if err != nil {
			return node, false, &FileError{Line: defined, Err: err}
		}
		rsNode, _, rerr := resourceSetNode(raw, opts.DefaultNamespace) // the node only: no template runs here
		if rerr != nil {
			return node, false, &FileError{Line: defined, Err: rerr}
		}
		node = rsNode
	default:
		return node, false, nil
	}
	if node.Name == "" {
		return node, false, &FileError{Line: defined, Err: fmt.Errorf("%s without metadata.name", kind)}
	}
	node.Offline = true
	node.Line = defined
	return node, true, nil
}

// decodeNode converts a YAML mapping into a typed API struct through JSON, so that the
// struct's json tags (and nothing YAML-specific) decide what each field means, as when
// the API server reads the object.
func decodeNode(n *yaml.Node, out any) error {
	var v any
	if err := n.Decode(&v); err != nil {
		return err
	}
	js, err := json.Marshal(v)
	if err != nil {
		return err
	}
	return json.Unmarshal(js, out)
}

func orDefault(s, def string) string {
	if s == "" {
		return def
	}
	return s
}

// listItems returns the items of a document that is a v1 List, nil otherwise.
func listItems(root *yaml.Node, err error) []*yaml.Node {
	if err != nil || root == nil || root.Kind != yaml.MappingNode {
		return nil
	}
	if yamldoc.Scalar(yamldoc.MapValue(root, "kind")) != "List" || yamldoc.Scalar(yamldoc.MapValue(root, "apiVersion")) != "v1" {
		return nil
	}
	items := yamldoc.MapValue(root, "items")
	if items == nil || items.Kind != yaml.SequenceNode {
		return []*yaml.Node{}
	}
	return items.Content
}
