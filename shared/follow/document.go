package follow

import (
	"io"

	"github.com/kubectl-gitops/kubectl-gitops/shared/output"
)

// Document is the result of 'follow' in -o json|yaml: where the revision went, object
// by object, and why it stopped when it did not go everywhere.
type Document struct {
	output.TypeMeta `json:",inline"`
	// Context is the kubeconfig context followed in, with --contexts or --all-contexts.
	Context string `json:"context,omitempty"`
	// Revision is what was asked to follow: a commit (prefix), a branch, or "" for each
	// source's branch head.
	Revision string `json:"revision"`
	// Result is Applied, Failed, TimedOut or Interrupted; Unreachable for a context
	// that did not answer (Error says how).
	Result    Verdict    `json:"result"`
	Sources   []Source   `json:"sources"`
	Objects   []Object   `json:"objects"`
	RootCause *RootCause `json:"rootCause,omitempty"`
	// Clusters are the clusters the follow covered: the context's own and each one its
	// objects apply to through spec.kubeConfig, each Applied or why not.
	Clusters []ClusterResult `json:"clusters,omitempty"`
	// Error is why the context could not be followed (with Unreachable).
	Error string `json:"error,omitempty"`
}

// NewDocument is the document of a follow of rev that ended in st.
func NewDocument(rev string, st State) Document {
	d := Document{TypeMeta: output.NewTypeMeta(output.KindFollow), Revision: rev, Result: st.Verdict,
		Sources: st.Sources, Objects: st.Objects, RootCause: st.RootCause}
	if d.Sources == nil {
		d.Sources = []Source{}
	}
	if d.Objects == nil {
		d.Objects = []Object{}
	}
	return d
}

// WriteText is the final table and a summary line.
func (d Document) WriteText(w io.Writer, opts output.TextOptions) error {
	ow := &output.Writer{W: w}
	// The table's cells were made safe as it was drawn: its own newlines stay.
	_, _ = ow.Write([]byte(Table(State{Sources: d.Sources, Objects: d.Objects}, opts.Palette)))
	ow.Printf("%s\n", Summary(State{Sources: d.Sources, Objects: d.Objects, Verdict: d.Result, RootCause: d.RootCause}))
	if len(d.Clusters) > 1 {
		ow.Printf("%s\n", FleetSummary(d.Clusters))
	}
	return ow.Err
}
