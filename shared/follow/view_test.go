package follow

import (
	"bytes"
	"fmt"
	"strings"
	"testing"
)

// On a terminal the table is redrawn in place: the second draw first moves up over
// every line of the first and clears them.
func TestLiveRedraws(t *testing.T) {
	var buf bytes.Buffer
	l := &Live{W: &buf, Header: "following main@" + newSHA}
	cs := []Consumer{ks("apps", oldSHA, oldSHA, ready()), ks("infrastructure", oldSHA, newSHA, progressing())}
	l.Show(Evaluate(Snapshot{Sources: []Source{src(PhaseFetched)}, Consumers: cs, Report: graph(t, cs)}))
	first := buf.String()
	if strings.Contains(first, "\x1b[") {
		t.Fatalf("the first draw moves the cursor:\n%q", first)
	}
	for _, w := range []string{"OBJECT", "Kustomization flux-system/apps", "Waiting", "waits on Kustomization flux-system/infrastructure", "Applying"} {
		if !strings.Contains(first, w) {
			t.Errorf("first draw lacks %q:\n%s", w, first)
		}
	}
	buf.Reset()
	cs[1] = ks("infrastructure", newSHA, newSHA, ready())
	l.Show(Evaluate(Snapshot{Sources: []Source{src(PhaseFetched)}, Consumers: cs, Report: graph(t, cs)}))
	up := fmt.Sprintf("\x1b[%dA\x1b[J", strings.Count(first, "\n"))
	if !strings.HasPrefix(buf.String(), up) || !strings.Contains(buf.String(), "Applied") {
		t.Errorf("second draw %q, want it to start with %q and show Applied", buf.String(), up)
	}
}
