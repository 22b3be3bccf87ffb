package render

import (
	"io"
	"strings"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/kubectl-gitops/kubectl-gitops/shared/deps"
	"github.com/kubectl-gitops/kubectl-gitops/shared/output"
)

// LatencyReport is `kubectl gitops deps --latency -o json|yaml`: for each
// Kustomization and HelmRelease, how long a push can take to be applied by it, and
// what to change first to make it shorter.
type LatencyReport struct {
	output.TypeMeta `json:",inline"`
	// Cluster is the sync path an offline check walked from.
	Cluster string `json:"cluster,omitempty"`
	// RequeueDependency is the controllers' --requeue-dependency the budget counts.
	RequeueDependency metav1.Duration `json:"requeueDependency"`
	Budgets           []ReportBudget  `json:"budgets"`
}

// ReportBudget is one node's budget.
type ReportBudget struct {
	Node    string          `json:"node"`
	Worst   metav1.Duration `json:"worst"`
	Typical metav1.Duration `json:"typical"`
	// CriticalPath is the longest way from a push to its apply, term by term.
	CriticalPath []ReportTerm `json:"criticalPath"`
	// Shorten is the setting weighing most on the critical path.
	Shorten *ReportTerm `json:"shorten,omitempty"`
	Unknown []string    `json:"unknown,omitempty"`
	// Never: in a dependency cycle, or waiting on one; it never applies.
	Never bool `json:"never,omitempty"`
}

// ReportTerm is one wait on the way.
type ReportTerm struct {
	What    string          `json:"what"`
	Of      string          `json:"of"`
	Setting string          `json:"setting,omitempty"`
	Detail  string          `json:"detail,omitempty"`
	Worst   metav1.Duration `json:"worst"`
	Typical metav1.Duration `json:"typical"`
}

// LatencyDocument is the document of budgets.
func LatencyDocument(budgets []deps.Budget, requeue time.Duration, cluster string) *LatencyReport {
	doc := &LatencyReport{TypeMeta: output.NewTypeMeta(output.KindLatencyReport), Cluster: cluster,
		RequeueDependency: metav1.Duration{Duration: requeue}, Budgets: []ReportBudget{}}
	for _, b := range budgets {
		rb := ReportBudget{Node: b.Node.Key(), Worst: metav1.Duration{Duration: b.Worst}, Typical: metav1.Duration{Duration: b.Typical},
			CriticalPath: []ReportTerm{}, Unknown: b.Unknown, Never: b.Never}
		for _, t := range b.Path {
			rb.CriticalPath = append(rb.CriticalPath, term(t))
		}
		if b.Shorten != nil {
			s := term(*b.Shorten)
			rb.Shorten = &s
		}
		doc.Budgets = append(doc.Budgets, rb)
	}
	return doc
}

func term(t deps.Term) ReportTerm {
	return ReportTerm{What: t.What, Of: t.Of.Key(), Setting: t.Setting, Detail: t.Detail,
		Worst: metav1.Duration{Duration: t.Worst}, Typical: metav1.Duration{Duration: t.Typical}}
}

// WriteText is the human view: one row per node, worst and typical, the critical path
// in short, and the setting to change first.
func (r *LatencyReport) WriteText(w io.Writer, _ output.TextOptions) error {
	out := &output.Writer{W: w}
	if r.Cluster != "" {
		out.Printf("Cluster %s:\n", r.Cluster)
	}
	table := output.NewTable(out, "NAME", "WORST", "TYPICAL", "CRITICAL PATH", "SHORTEN FIRST")
	for _, b := range r.Budgets {
		var path []string
		for _, t := range b.CriticalPath {
			path = append(path, t.What+" "+t.Worst.Duration.String())
		}
		shorten := ""
		if b.Shorten != nil {
			shorten = b.Shorten.Setting + " (" + b.Shorten.Worst.Duration.String() + " on the path)"
			if b.Shorten.Detail != "" {
				shorten += ": " + b.Shorten.Detail
			}
		}
		if len(b.Unknown) > 0 {
			shorten = strings.Join(b.Unknown, "; ")
		}
		worst, typical := b.Worst.Duration.String(), b.Typical.Duration.String()
		if len(b.Unknown) > 0 {
			worst, typical = "at least "+worst, "at least "+typical
		}
		if b.Never {
			worst, typical, shorten = "never", "never", "in a dependency cycle, or waiting on one: see 'deps'"
		}
		if err := table.Append(b.Node, worst, typical, strings.Join(path, " > "), shorten); err != nil {
			return err
		}
	}
	if err := table.Render(); err != nil {
		return err
	}
	out.Printf("Worst: every wait at its longest (a push just after a poll, health checks until their timeout); typical: half of each interval, each apply as long as it took last. The controllers' --requeue-dependency counted: %s.\n", r.RequeueDependency.Duration)
	return out.Err
}
