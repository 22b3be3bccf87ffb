// Package output owns everything the suite prints: the versioned documents of -o
// json|yaml, the -o flag, the kubectl-style table, the colour palette, ages and the one
// way objects are named for humans.
package output

import (
	"io"
	"os"
	"strconv"
	"strings"
	"time"

	"golang.org/x/term"
	"k8s.io/apimachinery/pkg/util/duration"

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
	return exitcode.New(exitcode.Usage, "unknown output format %q: use one of %s", format, strings.Join(allowed, ", "))
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

// Age renders how long ago t was the way kubectl's AGE column does ("36s", "5m2s",
// "3d"); a time in the future counts as now.
func Age(now, t time.Time) string {
	d := now.Sub(t)
	if d < 0 {
		d = 0
	}
	return duration.HumanDuration(d)
}

// Count is a number and its noun agreeing with it, everywhere the suite counts for
// humans: "1 dependency", "2 dependencies", "0 objects".
func Count(n int, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return strconv.Itoa(n) + " " + many
}

// Name renders an object for humans, everywhere in the suite: "Kind namespace/name",
// or "Kind name" for a cluster-scoped object. JSON documents keep their own IDs.
func Name(kind, namespace, name string) string {
	if namespace == "" {
		return kind + " " + name
	}
	return kind + " " + namespace + "/" + name
}
