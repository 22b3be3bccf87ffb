package output

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"

	yaml "go.yaml.in/yaml/v3"
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
	KindBranchSwitch     = "BranchSwitch"
	KindSuspension       = "Suspension"
	KindVersion          = "Version"
	KindRevert           = "Revert"
	KindDevSession       = "DevSession"
	KindDevStep          = "DevStep"
	KindDiff             = "Diff"
	KindLatencyReport    = "LatencyReport"
	KindFollow           = "Follow"
	KindAlertCoverage    = "AlertCoverage"
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
//
// Output is buffered and flushed once, also after an error (the documents before it
// stay printed): each document was one write call, 10,000 of them for a bulk trace.
func Write(w io.Writer, format string, docs ...any) error {
	buf := bufio.NewWriterSize(w, 64<<10)
	for _, d := range docs {
		var err error
		switch format {
		case FormatJSON:
			err = writeJSON(buf, d)
		case FormatYAML:
			err = writeYAML(buf, d)
		default:
			err = fmt.Errorf("output: unsupported format %q", format)
		}
		if err != nil {
			if ferr := buf.Flush(); ferr != nil {
				return errors.Join(err, ferr)
			}
			return err
		}
	}
	return buf.Flush()
}

func writeJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	return enc.Encode(v)
}

// writeYAML goes through JSON first, so that the YAML carries the same field names,
// omissions and field order as the JSON (apiVersion and kind first), then re-parses
// that JSON as YAML nodes and prints them in block style.
func writeYAML(w io.Writer, v any) error {
	js, err := json.Marshal(v)
	if err != nil {
		return err
	}
	var doc yaml.Node
	if err := yaml.Unmarshal(js, &doc); err != nil {
		return err
	}
	blockStyle(&doc)
	var buf bytes.Buffer
	buf.WriteString("---\n")
	enc := yaml.NewEncoder(&buf)
	enc.SetIndent(2)
	if err := enc.Encode(&doc); err != nil {
		return err
	}
	if err := enc.Close(); err != nil {
		return err
	}
	_, err = w.Write(buf.Bytes())
	return err
}

// blockStyle drops the flow style and quotes JSON parsed with, so that the encoder
// quotes only the strings that need it, as kubectl's YAML does.
func blockStyle(n *yaml.Node) {
	n.Style = 0
	for _, c := range n.Content {
		blockStyle(c)
	}
}
