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
		rb := ReportBudget{Node: b.Node.Key(), Worst: ms(b.Worst), Typical: ms(b.Typical),
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
		Worst: ms(t.Worst), Typical: ms(t.Typical)}
}

// ms is a duration to the millisecond: an apply's recorded nanoseconds say nothing more.
func ms(d time.Duration) metav1.Duration { return metav1.Duration{Duration: d.Round(time.Millisecond)} }

// shown is a duration as the table shows it, to the tenth of a second.
func shown(d metav1.Duration) string { return d.Duration.Round(100 * time.Millisecond).String() }

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
			path = append(path, t.What+" "+shown(t.Worst))
		}
		shorten := ""
		if b.Shorten != nil {
			shorten = b.Shorten.Setting + " (" + shown(b.Shorten.Worst) + " on the path)"
			if b.Shorten.Detail != "" {
				shorten += ": " + b.Shorten.Detail
			}
		}
		if len(b.Unknown) > 0 {
			shorten = strings.Join(b.Unknown, "; ")
		}
		worst, typical := shown(b.Worst), shown(b.Typical)
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
