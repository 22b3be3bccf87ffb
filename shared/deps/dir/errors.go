package dir

import (
	"fmt"
	"strconv"
	"strings"
)

// FileError is a problem with one file, or one document in it. Loading goes
// on after it: one broken manifest must not hide the rest of the repository.
type FileError struct {
	File string
	// Line is 1-based; 0 when the problem is with the whole file.
	Line int
	Err  error
}

func (e *FileError) Error() string {
	if e.Line > 0 {
		return fmt.Sprintf("%s:%d: %v", e.File, e.Line, e.Err)
	}
	return fmt.Sprintf("%s: %v", e.File, e.Err)
}

func (e *FileError) Unwrap() error { return e.Err }

// yamlErrorLine extracts the document-relative line from a YAML parser
// message ("yaml: line 3: did not find expected key") and returns the
// message without that prefix, so it can be re-anchored to the file.
// Messages without a line come back unchanged with line 0.
func yamlErrorLine(msg string) (int, string) {
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
