package render

import (
	"github.com/kubectl-gitops/kubectl-gitops/shared/deps"
	"github.com/kubectl-gitops/kubectl-gitops/shared/output"
	"github.com/kubectl-gitops/kubectl-gitops/shared/status"
)

// DependencyReport is the machine-readable form of a Report (`-o json|yaml`).
//
// Schema (gitops.kubectl.io/v1alpha1, kind DependencyReport):
//
//	apiVersion  "gitops.kubectl.io/v1alpha1"
//	kind        "DependencyReport"
//	summary     counts and hasProblems (the --check verdict)
//	nodes[]     every Kustomization and HelmRelease, plus one node with
//	            state "Missing" per dependsOn target that does not exist
//	edges[]     {dependent, dependency}: dependent lists dependency in its
//	            dependsOn; missing/inCycle flag the problem edges
//	cycles[]    {kind, path, members, break, suggestion}: path is one cycle
//	            in dependsOn direction, first ID repeated at the end;
//	            break is the edge to remove
//	deadlocks[] {steps, members, break, suggestion}: a cycle through
//	            dependsOn, "waits for" and "exists only after"; steps are
//	            {from, relation, to}, break is the dependsOn step to remove
//	readyExprs[] {dependent, dependency, expr, result, message}: result is
//	            True, False, Error or NotEvaluated (offline)
//	missing[]   {dependent, target, ref, suggestions, otherKind}
//	rootCauses[] {kind, node, message, nextStep, victims}: kind is one of
//	            missing, cycle, deadlock, source, suspended, failing, not-reconciled,
//	            revision-lag; node is the culprit; victims are the blocked
//	            nodes
//	duplicates[] objects defined more than once (offline mode)
//
// Every node reference is an ID string "Kind/namespace/name". Lists are
// sorted by namespace, name, kind and are never null. Optional scalar fields
// are omitted when empty.
type DependencyReport struct {
	output.TypeMeta `json:",inline"`
	// Cluster is the sync path an offline check walked from, when the repository
	// holds clusters (one report each).
	Cluster   string           `json:"cluster,omitempty"`
	Summary   ReportSummary    `json:"summary"`
	Nodes     []ReportNode     `json:"nodes"`
	Edges     []ReportEdge     `json:"edges"`
	Cycles    []ReportCycle    `json:"cycles"`
	Deadlocks []ReportDeadlock `json:"deadlocks"`
	// ReadyExprs are the dependsOn entries with a readyExpr and what each gave.
	ReadyExprs []ReportReadyExpr `json:"readyExprs"`
	Missing    []ReportMissing   `json:"missing"`
	RootCauses []ReportRootCause `json:"rootCauses"`
	Duplicates []ReportDuplicate `json:"duplicates"`
	// Unknown are dependencies whose name holds a variable that cannot be known
	// offline; Unrendered the parts not rendered (another source). Not problems
	// unless --strict.
	Unknown    []ReportMissing `json:"unknown"`
	Unrendered []string        `json:"unrendered"`
	// FileErrors are what an offline check could not read.
	FileErrors []ReportFileError `json:"fileErrors"`

	// View shapes the text view and the drawings; report is what they are drawn
	// from. Neither is part of the document.
	View   View `json:"-"`
	report *deps.Report
}

// ReportFileError is one file an offline check could not read.
type ReportFileError struct {
	File    string `json:"file"`
	Line    int    `json:"line,omitempty"`
	Message string `json:"message"`
}

// ReportSummary gives the counts a dashboard or CI check needs without
// walking the lists. Blocked counts victims over all root causes.
type ReportSummary struct {
	Nodes      int `json:"nodes"`
	Edges      int `json:"edges"`
	Cycles     int `json:"cycles"`
	Deadlocks  int `json:"deadlocks"`
	Missing    int `json:"missing"`
	Unknown    int `json:"unknown"`
	Unrendered int `json:"unrendered"`
	RootCauses int `json:"rootCauses"`
	Blocked    int `json:"blocked"`
	FileErrors int `json:"fileErrors"`
	// NothingChecked: the check found no Kustomization or HelmRelease (folder,
	// cluster or namespace).
	NothingChecked bool `json:"nothingChecked,omitempty"`
	// HasProblems is exactly the verdict of --check.
	HasProblems bool `json:"hasProblems"`
}

