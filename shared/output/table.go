package output

import (
	"bytes"
	"fmt"
	"io"

	"github.com/olekukonko/tablewriter"
	"github.com/olekukonko/tablewriter/renderer"
	"github.com/olekukonko/tablewriter/tw"
)

// Table is a table that looks like kubectl's: no borders, no separators, left-aligned,
// headers as given, two spaces between columns and no trailing blanks.
type Table struct {
	w   io.Writer
	buf bytes.Buffer
	t   *tablewriter.Table
}

// NewTable returns a table writing to w on Render.
func NewTable(w io.Writer, header ...any) *Table {
	t := &Table{w: w}
	t.t = tablewriter.NewTable(&t.buf,
		tablewriter.WithRenderer(renderer.NewBlueprint(tw.Rendition{
			Borders:  tw.BorderNone,
			Symbols:  tw.NewSymbols(tw.StyleNone),
			Settings: tw.Settings{Separators: tw.SeparatorsNone, Lines: tw.LinesNone},
		})),
		tablewriter.WithConfig(tablewriter.Config{
			Header: tw.CellConfig{Alignment: tw.CellAlignment{Global: tw.AlignLeft}, Formatting: tw.CellFormatting{AutoFormat: tw.Off}},
			Row:    tw.CellConfig{Alignment: tw.CellAlignment{Global: tw.AlignLeft}, Formatting: tw.CellFormatting{AutoWrap: tw.WrapNone}},
		}),
		tablewriter.WithPadding(tw.Padding{Left: "", Right: "  ", Overwrite: true}),
	)
	t.t.Header(header...)
	return t
}

// Append adds a row. Cells are made Safe as Writer.Printf arguments are; Styled cells
// print as they are.
func (t *Table) Append(cells ...any) error {
	row := make([]string, len(cells))
	for i, c := range safeArgs(cells) {
		row[i] = fmt.Sprint(c)
	}
	return t.t.Append(row)
}

// Render writes the table. tablewriter pads every cell, the last included, to the
// column width; the padding of each line's end is dropped so that output compares and
// pastes cleanly.
func (t *Table) Render() error {
	if err := t.t.Render(); err != nil {
		return err
	}
	lines := bytes.Split(t.buf.Bytes(), []byte("\n"))
	for i := range lines {
		lines[i] = bytes.TrimRight(lines[i], " ")
	}
	_, err := t.w.Write(bytes.Join(lines, []byte("\n")))
	return err
}
