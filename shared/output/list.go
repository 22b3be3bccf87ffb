package output

import "io"

// Items returns docs as a List's Items: one document each in json and yaml. Every list
// type of the suite is a slice of its documents, so every Items is this.
func Items[T any](docs []T) []any {
	out := make([]any, len(docs))
	for i, d := range docs {
		out[i] = d
	}
	return out
}

// WriteEach writes each document's own text view in turn, sep between two: the text
// view of a list whose documents read one after the other.
func WriteEach[T TextViewer](w io.Writer, opts TextOptions, docs []T, sep string) error {
	for i, d := range docs {
		if i > 0 && sep != "" {
			if _, err := io.WriteString(w, sep); err != nil {
				return err
			}
		}
		if err := d.WriteText(w, opts); err != nil {
			return err
		}
	}
	return nil
}
