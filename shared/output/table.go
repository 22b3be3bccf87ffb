package output

import (
	"fmt"
	"io"
	"strings"

	"github.com/olekukonko/tablewriter/pkg/twwidth"
)

// Table is a table that looks like kubectl's: no borders, no separators, left-aligned,
// headers as given, two spaces between columns and no trailing blanks.
//
// It lays the columns out itself rather than through a table library: a library that
// pads a coloured cell closes the colour again after the padding, leaving a reset code
// alone in the output. Here the palette's own codes wrap exactly the cell's text, and
// the padding is plain blanks measured on the visible width.
type Table struct {
	w      io.Writer
	header []string
	rows   [][]string
}

// NewTable returns a table writing to w on Render.
func NewTable(w io.Writer, header ...any) *Table {
	return &Table{w: w, header: cells(header)}
}

// Append adds a row. Cells are made Safe as Writer.Printf arguments are; Styled cells
// print as they are.
func (t *Table) Append(row ...any) error {
	t.rows = append(t.rows, cells(row))
	return nil
}

func cells(values []any) []string {
	row := make([]string, len(values))
	for i, c := range safeArgs(values) {
		row[i] = fmt.Sprint(c)
	}
	return row
}

// Render writes the table: every column as wide as its widest visible cell, two
// blanks between columns, each line's end without padding so that output compares
// and pastes cleanly.
func (t *Table) Render() error {
	all := append([][]string{t.header}, t.rows...)
	var widths []int
	for _, row := range all {
		for i, c := range row {
			if i == len(widths) {
				widths = append(widths, 0)
			}
			widths[i] = max(widths[i], twwidth.Width(c))
		}
	}
	var b strings.Builder
	for _, row := range all {
		var line strings.Builder
		for i := range widths {
			c := ""
			if i < len(row) {
				c = row[i]
			}
			line.WriteString(c)
			if i < len(widths)-1 {
				line.WriteString(strings.Repeat(" ", widths[i]-twwidth.Width(c)+2))
			}
		}
		b.WriteString(strings.TrimRight(line.String(), " "))
		b.WriteString("\n")
	}
	_, err := io.WriteString(t.w, b.String())
	return err
}
