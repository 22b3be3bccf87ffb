package output

import (
	"encoding/json"
	"fmt"
	"io"

	"sigs.k8s.io/yaml"
)

// APIVersion is the apiVersion of every document the suite prints with -o json|yaml.
// Within v1alpha1 fields may be added but are never renamed, removed or given another
// meaning; anything else bumps the version.
const APIVersion = "gitops.kubectl.io/v1alpha1"

// The kinds of document the suite prints, one per command result.
const (
	KindTrace            = "Trace"
	KindDependencyReport = "DependencyReport"
	KindHistory          = "History"
	KindSourceRef        = "SourceRef"
	KindVersion          = "Version"
)

// TypeMeta opens every document, so a script can tell what it holds and which schema
// version it follows without guessing from the fields.
type TypeMeta struct {
	APIVersion string `json:"apiVersion"`
	Kind       string `json:"kind"`
}

// NewTypeMeta returns the TypeMeta of a document of kind.
func NewTypeMeta(kind string) TypeMeta { return TypeMeta{APIVersion: APIVersion, Kind: kind} }

// The formats every command accepts for -o.
const (
	FormatJSON = "json"
	FormatYAML = "yaml"
)

// Write prints docs in format ("json" or "yaml"): one indented JSON object per
// document, or one YAML document each, starting with "---" so several form a stream.
// JSON is written exactly as encoding/json does, without HTML escaping: the documents
// are read by scripts, not embedded in web pages.
func Write(w io.Writer, format string, docs ...any) error {
	for _, d := range docs {
		var err error
		switch format {
		case FormatJSON:
			err = writeJSON(w, d)
		case FormatYAML:
			err = writeYAML(w, d)
		default:
			err = fmt.Errorf("output: unsupported format %q", format)
		}
		if err != nil {
			return err
		}
	}
	return nil
}

func writeJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	return enc.Encode(v)
}

func writeYAML(w io.Writer, v any) error {
	// Through JSON first, so that the YAML carries the same field names and omissions.
	js, err := json.Marshal(v)
	if err != nil {
		return err
	}
	data, err := yaml.JSONToYAML(js)
	if err != nil {
		return err
	}
	_, err = fmt.Fprintf(w, "---\n%s", data)
	return err
}
