// Package outputtest decodes what a command printed with -o json|yaml strictly, for
// tests: every field must be one the Go type declares, so a document and its type cannot
// drift apart unnoticed.
package outputtest

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"

	yaml "go.yaml.in/yaml/v3"

	"github.com/kubectl-gitops/kubectl-gitops/shared/output"
	"github.com/kubectl-gitops/kubectl-gitops/shared/yamldoc"
)

// Decode reads every document of data (a JSON stream, or a YAML stream with "---"
// markers) with unknown fields rejected; newDoc returns a fresh pointer for each one,
// and check gets it after decoding. It fails when a document lacks the suite's
// apiVersion or carries another kind than wantKind.
func Decode(format string, data []byte, wantKind string, newDoc func() any, check func(any)) error {
	var raws [][]byte
	switch format {
	case output.FormatJSON:
		dec := json.NewDecoder(bytes.NewReader(data))
		for {
			var raw json.RawMessage
			if err := dec.Decode(&raw); errors.Is(err, io.EOF) {
				break
			} else if err != nil {
				return err
			}
			raws = append(raws, raw)
		}
	case output.FormatYAML:
		for _, d := range yamldoc.Split(data) {
			var v any
			if err := yaml.Unmarshal(d.Text, &v); err != nil {
				return fmt.Errorf("line %d: %w", d.Line, err)
			}
			js, err := json.Marshal(v)
			if err != nil {
				return fmt.Errorf("line %d: %w", d.Line, err)
			}
			raws = append(raws, js)
		}
	default:
		return fmt.Errorf("format %q", format)
	}
	if len(raws) == 0 {
		return errors.New("no document")
	}
	for i, raw := range raws {
		var tm output.TypeMeta
		if err := json.Unmarshal(raw, &tm); err != nil {
			return fmt.Errorf("document %d: %w", i+1, err)
		}
		if tm.APIVersion != output.APIVersion || tm.Kind != wantKind {
			return fmt.Errorf("document %d is %s/%s, want %s/%s", i+1, tm.APIVersion, tm.Kind, output.APIVersion, wantKind)
		}
		doc := newDoc()
		dec := json.NewDecoder(bytes.NewReader(raw))
		dec.DisallowUnknownFields()
		if err := dec.Decode(doc); err != nil {
			return fmt.Errorf("document %d: %w", i+1, err)
		}
		if check != nil {
			check(doc)
		}
	}
	return nil
}
