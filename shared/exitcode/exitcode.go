// Package exitcode defines, once for every plugin, the exit codes scripts can rely on.
//
// kubectl plugins are run from scripts and CI gates as often as by hand, and `flux trace`
// exits 0 even when it finds nothing: our codes say what happened, so a caller can tell
// "not managed by Flux" from "you may not read the Kustomization" without parsing text.
// The table is documented in the README; never renumber an existing code.
package exitcode

import (
	"errors"
	"fmt"
	"strings"
)

// Code is a process exit status.
type Code int

// The exit codes of every kubectl-gitops binary.
const (
	// OK: everything asked for was done.
	OK Code = 0
	// Failure: the API server cannot be reached, the command was interrupted, or an
	// unexpected error.
	Failure Code = 1
	// Usage: bad flags or arguments, an unreadable kubeconfig or an unknown resource
	// type; nothing was changed.
	Usage Code = 2
	// NotFound: an object named on the command line does not exist.
	NotFound Code = 3
	// NotManaged: the object exists but no Flux Kustomization or HelmRelease applied it.
	NotManaged Code = 4
	// Forbidden: RBAC denied a read or write needed to finish; what could be read was printed.
	Forbidden Code = 5
	// Timeout: a wait ended before Flux reported the expected state.
	Timeout Code = 6
	// ProblemFound: a check ran and found a problem (a dependency cycle, a missing or
	// blocked dependency), or found nothing to check; used by --check style gates. diff
	// ends with it when the apply would change something: kubectl diff's 1 is taken by
	// Failure here, and a gate must tell "differs" from "could not compare".
	ProblemFound Code = 7
	// FluxNotInstalled: the Flux CRDs are not served by this cluster.
	FluxNotInstalled Code = 8
)

// Table lists every code with a one-line meaning, in order: the one source of the
// "Exit codes" section of every --help (Help) and of the README's table (a test
// compares them).
func Table() []struct {
	Code    Code
	Meaning string
} {
	return []struct {
		Code    Code
		Meaning string
	}{
		{OK, "success"},
		{Failure, "error: the API server cannot be reached, the command was interrupted, or something unexpected"},
		{Usage, "usage error: bad flag or argument, unreadable kubeconfig, unknown resource type; nothing was changed"},
		{NotFound, "an object named does not exist"},
		{NotManaged, "the object is not managed by Flux"},
		{Forbidden, "RBAC denied a read or write, or the credentials were rejected; what could be read was printed"},
		{Timeout, "timed out waiting for Flux"},
		{ProblemFound, "a check found a problem (cycle, missing or blocked dependency; with --alerts, a failure that notifies nobody or an Alert that cannot deliver) or nothing to check; diff: the apply would change something"},
		{FluxNotInstalled, "Flux is not installed in this cluster"},
	}
}

// Error carries an exit code with the message shown to the user.
type Error struct {
	Code Code
	Err  error
	// Hint is a line of the suite's own shown under the error ("See '… --help' for
	// usage."); it is kept apart so that the message itself can be shown on one line
	// with every control character made visible.
	Hint string
}

func (e *Error) Error() string { return e.Err.Error() }
func (e *Error) Unwrap() error { return e.Err }

// New returns an error that exits with code and prints the formatted message.
func New(code Code, format string, args ...any) error {
	return &Error{Code: code, Err: fmt.Errorf(format, args...)}
}

// UsageError is a usage error with kubectl's hint to read the command's help.
func UsageError(err error, commandPath string) error {
	return &Error{Code: Usage, Err: err, Hint: "See '" + commandPath + " --help' for usage."}
}

// Wrap attaches code to err; a nil err stays nil.
func Wrap(code Code, err error) error {
	if err == nil {
		return nil
	}
	return &Error{Code: code, Err: err}
}

// Of returns the exit code err asks for: OK for nil, the code of the first *Error in
// its chain, else Failure.
func Of(err error) Code {
	if err == nil {
		return OK
	}
	var e *Error
	if errors.As(err, &e) {
		return e.Code
	}
	return Failure
}

// Worst returns the code to exit with after several independent results (one per traced
// object): the highest-priority failure wins so that a script sees the most serious
// problem, not the last one. Priority: Failure, Forbidden, FluxNotInstalled, NotFound,
// NotManaged, ProblemFound, Timeout, Usage.
func Worst(codes ...Code) Code {
	rank := map[Code]int{Usage: 1, Timeout: 2, ProblemFound: 3, NotManaged: 4, NotFound: 5, FluxNotInstalled: 6, Forbidden: 7, Failure: 8}
	worst := OK
	for _, c := range codes {
		if rank[c] > rank[worst] {
			worst = c
		}
	}
	return worst
}

// Help renders the "Exit codes:" section of a command's help from Table, for the codes
// the command can end with (every code when none is given), so that help texts and the
// README cannot drift from the codes the binaries return.
func Help(codes ...Code) string {
	want := map[Code]bool{}
	for _, c := range codes {
		want[c] = true
	}
	var b strings.Builder
	b.WriteString("Exit codes:")
	for _, row := range Table() {
		if len(codes) == 0 || want[row.Code] || row.Code == OK {
			fmt.Fprintf(&b, "\n  %d  %s", row.Code, row.Meaning)
		}
	}
	return b.String()
}
