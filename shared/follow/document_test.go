package follow

import (
	"bytes"
	"flag"
	"testing"
	"time"

	"github.com/kubectl-gitops/kubectl-gitops/shared/output"
	"github.com/kubectl-gitops/kubectl-gitops/shared/output/outputtest"
)

var update = flag.Bool("update", false, "rewrite testdata/*.golden from the current output")

// The human view of a finished follow, applied and failed, is reviewed in golden files.
func TestDocumentText(t *testing.T) {
	for _, tc := range []struct {
		golden    string
		consumers []Consumer
	}{
		{"applied.golden", []Consumer{ks("apps", newSHA, newSHA, ready()), ks("infrastructure", newSHA, newSHA, ready())}},
		{"failed.golden", []Consumer{ks("apps", oldSHA, oldSHA, depBlocked()), handled(ks("infrastructure", oldSHA, newSHA, failing(`namespaces "nope" not found`)), time.Second)}},
	} {
		t.Run(tc.golden, func(t *testing.T) {
			st := Evaluate(Snapshot{Sources: []Source{src(PhaseFetched)}, Consumers: tc.consumers, Report: graph(t, tc.consumers), Retried: retried(tc.consumers)})
			var buf bytes.Buffer
			if err := NewDocument("main", st).WriteText(&buf, output.TextOptions{}); err != nil {
				t.Fatal(err)
			}
			outputtest.Golden(t, "testdata/"+tc.golden, buf.Bytes(), *update)
		})
	}
}
