package write

import (
	"errors"
	"testing"
	"time"
)

func TestHooks(t *testing.T) {
	at := time.Date(2026, 12, 3, 9, 0, 0, 0, time.UTC)
	var said []string
	asked := 0
	refuse := errors.New("no")
	h := Hooks{Now: func() time.Time { return at }, Progress: func(s string) { said = append(said, s) }, Confirm: func(string) error { asked++; return refuse }}
	if h.Clock() != at {
		t.Errorf("Clock = %v, want the fixed time", h.Clock())
	}
	h.Say("step %d", 1)
	if len(said) != 1 || said[0] != "step 1" {
		t.Errorf("said %q", said)
	}
	if err := h.Ask("change"); err != refuse || asked != 1 {
		t.Errorf("Ask = %v after %d questions", err, asked)
	}
	h.DryRun = true
	if err := h.Ask("change"); err != nil || asked != 1 {
		t.Errorf("a dry run asked: %v, %d", err, asked)
	}
	var zero Hooks
	zero.Say("nobody listens")
	if zero.Ask("x") != nil || zero.Clock().IsZero() {
		t.Errorf("the zero Hooks is not a silent writer on the wall clock")
	}
}