// ReportNode is one node. State is Ready, NotReady, Suspended, Missing or
// Unknown (offline: no status). RootCause indexes rootCauses when the node
// is a culprit or a victim.
type ReportNode struct {
	ID        string `json:"id"`
	Kind      string `json:"kind"`
	Namespace string `json:"namespace"`
	Name      string `json:"name"`
	State     string `json:"state"`
	Suspended bool   `json:"suspended,omitempty"`
	// Suspension is the record `rollback suspend` (or flux-operator's web UI, or Flux's
	// RFC-0006 annotation) wrote: why, by whom, since and until when (past until, the
	// suspension is overdue).
	Suspension          *status.Suspension `json:"suspension,omitempty"`
	Ready               *ReportCondition   `json:"ready,omitempty"`
	Generation          int64              `json:"generation,omitempty"`
	ObservedGeneration  int64              `json:"observedGeneration,omitempty"`
	SourceRef           string             `json:"sourceRef,omitempty"`
	SourceRevision      string             `json:"sourceRevision,omitempty"`
	LastAppliedRevision string             `json:"lastAppliedRevision,omitempty"`
	// TargetCluster names the Secret or ConfigMap of spec.kubeConfig when the object
	// applies to another cluster.
	TargetCluster string   `json:"targetCluster,omitempty"`
	DependsOn     []string `json:"dependsOn"`
	InCycle       bool     `json:"inCycle,omitempty"`
	RootCause     *int     `json:"rootCause,omitempty"`
	Offline       bool     `json:"offline,omitempty"`
	File          string   `json:"file,omitempty"`
	Line          int      `json:"line,omitempty"`
}

// ReportCondition is the Ready condition; status is True, False or Unknown.
type ReportCondition struct {
	Status  string `json:"status"`
	Reason  string `json:"reason,omitempty"`
	Message string `json:"message,omitempty"`
}

// ReportEdge is one dependsOn relation.
type ReportEdge struct {
	Dependent  string `json:"dependent"`
	Dependency string `json:"dependency"`
	Missing    bool   `json:"missing,omitempty"`
	InCycle    bool   `json:"inCycle,omitempty"`
}

// ReportCycle is one cycle.
type ReportCycle struct {
	Kind       string     `json:"kind"`
	Path       []string   `json:"path"`
	Members    []string   `json:"members"`
	Break      ReportEdge `json:"break"`
	Suggestion string     `json:"suggestion"`
}

// ReportDeadlock is one deadlock across dependsOn, waits and applies.
type ReportDeadlock struct {
	Steps      []ReportStep `json:"steps"`
	Members    []string     `json:"members"`
	Break      ReportStep   `json:"break"`
	Suggestion string       `json:"suggestion"`
}

// ReportReadyExpr is a dependsOn readyExpr: result is True or False (evaluated on
// the live objects), Error (Flux fails on it too) or NotEvaluated (offline).
type ReportReadyExpr struct {
	Dependent  string `json:"dependent"`
	Dependency string `json:"dependency"`
	Expr       string `json:"expr"`
	Result     string `json:"result"`
	Message    string `json:"message,omitempty"`
}

// ReportStep is one link of a deadlock: from needs to, as relation says ("depends
// on", "waits for", "exists only after").
type ReportStep struct {
	From     string `json:"from"`
	Relation string `json:"relation"`
	To       string `json:"to"`
}

func reportStep(s deps.Step) ReportStep {
	return ReportStep{From: s.From.Key(), Relation: string(s.Relation), To: s.To.Key()}
}

// ReportRef is a dependsOn entry as written (namespace defaulted).
type ReportRef struct {
	Name      string `json:"name"`
	Namespace string `json:"namespace"`
	ReadyExpr string `json:"readyExpr,omitempty"`
}

