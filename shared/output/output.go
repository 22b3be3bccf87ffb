// Package output writes the machine-readable views every plugin offers (-o json|yaml)
// and decides whether the human view may use colour.
package output

import (
	"encoding/json"
	"fmt"
	"io"
	"os"

	"golang.org/x/term"
	"sigs.k8s.io/yaml"

	"github.com/kubectl-gitops/kubectl-gitops/shared/exitcode"
)

// Check validates an -o value against the formats a command supports; "" is the
// human view.
func Check(format string, allowed ...string) error {
	if format == "" {
		return nil
	}
	for _, a := range allowed {
		if format == a {
			return nil
		}
	}
	return exitcode.New(exitcode.Usage, "unknown output format %q: use one of %v", format, allowed)
}

// JSON writes v as indented JSON followed by a newline.
func JSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}

// YAML writes v as one YAML document starting with "---", so several documents in a
// row form a valid stream.
func YAML(w io.Writer, v any) error {
	data, err := yaml.Marshal(v)
	if err != nil {
		return err
	}
	_, err = fmt.Fprintf(w, "---\n%s", data)
	return err
}

// Color reports whether the human view written to w may use ANSI colour: only on a
// terminal, and never when NO_COLOR is set (https://no-color.org).
func Color(w io.Writer) bool {
	if _, ok := os.LookupEnv("NO_COLOR"); ok {
		return false
	}
	f, ok := w.(*os.File)
	return ok && term.IsTerminal(int(f.Fd()))
}
