package deps

// Report is the analysed graph: every node with its resolved edges, and the
// problems found. All lists are sorted by namespace, name, then kind, so the
// same input always renders the same output.
type Report struct {
	// Entries holds the nodes given to Analyze, sorted, followed by one
	// placeholder entry (Missing set) per dependsOn target that no node
	// defines, also sorted. Indices into Entries are stable for the life of
	// the Report.
	Entries []Entry

	Cycles []Cycle
	// ReadyExprs are the dependsOn entries with a readyExpr and what each gave.
	ReadyExprs []ReadyExprCheck
	// Deadlocks are cycles through dependsOn and what Flux does on its own (a
	// Kustomization waiting for what it applies, an object existing only once its
	// Kustomization applied): no controller reports them.
	Deadlocks []Deadlock
	Missing   []MissingDependency
	// Unknown are dependsOn entries whose target holds a variable that cannot be
	// known offline; Unrendered the parts of the repository that were not rendered
	// (another source). Neither is a problem unless Strict.
	Unknown    []MissingDependency
	Unrendered []string
	Strict     bool
	RootCauses []RootCause
	// Duplicates lists nodes given more than once (offline mode: the same
	// object defined in two files). The first one in input order is kept.
	Duplicates []Duplicate
	// FileErrors are the files and documents of an offline check that could not be
	// read (malformed YAML, a refused file, a kustomize build that failed): Flux would
	// fail on them too.
	FileErrors []FileError
	// NothingChecked says the check found no Kustomization or HelmRelease at all, in
	// the folder, the cluster or the namespace asked about: a check of nothing is not
	// a pass, or a CI job pointed at the wrong namespace would pass silently.
	NothingChecked bool

	index map[NodeID]int
	// readyExprOf maps (dependent, dependency) entry indices to ReadyExprs.
	readyExprOf map[[2]int]int
	// deadlockOf is the index into Deadlocks of each entry's deadlock, or -1.
	deadlockOf []int
	// suggested holds, per missing target, the ranked suggestions before
	// the target's dependents were left out (see findMissing).
	suggested map[NodeID][]NodeID
}

// Entry is a node placed in the graph.
type Entry struct {
	Node
	// Missing marks a placeholder for a dependsOn target no object defines.
	Missing bool
	// Dependencies are indices into Report.Entries, in dependsOn order with
	// repeats removed. Unresolved entries point at placeholders.
	Dependencies []int
	// Dependents are the indices of entries depending on this one, ascending.
	Dependents []int
	// Cycle is the index into Report.Cycles of the cycle this entry is a
	// member of, or -1.
	Cycle int
	// Cause is the index into Report.RootCauses this entry is the culprit or
	// a victim of, or -1.
	Cause int
}

// State is the one-word status shown for an entry.
type State string

// The states an entry can be in.
const (
	StateReady     State = "Ready"
	StateNotReady  State = "NotReady"
	StateSuspended State = "Suspended"
	StateMissing   State = "Missing"
	// StateUnknown is used for offline nodes, which carry no status.
	StateUnknown State = "Unknown"
)

// State summarises the entry. Suspension wins over readiness because it is
// what the user has to act on.
func (e *Entry) State() State {
	switch {
	case e.Missing && Unknowable(e.ID()):
		return StateUnknown // a name offline variables decide
	case e.Missing:
		return StateMissing
	case e.Offline:
		return StateUnknown
	case e.Suspended:
		return StateSuspended
	case e.Ready.IsTrue():
		return StateReady
	default:
		return StateNotReady
	}
}

// Edge is one dependsOn relation: Dependent lists Dependency in its dependsOn.
type Edge struct {
	Dependent  NodeID
	Dependency NodeID
}

