package output

import (
	"fmt"
	"strings"
	"unicode/utf8"

	"github.com/kubectl-gitops/kubectl-gitops/shared/redact"
)

// Clean makes every C0 and C1 control character and DEL visible, so that a string from
// the cluster or a repository cannot move the cursor, retitle the window, clear the
// screen or forge a line in a human view: ESC becomes `\x1b`, a line break `\n`, a tab
// `\t`, invalid UTF-8 `\xff`. JSON and YAML documents carry the exact strings instead.
func Clean(s string) string {
	clean := true
	for i := 0; i < len(s); i++ {
		if c := s[i]; c < 0x20 || c == 0x7f || c >= 0x80 {
			clean = false
			break
		}
	}
	if clean {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && size == 1:
			fmt.Fprintf(&b, `\x%02x`, s[i])
		case r == '\n':
			b.WriteString(`\n`)
		case r == '\r':
			b.WriteString(`\r`)
		case r == '\t':
			b.WriteString(`\t`)
		case r < 0x20 || r == 0x7f:
			fmt.Fprintf(&b, `\x%02x`, r)
		case r >= 0x80 && r < 0xa0:
			fmt.Fprintf(&b, `\u%04x`, r)
		default:
			b.WriteString(s[i : i+size])
		}
		i += size
	}
	return b.String()
}

// Safe is what every string from outside goes through before a human view or stderr
// shows it: credentials masked, control characters made visible.
func Safe(s string) string { return Clean(redact.Text(s)) }

// Styled is text the suite itself has cleaned and coloured (Palette returns it): the
// human views print it as it is, and everything else through Safe.
type Styled string

// safeArgs returns args with every string-like value made Safe; Styled values and
// numbers pass as they are.
func safeArgs(args []any) []any {
	out := make([]any, len(args))
	for i, a := range args {
		switch v := a.(type) {
		case Styled:
			out[i] = string(v)
		case string:
			out[i] = Safe(v)
		case error:
			out[i] = Safe(v.Error())
		case fmt.Stringer:
			out[i] = Safe(v.String())
		default:
			out[i] = a
		}
	}
	return out
}
