package output

// ANSI SGR sequences of the human views.
const (
	ansiReset  = "\x1b[0m"
	ansiRed    = "\x1b[31m"
	ansiGreen  = "\x1b[32m"
	ansiYellow = "\x1b[33m"
	ansiDim    = "\x1b[2m"
	ansiBold   = "\x1b[1m"
)

// Palette colours text only when enabled, so that piped output and golden files carry
// no escape codes. The zero value paints nothing. What it paints is made Safe first: the
// only escape sequences in a human view are the palette's own.
type Palette bool

func (p Palette) paint(code, s string) Styled {
	s = Safe(s)
	if !p || s == "" {
		return Styled(s)
	}
	return Styled(code + s + ansiReset)
}

// Red marks failures.
func (p Palette) Red(s string) Styled { return p.paint(ansiRed, s) }

// Green marks health.
func (p Palette) Green(s string) Styled { return p.paint(ansiGreen, s) }

// Yellow marks what waits or needs a look.
func (p Palette) Yellow(s string) Styled { return p.paint(ansiYellow, s) }

// Dim marks secondary detail.
func (p Palette) Dim(s string) Styled { return p.paint(ansiDim, s) }

// Bold marks headings.
func (p Palette) Bold(s string) Styled { return p.paint(ansiBold, s) }

// Alarm marks the one thing to act on first.
func (p Palette) Alarm(s string) Styled { return p.paint(ansiBold+ansiRed, s) }
