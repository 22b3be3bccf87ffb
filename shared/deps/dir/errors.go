package dir

import "fmt"

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
