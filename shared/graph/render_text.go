package graph

import (
	"fmt"
	"io"
	"strconv"
)

// ANSI SGR sequences used by the human renderer.
const (
	ansiReset  = "\x1b[0m"
	ansiRed    = "\x1b[31m"
	ansiGreen  = "\x1b[32m"
	ansiYellow = "\x1b[33m"
	ansiDim    = "\x1b[2m"
	ansiBold   = "\x1b[1m"
)

// palette colours text only when enabled, so that piped output and golden
// files carry no escape codes.
type palette bool

func (p palette) paint(code, s string) string {
	if !p || s == "" {
		return s
	}
	return code + s + ansiReset
}

func (p palette) red(s string) string    { return p.paint(ansiRed, s) }
func (p palette) green(s string) string  { return p.paint(ansiGreen, s) }
func (p palette) yellow(s string) string { return p.paint(ansiYellow, s) }
func (p palette) dim(s string) string    { return p.paint(ansiDim, s) }
func (p palette) bold(s string) string   { return p.paint(ansiBold, s) }
func (p palette) alarm(s string) string  { return p.paint(ansiBold+ansiRed, s) }

// textWriter remembers the first write error so renderers can print freely
// and check once at the end.
type textWriter struct {
	w   io.Writer
	err error
}

func (t *textWriter) printf(format string, args ...any) {
	if t.err != nil {
		return
	}
	_, t.err = fmt.Fprintf(t.w, format, args...)
}

// origin renders file:line for offline entries.
func origin(file string, line int) string {
	if file == "" {
		return ""
	}
	if line <= 0 {
		return file
	}
	return file + ":" + strconv.Itoa(line)
}

// statusText is the per-node status shown in the tree.
func (r *Report) statusText(i int, p palette) string {
	e := &r.Entries[i]
	var s string
	switch e.State() {
	case StateMissing:
		s = p.red("Missing")
	case StateUnknown:
		s = p.dim(origin(e.File, e.Line))
	case StateReady:
		s = p.green("Ready")
	case StateSuspended:
		if e.Ready.IsTrue() {
			s = p.yellow("Suspended, Ready")
		} else {
			s = p.red("Suspended, " + notReadyText(e.Ready))
		}
	default:
		if e.Ready.Reason == DependencyNotReadyReason {
			s = p.yellow(notReadyText(e.Ready))
		} else {
			s = p.red(notReadyText(e.Ready))
		}
	}
	if e.Cycle >= 0 {
		s += " " + p.red("[in cycle]")
	}
	if e.Cause >= 0 && r.RootCauses[e.Cause].Node == e.ID() {
		s += " " + p.alarm("[root cause: "+string(r.RootCauses[e.Cause].Kind)+"]")
	}
	return s
}

func notReadyText(c ReadyCondition) string {
	if c.Status == "" {
		return "NotReady (no Ready condition)"
	}
	if c.Reason == "" {
		return "NotReady"
	}
	return "NotReady (" + c.Reason + ")"
}
