// Package yamldoc reads multi-document YAML files the one way the suite does: split at
// document markers by lines, so that every document keeps the file line it starts on
// and one broken document does not hide the others, then parse each with
// go.yaml.in/yaml/v3, whose nodes carry line numbers.
package yamldoc

import (
	"bytes"
	"errors"
	"strconv"
	"strings"

	yaml "go.yaml.in/yaml/v3"
)

// Document is one YAML document of a multi-document file.
type Document struct {
	Text []byte
	// Line is the 1-based line in the file of the first line of Text, so a
	// parser's document-relative line n is file line Line+n-1.
	Line int
}

// Split cuts a file at YAML document markers: a line that is
// exactly "---" (optionally followed by a space and a comment) starts a new
// document, "..." ends one. Splitting by lines rather than letting the YAML
// decoder stream the file keeps each document's starting line, which the
// decoder does not report, and lets one broken document be reported while
// the ones after it are still read.
func Split(data []byte) []Document {
	data = bytes.TrimPrefix(data, []byte("\xef\xbb\xbf")) // UTF-8 BOM
	var docs []Document
	start, startLine := 0, 1
	line := 1
	for pos := 0; pos < len(data); {
		end := bytes.IndexByte(data[pos:], '\n')
		next := len(data)
		if end >= 0 {
			end += pos
			next = end + 1
		} else {
			end = len(data)
		}
		if l := bytes.TrimRight(data[pos:end], "\r"); isMarker(l) {
			docs = append(docs, Document{Text: data[start:pos], Line: startLine})
			start, startLine = next, line+1
			if inlineContent(l) {
				// "--- {kind: ConfigMap, …}": the document starts on the marker line,
				// which the YAML parser reads as it is.
				start, startLine = pos, line
			}
		}
		pos = next
		line++
	}
	docs = append(docs, Document{Text: data[start:], Line: startLine})

	// Drop documents that hold nothing but blank lines and comments.
	out := docs[:0]
	for _, d := range docs {
		if d.FirstContentLine() > 0 {
			out = append(out, d)
		}
	}
	return out
}

// inlineContent reports a "--- " marker followed by content rather than a comment.
func inlineContent(marker []byte) bool {
	if !bytes.HasPrefix(marker, []byte("---")) {
		return false
	}
	rest := bytes.TrimSpace(marker[3:])
	return len(rest) > 0 && rest[0] != '#'
}

func isMarker(l []byte) bool {
	if bytes.Equal(l, []byte("...")) {
		return true
	}
	if !bytes.HasPrefix(l, []byte("---")) {
		return false
	}
	rest := l[3:]
	return len(rest) == 0 || rest[0] == ' ' || rest[0] == '\t'
}

// FirstContentLine returns the file line of the first line of d that is
// neither blank nor a comment (nor a bare marker), or 0 if there is none. It is where an object
// "is defined" for humans.
func (d Document) FirstContentLine() int {
	for i, l := range bytes.Split(d.Text, []byte("\n")) {
		t := bytes.TrimSpace(l)
		if bytes.HasPrefix(t, []byte("---")) && isMarker(t) {
			if !inlineContent(t) {
				continue
			}
		}
		if len(t) > 0 && t[0] != '#' {
			return d.Line + i
		}
	}
	return 0
}

// Root parses d and returns its top-level node (nil for an empty document). A
// syntax error is a *SyntaxError whose Line is a file line.
func (d Document) Root() (*yaml.Node, error) {
	var doc yaml.Node
	if err := yaml.Unmarshal(d.Text, &doc); err != nil {
		line, msg := errorLine(err.Error())
		at := d.FirstContentLine()
		if line > 0 {
			at = d.Line + tabLine(d.Text, line, msg) - 1
		}
		return nil, &SyntaxError{Line: at, Msg: strings.TrimPrefix(msg, "yaml: ")}
	}
	if doc.Kind != yaml.DocumentNode || len(doc.Content) == 0 {
		return nil, nil
	}
	return doc.Content[0], nil
}

// FileLine maps a node's document-relative line to the file.
func (d Document) FileLine(n *yaml.Node) int { return d.Line + n.Line - 1 }

// SyntaxError is YAML that does not parse, at a file line.
type SyntaxError struct {
	Line int
	Msg  string
}

func (e *SyntaxError) Error() string { return "invalid YAML: " + e.Msg }

// IsSyntax reports whether err is a *SyntaxError.
func IsSyntax(err error) bool {
	var s *SyntaxError
	return errors.As(err, &s)
}

// MapValue returns the value of key in a mapping node, or nil.
func MapValue(n *yaml.Node, key string) *yaml.Node {
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

// Scalar returns a scalar node's value, or "" for anything else.
func Scalar(n *yaml.Node) string {
	if n == nil || n.Kind != yaml.ScalarNode {
		return ""
	}
	return n.Value
}

// tabLine corrects yaml.v3's line for a tab in indentation: the parser names the line
// where the scalar being scanned started, not the line holding the tab, so the first
// line from there on whose indentation holds a tab is the one to show.
func tabLine(text []byte, line int, msg string) int {
	if !strings.Contains(msg, "tab character") {
		return line
	}
	for i, l := range bytes.Split(text, []byte("\n")) {
		indent := l[:len(l)-len(bytes.TrimLeft(l, " \t"))]
		if i+1 >= line && bytes.IndexByte(indent, '\t') >= 0 {
			return i + 1
		}
	}
	return line
}

// errorLine extracts the document-relative line from a YAML parser
// message ("yaml: line 3: did not find expected key") and returns the
// message without that prefix, so it can be re-anchored to the file.
// Messages without a line come back unchanged with line 0.
func errorLine(msg string) (int, string) {
	i := strings.Index(msg, "line ")
	if i < 0 {
		return 0, msg
	}
	rest := msg[i+len("line "):]
	j := 0
	for j < len(rest) && rest[j] >= '0' && rest[j] <= '9' {
		j++
	}
	n, err := strconv.Atoi(rest[:j])
	if err != nil || !strings.HasPrefix(rest[j:], ": ") {
		return 0, msg
	}
	return n, rest[j+2:]
}
