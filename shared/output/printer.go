package output

import (
	"fmt"
	"io"
	"time"
)

// TextOptions are what a document's text view may need beyond the document itself.
type TextOptions struct {
	// Palette colours the view: on only when the view goes to a terminal without
	// NO_COLOR, so that pipes, files and golden tests carry no escape codes.
	Palette Palette
	// Now is the time ages and overdue ends are counted from, one instant for the
	// whole view.
	Now time.Time
	// ErrOut receives what a view says beside itself (rollback history's notes on
	// commits a clone lacks): on stderr, so that the view on stdout stays a table.
	ErrOut io.Writer
}

// TextViewer is a document's human view. Each document type writes its own, beside
// the type, so that a command never decides how its result reads.
type TextViewer interface {
	WriteText(w io.Writer, opts TextOptions) error
}

// FormatWriter is a document with views of its own beyond text, json and yaml, as deps'
// report drawn in dot and mermaid: the formats its command adds with Format.AddFlag.
type FormatWriter interface {
	WriteFormat(w io.Writer, format string) error
}

// List is a value holding several documents, one each in json and yaml (a YAML stream,
// or one JSON object after the other). Its own text view decides how the documents read
// together: separated by a blank line, or one table.
type List interface {
	Items() []any
}

// Printer prints a command's result in the format -o asked for, as kubectl's
// ResourcePrinter does: the command hands it the result and never asks which format
// that is.
type Printer interface {
	Print(w io.Writer, doc any) error
}

// ToPrinter returns the printer of the format asked for, after Validate: json and yaml
// print the versioned documents, text the document's TextViewer, a command's own format
// its FormatWriter. errOut is where a text view writes beside itself.
func (f *Format) ToPrinter(errOut io.Writer) (Printer, error) {
	if err := f.Validate(); err != nil {
		return nil, err
	}
	switch f.Value {
	case "":
		return &TextPrinter{ErrOut: errOut}, nil
	case FormatJSON, FormatYAML:
		return DocumentPrinter{Format: f.Value}, nil
	}
	return FormatPrinter{Format: f.Value}, nil
}

// DocumentPrinter prints versioned documents in json or yaml.
type DocumentPrinter struct{ Format string }

// Print writes doc, or each document of a List.
func (p DocumentPrinter) Print(w io.Writer, doc any) error {
	if l, ok := doc.(List); ok {
		return Write(w, p.Format, l.Items()...)
	}
	return Write(w, p.Format, doc)
}

// TextPrinter prints a document's human view.
type TextPrinter struct {
	ErrOut io.Writer
	// Now, when set, replaces the wall clock (tests).
	Now func() time.Time
}

// Print writes doc's text view, coloured when w is a terminal.
func (p *TextPrinter) Print(w io.Writer, doc any) error {
	v, ok := doc.(TextViewer)
	if !ok {
		return fmt.Errorf("output: %T has no text view", doc)
	}
	now := time.Now
	if p.Now != nil {
		now = p.Now
	}
	errOut := p.ErrOut
	if errOut == nil {
		errOut = io.Discard
	}
	return v.WriteText(w, TextOptions{Palette: Palette(Color(w)), Now: now(), ErrOut: errOut})
}

// FormatPrinter prints a command's own format through the document's FormatWriter.
type FormatPrinter struct{ Format string }

// Print writes doc in the format.
func (p FormatPrinter) Print(w io.Writer, doc any) error {
	v, ok := doc.(FormatWriter)
	if !ok {
		return fmt.Errorf("output: %T cannot be printed as %s", doc, p.Format)
	}
	return v.WriteFormat(w, p.Format)
}