// ReportMissing is a dependsOn entry pointing at nothing.
type ReportMissing struct {
	Dependent   string    `json:"dependent"`
	Target      string    `json:"target"`
	Ref         ReportRef `json:"ref"`
	Suggestions []string  `json:"suggestions"`
	OtherKind   []string  `json:"otherKind"`
}

// ReportRootCause is one root cause and what it blocks.
type ReportRootCause struct {
	Kind     string   `json:"kind"`
	Node     string   `json:"node"`
	Message  string   `json:"message"`
	NextStep string   `json:"nextStep"`
	Victims  []string `json:"victims"`
	// RemoteVictims are the victims that apply to another cluster, with where: a cause
	// in this cluster blocks what is behind them there.
	RemoteVictims []string `json:"remoteVictims,omitempty"`
}

// ReportDuplicate is a second definition of an object, ignored.
type ReportDuplicate struct {
	ID   string `json:"id"`
	File string `json:"file,omitempty"`
	Line int    `json:"line,omitempty"`
}

// Document converts a Report to the DependencyReport document -o json|yaml prints.
func Document(r *deps.Report) DependencyReport {
	out := DependencyReport{
		report:     r,
		TypeMeta:   output.NewTypeMeta(output.KindDependencyReport),
		Nodes:      make([]ReportNode, 0, len(r.Entries)),
		Edges:      []ReportEdge{},
		Cycles:     make([]ReportCycle, 0, len(r.Cycles)),
		Deadlocks:  make([]ReportDeadlock, 0, len(r.Deadlocks)),
		Missing:    make([]ReportMissing, 0, len(r.Missing)),
		RootCauses: make([]ReportRootCause, 0, len(r.RootCauses)),
		Duplicates: make([]ReportDuplicate, 0, len(r.Duplicates)),
	}
	for i := range r.Entries {
		out.Nodes = append(out.Nodes, jsonNode(r, i))
		for _, j := range r.Entries[i].Dependencies {
			out.Edges = append(out.Edges, ReportEdge{
				Dependent:  r.Entries[i].ID().Key(),
				Dependency: r.Entries[j].ID().Key(),
				Missing:    r.Entries[j].Missing,
				InCycle:    cycleEdge(r, i, j),
			})
		}
	}
	for _, cy := range r.Cycles {
		out.Cycles = append(out.Cycles, ReportCycle{
			Kind:       string(cy.Kind),
			Path:       idStrings(cy.Path),
			Members:    idStrings(cy.Members),
			Break:      ReportEdge{Dependent: cy.Break.Dependent.Key(), Dependency: cy.Break.Dependency.Key(), InCycle: true},
			Suggestion: cy.Suggestion,
		})
	}
	for _, d := range r.Deadlocks {
		rd := ReportDeadlock{Members: idStrings(d.Members), Break: reportStep(d.Break), Suggestion: d.Suggestion}
		for _, s := range d.Steps {
			rd.Steps = append(rd.Steps, reportStep(s))
		}
		out.Deadlocks = append(out.Deadlocks, rd)
	}
	out.ReadyExprs = make([]ReportReadyExpr, 0, len(r.ReadyExprs))
	for _, c := range r.ReadyExprs {
		out.ReadyExprs = append(out.ReadyExprs, ReportReadyExpr{Dependent: c.Dependent.Key(), Dependency: c.Dependency.Key(), Expr: c.Expr, Result: c.Result, Message: c.Message})
	}
	out.Unknown = make([]ReportMissing, 0, len(r.Unknown))
	for _, m := range r.Unknown {
		out.Unknown = append(out.Unknown, ReportMissing{Dependent: m.Dependent.Key(), Target: m.Target.Key(),
			Ref: ReportRef{Name: m.Ref.Name, Namespace: m.Ref.Namespace, ReadyExpr: m.Ref.ReadyExpr}, Suggestions: []string{}, OtherKind: []string{}})
	}
	out.Unrendered = append([]string{}, r.Unrendered...)
	for _, m := range r.Missing {
		out.Missing = append(out.Missing, ReportMissing{
			Dependent:   m.Dependent.Key(),
			Target:      m.Target.Key(),
			Ref:         ReportRef{Name: m.Ref.Name, Namespace: m.Ref.Namespace, ReadyExpr: m.Ref.ReadyExpr},
			Suggestions: idStrings(m.Suggestions),
			OtherKind:   idStrings(m.OtherKind),
		})
	}
	for _, rc := range r.RootCauses {
		out.RootCauses = append(out.RootCauses, ReportRootCause{
			Kind:          string(rc.Kind),
			Node:          rc.Node.Key(),
			Message:       rc.Message,
			NextStep:      rc.NextStep,
			Victims:       idStrings(rc.Victims),
			RemoteVictims: remoteVictims(r, rc.Victims),
		})
		out.Summary.Blocked += len(rc.Victims)
	}
	for _, d := range r.Duplicates {
		out.Duplicates = append(out.Duplicates, ReportDuplicate{ID: d.ID.Key(), File: d.File, Line: d.Line})
	}
	out.Summary.Nodes = len(out.Nodes)
	out.Summary.Edges = len(out.Edges)
	out.Summary.Cycles = len(out.Cycles)
	out.Summary.Deadlocks = len(out.Deadlocks)
	out.Summary.Missing = len(out.Missing)
	out.Summary.Unknown, out.Summary.Unrendered = len(out.Unknown), len(out.Unrendered)
	out.Summary.RootCauses = len(out.RootCauses)
	out.FileErrors = []ReportFileError{}
	for _, fe := range r.FileErrors {
		out.FileErrors = append(out.FileErrors, ReportFileError{File: fe.File, Line: fe.Line, Message: fe.Message})
	}
	out.Summary.FileErrors = len(out.FileErrors)
	out.Summary.NothingChecked = r.NothingChecked
	out.Summary.HasProblems = r.HasProblems()
	return out
}

