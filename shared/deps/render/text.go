package render

import (
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/kubectl-gitops/kubectl-gitops/shared/deps"
	"github.com/kubectl-gitops/kubectl-gitops/shared/output"
	"github.com/kubectl-gitops/kubectl-gitops/shared/status"
)

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

// relative shows file relative to base (--dir) when it lies inside it.
func relative(base, file string) string {
	if base == "" {
		return file
	}
	if rel, err := filepath.Rel(base, file); err == nil && !strings.HasPrefix(rel, "..") {
		return rel
	}
	return file
}

// statusText is the per-node status shown in the tree. A suspension recorded by
// `rollback suspend` shows its reason and end, OVERDUE past it (status.Suspension, as
// trace shows it), whether or not anything is blocked.
func statusText(r *deps.Report, i int, p output.Palette, base string, now time.Time) output.Styled {
	e := &r.Entries[i]
	var s output.Styled
	switch e.State() {
	case deps.StateMissing:
		s = p.Red("Missing")
	case deps.StateUnknown:
		s = p.Dim(origin(relative(base, e.File), e.Line))
	case deps.StateReady:
		s = p.Green("Ready")
	case deps.StateSuspended:
		if e.Ready.IsTrue() {
			s = p.Yellow("Suspended, Ready")
		} else {
			s = p.Red("Suspended, " + notReadyText(e.Ready))
		}
	default:
		if e.Ready.DependencyBlocked() {
			s = p.Yellow(notReadyText(e.Ready))
		} else {
			s = p.Red(notReadyText(e.Ready))
		}
	}
	if e.Suspended && e.Suspension != nil {
		why := e.Suspension.String(now)
		if e.Suspension.Overdue(now) {
			s += ": " + p.Red(why)
		} else {
			s += ": " + p.Dim(why)
		}
	}
	if e.Cycle >= 0 {
		s += " " + p.Red("[in cycle]")
	}
	if e.Cause >= 0 && r.RootCauses[e.Cause].Node == e.ID() {
		s += " " + p.Alarm("[root cause: "+string(r.RootCauses[e.Cause].Kind)+"]")
	}
	return s
}

func notReadyText(c status.Condition) string {
	if c.Status == "" {
		return "NotReady (no Ready condition)"
	}
	if c.Reason == "" {
		return "NotReady"
	}
	return "NotReady (" + c.Reason + ")"
}