// Cycle is one strongly connected group of nodes that wait on each other.
type Cycle struct {
	Kind Kind
	// Path is one concrete cycle, written in dependsOn direction
	// (a -> b means a depends on b); it ends where it starts. A self-loop is
	// [a, a].
	Path []NodeID
	// Members is every node of the strongly connected component, sorted.
	// It is longer than the cycle in Path when several cycles interlock; fix
	// the suggested edge and run again to see the next one.
	Members []NodeID
	// Break is the suggested edge to remove: from the last member of Path
	// back to the first.
	Break Edge
	// Suggestion says the same in words, for humans.
	Suggestion string
}

// MissingDependency is a dependsOn entry that resolves to no object.
type MissingDependency struct {
	Dependent NodeID
	Ref       DependencyRef
	// Target is what Flux looks for: the dependent's kind, Ref's namespace
	// and name.
	Target NodeID
	// Suggestions are existing objects of the right kind in Target's
	// namespace whose name is at edit distance 2 or less, or with the same
	// name in another namespace; best first, at most maxSuggestions.
	Suggestions []NodeID
	// OtherKind lists objects of the other kind at exactly Target's
	// namespace/name: a sign the user expected kinds to mix, which Flux does
	// not allow.
	OtherKind []NodeID
}

// CauseKind classifies a root cause.
type CauseKind string

// The kinds of root cause, in the words used by every renderer and the
// JSON schema.
const (
	CauseMissing       CauseKind = "missing"
	CauseCycle         CauseKind = "cycle"
	CauseSuspended     CauseKind = "suspended"
	CauseFailing       CauseKind = "failing"
	CauseNotReconciled CauseKind = "not-reconciled"
	CauseRevisionLag   CauseKind = "revision-lag"
	// CauseSource is a source that cannot produce an artifact: every Kustomization
	// built from it, and what waits for them, is its victim.
	CauseSource CauseKind = "source"
	// CauseDeadlock is a deadlock (see Report.Deadlocks): Node is its first step's.
	CauseDeadlock CauseKind = "deadlock"
	// CauseReadyExpr is a dependsOn readyExpr that is false or fails: Node is the
	// dependency it was evaluated on.
	CauseReadyExpr CauseKind = "ready-expr"
)

// RootCause is the object at the bottom of one or more blocked chains.
type RootCause struct {
	Kind CauseKind
	// Node is the culprit: the absent target for CauseMissing, the first
	// node of the cycle path for CauseCycle.
	Node NodeID
	// Message explains the cause, quoting Flux's own message where there is
	// one.
	Message string
	// NextStep is the command or edit to try first.
	NextStep string
	// Victims are the not-Ready nodes blocked, directly or transitively, by
	// this cause under Flux's first-failing-dependency order. Cycle members
	// are not their own victims. Sorted.
	Victims []NodeID
}

// Duplicate records a node that was dropped because its ID was already seen.
type Duplicate struct {
	ID   NodeID
	File string
	Line int
}

// HasProblems reports whether anything needs fixing; it drives the exit code
// of --check.
func (r *Report) HasProblems() bool {
	if r.Strict && (len(r.Unknown) > 0 || len(r.Unrendered) > 0) {
		return true
	}
	return len(r.Cycles) > 0 || len(r.Deadlocks) > 0 || len(r.Missing) > 0 || len(r.RootCauses) > 0 || len(r.FileErrors) > 0 || r.NothingChecked
}

// FileError is a file (and line, when known) an offline check could not read.
type FileError struct {
	File    string
	Line    int
	Message string
}

// Lookup returns the index of id in Entries.
func (r *Report) Lookup(id NodeID) (int, bool) {
	i, ok := r.index[id]
	return i, ok
}

// Edges lists every resolved dependsOn relation, dependents in entry order,
// dependencies in dependsOn order.
func (r *Report) Edges() []Edge {
	var out []Edge
	for i := range r.Entries {
		from := r.Entries[i].ID()
		for _, j := range r.Entries[i].Dependencies {
			out = append(out, Edge{Dependent: from, Dependency: r.Entries[j].ID()})
		}
	}
	return out
}