func jsonNode(r *deps.Report, i int) ReportNode {
	e := &r.Entries[i]
	n := ReportNode{
		ID:                  e.ID().Key(),
		Kind:                string(e.Kind),
		Namespace:           e.Namespace,
		Name:                e.Name,
		State:               string(e.State()),
		Suspended:           e.Suspended,
		Suspension:          e.Suspension,
		Generation:          e.Generation,
		ObservedGeneration:  e.ObservedGeneration,
		SourceRevision:      e.SourceRevision,
		LastAppliedRevision: e.LastAppliedRevision,
		TargetCluster:       e.Target,
		DependsOn:           make([]string, 0, len(e.Dependencies)),
		InCycle:             e.Cycle >= 0,
		Offline:             e.Offline,
		File:                e.File,
		Line:                e.Line,
	}
	if e.Ready.Status != "" {
		n.Ready = &ReportCondition{Status: string(e.Ready.Status), Reason: e.Ready.Reason, Message: e.Ready.Message}
	}
	if !e.SourceRef.IsZero() {
		n.SourceRef = e.SourceRef.Key()
	}
	for _, j := range e.Dependencies {
		n.DependsOn = append(n.DependsOn, r.Entries[j].ID().Key())
	}
	if e.Cause >= 0 {
		c := e.Cause
		n.RootCause = &c
	}
	return n
}

func idStrings(ids []deps.NodeID) []string {
	out := make([]string, len(ids))
	for i, id := range ids {
		out[i] = id.Key()
	}
	return out
}

// remoteVictims lists the victims that apply to another cluster, as
// "Kind/namespace/name -> Secret namespace/name".
func remoteVictims(r *deps.Report, victims []deps.NodeID) []string {
	var out []string
	for _, v := range victims {
		if i, ok := r.Lookup(v); ok && r.Entries[i].Target != "" {
			out = append(out, v.Key()+" -> "+r.Entries[i].Target)
		}
	}
	return out
}
