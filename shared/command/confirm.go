package command

import (
	"bufio"
	"os"
	"strings"

	"golang.org/x/term"
	"k8s.io/cli-runtime/pkg/genericiooptions"

	"github.com/kubectl-gitops/kubectl-gitops/shared/exitcode"
	"github.com/kubectl-gitops/kubectl-gitops/shared/output"
)

// Confirm returns what every writer asks before it writes: nothing with --yes; on a
// terminal, a one-line question; without a terminal, a refusal, so that a script that
// forgot --yes changes nothing.
func Confirm(streams genericiooptions.IOStreams, yes bool) func(summary string) error {
	return func(summary string) error {
		if yes {
			return nil
		}
		// The first line is the question; lines after it (a preview of what Flux will
		// change) are shown above it, and left out of a refusal's one error line.
		question, details, _ := strings.Cut(summary, "\n")
		in, ok := streams.In.(*os.File)
		if !ok || !term.IsTerminal(int(in.Fd())) || !IsTerminal(streams.ErrOut) {
			return exitcode.New(exitcode.Usage, "refusing to %s without --yes: there is no terminal to confirm on (nothing was changed)", question)
		}
		w := &output.Writer{W: streams.ErrOut}
		if details != "" {
			w.Printf("%s\n", details)
		}
		w.Printf("%s? [y/N] ", question)
		answer, _ := bufio.NewReader(in).ReadString('\n')
		if a := strings.ToLower(strings.TrimSpace(answer)); a != "y" && a != "yes" {
			return exitcode.New(exitcode.Failure, "not confirmed: nothing was changed")
		}
		return nil
	}
}

// Progress returns a function printing one line per step of a wait on stderr, when
// stderr is a terminal; scripts get the result alone.
func Progress(streams genericiooptions.IOStreams) func(string) {
	if !IsTerminal(streams.ErrOut) {
		return nil
	}
	w := &output.Writer{W: streams.ErrOut}
	return func(line string) { w.Printf("%s\n", line) }
}

// IsTerminal reports whether w is a terminal.
func IsTerminal(w any) bool {
	f, ok := w.(*os.File)
	return ok && term.IsTerminal(int(f.Fd()))
}
