// Package write holds what every command that changes the cluster or Git asks of its
// caller: who runs it, whether it is a dry run, how to confirm, where progress goes
// and what time it is. Declared once and embedded in each writer's request, so that a
// new writer gets all of them and reads them the same way.
package write

import (
	"fmt"
	"time"
)

// Hooks are a writer's ties to its caller. The zero value is a silent writer that
// asks nothing and reads the wall clock.
type Hooks struct {
	// User is who writes (SelfSubjectReview's answer), for the records the suite keeps.
	User string
	// DryRun asks the API server to validate each write and change nothing.
	DryRun bool
	// Confirm, when set, is asked with a summary before anything is written: its first
	// line is the question, further lines (a preview) are shown above it. An error
	// refuses.
	Confirm func(summary string) error
	// Progress, when set, gets one line per step of a wait.
	Progress func(string)
	// Now, when set, is the clock (tests fix it).
	Now func() time.Time
}

// Clock is the time now.
func (h Hooks) Clock() time.Time {
	if h.Now != nil {
		return h.Now()
	}
	return time.Now()
}

// Say reports one step, when someone listens.
func (h Hooks) Say(format string, args ...any) {
	if h.Progress != nil {
		h.Progress(fmt.Sprintf(format, args...))
	}
}

// Ask confirms summary before a write; a dry run writes nothing and asks nothing.
func (h Hooks) Ask(summary string) error {
	if h.DryRun || h.Confirm == nil {
		return nil
	}
	return h.Confirm(summary)
}
