package gitlocate

import (
	"strings"

	yaml "go.yaml.in/yaml/v3"

	"github.com/kubectl-gitops/kubectl-gitops/shared/yamldoc"
)

// manifestObject is the identity of one Kubernetes object in a manifest,
// with the line its definition starts on.
type manifestObject struct {
	apiVersion string
	kind       string
	namespace  string
	name       string
	line       int
}

// objectsIn lists the Kubernetes objects defined in a manifest file. Documents
// that do not parse, or are not objects, are skipped: Flux would reject the
// former and the latter define nothing. Items of List kinds count as objects
// of their own, as kustomize expands them.
func objectsIn(data []byte) []manifestObject {
	var objects []manifestObject
	for _, doc := range yamldoc.Split(data) {
		root, err := doc.Root()
		if err != nil || root == nil {
			continue
		}
		obj, ok := identity(root)
		if !ok {
			continue
		}
		obj.line = doc.FileLine(root)
		if items := yamldoc.MapValue(root, "items"); strings.HasSuffix(obj.kind, "List") && items != nil && items.Kind == yaml.SequenceNode {
			for _, item := range items.Content {
				if o, ok := identity(item); ok {
					o.line = doc.FileLine(item)
					objects = append(objects, o)
				}
			}
			continue
		}
		objects = append(objects, obj)
	}
	return objects
}

// identity reads apiVersion, kind and metadata from a mapping node.
func identity(n *yaml.Node) (manifestObject, bool) {
	if n.Kind != yaml.MappingNode {
		return manifestObject{}, false
	}
	obj := manifestObject{
		apiVersion: yamldoc.Scalar(yamldoc.MapValue(n, "apiVersion")),
		kind:       yamldoc.Scalar(yamldoc.MapValue(n, "kind")),
	}
	if meta := yamldoc.MapValue(n, "metadata"); meta != nil {
		obj.name = yamldoc.Scalar(yamldoc.MapValue(meta, "name"))
		obj.namespace = yamldoc.Scalar(yamldoc.MapValue(meta, "namespace"))
	}
	return obj, obj.apiVersion != "" && obj.kind != ""
}
