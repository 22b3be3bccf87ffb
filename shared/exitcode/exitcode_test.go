package exitcode

import (
	"errors"
	"fmt"
	"strings"
	"testing"
)

func TestOfAndWorst(t *testing.T) {
	if Of(nil) != OK || Of(errors.New("x")) != Failure || Of(fmt.Errorf("wrapped: %w", New(NotFound, "gone"))) != NotFound {
		t.Error("Of does not read the code through the error chain")
	}
	if got := Worst(Usage, NotManaged, NotFound); got != NotFound {
		t.Errorf("Worst = %d, want NotFound", got)
	}
	if got := Worst(); got != OK {
		t.Errorf("Worst() = %d", got)
	}
}

func TestHelpComesFromTheTable(t *testing.T) {
	h := Help(NotFound, Forbidden)
	want := "Exit codes:\n  0  success\n  3  an object named does not exist\n  5  " + Table()[Forbidden].Meaning
	if h != want {
		t.Errorf("Help:\n%s\nwant:\n%s", h, want)
	}
	if all := Help(); strings.Count(all, "\n") != len(Table()) {
		t.Errorf("Help() lists %d codes, want %d", strings.Count(all, "\n"), len(Table()))
	}
	for i, r := range Table() {
		if int(r.Code) != i {
			t.Errorf("Table()[%d] is code %d: the table must be in code order", i, r.Code)
		}
	}
}
