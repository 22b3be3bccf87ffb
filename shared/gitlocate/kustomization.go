package gitlocate

import (
	"fmt"

	yaml "go.yaml.in/yaml/v3"

	"github.com/kubectl-gitops/kubectl-gitops/shared/yamldoc"
)

// kustomizationNames are the file names kustomize recognizes, in the order it
// looks for them.
func kustomizationNames() []string {
	return []string{"kustomization.yaml", "kustomization.yml", "Kustomization"}
}

// kustomizationIn returns the kustomization file among a directory's entries.
func kustomizationIn(entries []treeEntry) (treeEntry, bool) {
	for _, name := range kustomizationNames() {
		if e, ok := find(entries, name); ok && e.kind == kindFile {
			return e, true
		}
	}
	return treeEntry{}, false
}

// ref is a string entry of a kustomization file with its line, kept so that
// reasons can point at the exact line to look at.
type ref struct {
	value string
	line  int
}

// generator is a configMapGenerator or secretGenerator entry.
type generator struct {
	field string // "configMapGenerator" or "secretGenerator"
	name  string
	line  int
}

// chart is a helmCharts entry.
type chart struct {
	name string
	repo string
	line int
}

// kustomization holds the fields of a kustomization file the walk uses;
// everything else (patches, replacements, plugins) is ignored.
type kustomization struct {
	resources  []ref // resources, then the deprecated bases
	components []ref
	namePrefix string
	nameSuffix string
	namespace  string
	generators []generator
	charts     []chart
}

// parseKustomization reads the fields we need through the node API, which
// tolerates unexpected shapes and gives line numbers.
func parseKustomization(data []byte) (kustomization, error) {
	var doc yaml.Node
	if err := yaml.Unmarshal(data, &doc); err != nil {
		return kustomization{}, err
	}
	var k kustomization
	if doc.Kind != yaml.DocumentNode || len(doc.Content) == 0 {
		return k, nil // empty file: a valid, empty kustomization
	}
	root := doc.Content[0]
	if root.Kind != yaml.MappingNode {
		return k, fmt.Errorf("not a mapping")
	}
	k.resources = append(refs(yamldoc.MapValue(root, "resources")), refs(yamldoc.MapValue(root, "bases"))...)
	k.components = refs(yamldoc.MapValue(root, "components"))
	k.namePrefix = yamldoc.Scalar(yamldoc.MapValue(root, "namePrefix"))
	k.nameSuffix = yamldoc.Scalar(yamldoc.MapValue(root, "nameSuffix"))
	k.namespace = yamldoc.Scalar(yamldoc.MapValue(root, "namespace"))
	for _, field := range []string{"configMapGenerator", "secretGenerator"} {
		for _, item := range items(yamldoc.MapValue(root, field)) {
			if name := yamldoc.MapValue(item, "name"); yamldoc.Scalar(name) != "" {
				k.generators = append(k.generators, generator{field: field, name: name.Value, line: name.Line})
			}
		}
	}
	for _, item := range items(yamldoc.MapValue(root, "helmCharts")) {
		name := yamldoc.MapValue(item, "name")
		if yamldoc.Scalar(name) == "" {
			continue
		}
		k.charts = append(k.charts, chart{name: name.Value, repo: yamldoc.Scalar(yamldoc.MapValue(item, "repo")), line: name.Line})
	}
	return k, nil
}

// refs collects the scalar entries of a sequence node.
func refs(seq *yaml.Node) []ref {
	var out []ref
	for _, item := range items(seq) {
		if v := yamldoc.Scalar(item); v != "" {
			out = append(out, ref{value: v, line: item.Line})
		}
	}
	return out
}

// items returns a sequence node's elements, or nil for anything else.
func items(seq *yaml.Node) []*yaml.Node {
	if seq == nil || seq.Kind != yaml.SequenceNode {
		return nil
	}
	return seq.Content
}
