package dir

import (
	"bytes"
)

// document is one YAML document of a multi-document file.
type document struct {
	text []byte
	// line is the 1-based line in the file of the first line of text, so a
	// parser's document-relative line n is file line line+n-1.
	line int
}

// splitDocuments cuts a file at YAML document markers: a line that is
// exactly "---" (optionally followed by a space and a comment) starts a new
// document, "..." ends one. Splitting by lines rather than letting the YAML
// decoder stream the file keeps each document's starting line, which the
// decoder does not report, and lets one broken document be reported while
// the ones after it are still read.
func splitDocuments(data []byte) []document {
	data = bytes.TrimPrefix(data, []byte("\xef\xbb\xbf")) // UTF-8 BOM
	var docs []document
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
		if isMarker(bytes.TrimRight(data[pos:end], "\r")) {
			docs = append(docs, document{text: data[start:pos], line: startLine})
			start, startLine = next, line+1
		}
		pos = next
		line++
	}
	docs = append(docs, document{text: data[start:], line: startLine})

	// Drop documents that hold nothing but blank lines and comments.
	out := docs[:0]
	for _, d := range docs {
		if firstContentLine(d) > 0 {
			out = append(out, d)
		}
	}
	return out
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

// firstContentLine returns the file line of the first line of d that is
// neither blank nor a comment, or 0 if there is none. It is where an object
// "is defined" for humans.
func firstContentLine(d document) int {
	for i, l := range bytes.Split(d.text, []byte("\n")) {
		t := bytes.TrimSpace(l)
		if len(t) > 0 && t[0] != '#' {
			return d.line + i
		}
	}
	return 0
}
