package output

import (
	"fmt"
	"io"
)

// Writer is the one way a human view prints. It remembers the first write error, so that a human view can print line by line
// and check once at the end: a closed pipe (`| head`) ends the command with an error
// instead of being ignored.
type Writer struct {
	W   io.Writer
	Err error
}

// Printf writes unless an earlier write failed. Every string, error and Stringer
// argument is made Safe (credentials masked, control characters visible); Styled text
// and the format itself are the suite's own and print as they are.
func (w *Writer) Printf(format string, args ...any) {
	if w.Err != nil {
		return
	}
	_, w.Err = fmt.Fprintf(w.W, format, safeArgs(args)...)
}

// Write implements io.Writer with the same memory, for tables.
func (w *Writer) Write(p []byte) (int, error) {
	if w.Err != nil {
		return 0, w.Err
	}
	n, err := w.W.Write(p)
	w.Err = err
	return n, err
}
