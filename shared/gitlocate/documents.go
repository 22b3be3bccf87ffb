package gitlocate

import (
	"bytes"
	"strings"

	yaml "go.yaml.in/yaml/v3"
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

// chunk is the text of one YAML document and the file line it starts on.
type chunk struct {
	start int
	text  []byte
}

// splitDocuments cuts a YAML stream at "---" lines. Splitting by hand, rather
// than decoding the stream, keeps one malformed document from hiding the
// others and makes line numbers exact: a chunk begins with its own separator
// line, so a node's line within the chunk maps to the file by a fixed offset.
func splitDocuments(data []byte) []chunk {
	var chunks []chunk
	startLine, startOff := 1, 0
	line := 1
	for off := 0; off < len(data); line++ {
		next := len(data)
		if i := bytes.IndexByte(data[off:], '\n'); i >= 0 {
			next = off + i + 1
		}
		if off > 0 && isSeparator(data[off:next]) {
			chunks = append(chunks, chunk{start: startLine, text: data[startOff:off]})
			startLine, startOff = line, off
		}
		off = next
	}
	return append(chunks, chunk{start: startLine, text: data[startOff:]})
}

// isSeparator reports whether a line is a YAML document start marker, which
// YAML only recognizes at column 0 and which may be followed by a comment
// or by content.
func isSeparator(line []byte) bool {
	s := strings.TrimRight(string(line), "\r\n")
	return s == "---" || strings.HasPrefix(s, "--- ") || strings.HasPrefix(s, "---\t")
}

// objectsIn lists the Kubernetes objects defined in a manifest file. Documents
// that do not parse, or are not objects, are skipped: Flux would reject the
// former and the latter define nothing. Items of List kinds count as objects
// of their own, as kustomize expands them.
func objectsIn(data []byte) []manifestObject {
	var objects []manifestObject
	for _, c := range splitDocuments(data) {
		var doc yaml.Node
		if err := yaml.Unmarshal(c.text, &doc); err != nil {
			continue
		}
		if doc.Kind != yaml.DocumentNode || len(doc.Content) == 0 {
			continue
		}
		root := doc.Content[0]
		obj, ok := identity(root)
		if !ok {
			continue
		}
		obj.line = c.start + root.Line - 1
		if items := mapValue(root, "items"); strings.HasSuffix(obj.kind, "List") && items != nil && items.Kind == yaml.SequenceNode {
			for _, item := range items.Content {
				if o, ok := identity(item); ok {
					o.line = c.start + item.Line - 1
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
		apiVersion: scalar(mapValue(n, "apiVersion")),
		kind:       scalar(mapValue(n, "kind")),
	}
	if meta := mapValue(n, "metadata"); meta != nil {
		obj.name = scalar(mapValue(meta, "name"))
		obj.namespace = scalar(mapValue(meta, "namespace"))
	}
	return obj, obj.apiVersion != "" && obj.kind != ""
}

// mapValue returns the value of key in a mapping node, or nil.
func mapValue(n *yaml.Node, key string) *yaml.Node {
	if n == nil || n.Kind != yaml.MappingNode {
		return nil
	}
	for i := 0; i+1 < len(n.Content); i += 2 {
		if n.Content[i].Kind == yaml.ScalarNode && n.Content[i].Value == key {
			return n.Content[i+1]
		}
	}
	return nil
}

// scalar returns a scalar node's value, or "" for anything else.
func scalar(n *yaml.Node) string {
	if n == nil || n.Kind != yaml.ScalarNode {
		return ""
	}
	return n.Value
}
