package dev

import (
	"time"

	"github.com/kubectl-gitops/kubectl-gitops/shared/diff"
	"github.com/kubectl-gitops/kubectl-gitops/shared/output"
	"github.com/kubectl-gitops/kubectl-gitops/shared/reconcile"
)

// Result is the DevStep document every step prints with -o json|yaml: what it did (or,
// with DryRun, would do) and the session as it stands after it.
type Result struct {
	output.TypeMeta `json:",inline"`
	// Action is start, test, diff, checkpoint, finish or abort.
	Action  string   `json:"action"`
	DryRun  bool     `json:"dryRun,omitempty"`
	Session *Session `json:"session"`
	// Suspended and Resumed are the Kustomizations the step paused or handed back.
	Suspended []output.ObjectRef `json:"suspended,omitempty"`
	Resumed   []output.ObjectRef `json:"resumed,omitempty"`
	// Applied are the objects `test` wrote.
	Applied []Change `json:"applied,omitempty"`
	// Diffs are what `diff` found, per object.
	Diffs []ObjectDiff `json:"diffs,omitempty"`
	// Checkpoint is the commit `checkpoint` made.
	Checkpoint *Checkpoint `json:"checkpoint,omitempty"`
	// Commit is the squashed commit `finish` pushed, PullRequest the command that
	// opens its pull request.
	Commit      string `json:"commit,omitempty"`
	Pushed      bool   `json:"pushed,omitempty"`
	PullRequest string `json:"pullRequest,omitempty"`
	// Changes are what `diff` previewed Flux's apply of the session branch, as
	// committed, to change: per Kustomization of the session.
	Changes []diff.ConsumerPreview `json:"changes,omitempty"`
	// Preview is what `finish --preview` saw when Flux applied the session branch.
	Preview []reconcile.Outcome `json:"preview,omitempty"`
	// Consumers are the paused Kustomizations waited for after hand-back.
	Consumers []reconcile.Outcome `json:"consumers,omitempty"`
	// Deleted are objects the session created that Git does not declare; Released
	// those whose fields the session gave back to Git.
	Deleted  []output.ObjectRef `json:"deleted,omitempty"`
	Released []output.ObjectRef `json:"released,omitempty"`
	// Closed says the session record is gone: nothing of it is left in the cluster.
	Closed          bool     `json:"closed,omitempty"`
	Notes           []string `json:"notes,omitempty"`
	Next            string   `json:"next,omitempty"`
	DurationSeconds float64  `json:"durationSeconds"`
}

// Change is one object `test` applied.
type Change struct {
	output.ObjectRef `json:",inline"`
	// Operation is created, configured or unchanged.
	Operation string `json:"operation"`
}

// ObjectDiff is what one manifest changes: against the live object, and against what the
// tracked branch's head declares.
type ObjectDiff struct {
	output.ObjectRef `json:",inline"`
	// Cluster is a unified diff of the live object to what applying the file gives
	// ("" when nothing changes); Live says the object exists.
	Cluster string `json:"cluster"`
	Live    bool   `json:"live"`
	// Git is a unified diff of the object at the tracked branch's head to the file;
	// InGit says the head declares it.
	Git   string `json:"git"`
	InGit bool   `json:"inGit"`
}

func newResult(action string, s *Session, dryRun bool) *Result {
	return &Result{TypeMeta: output.NewTypeMeta(output.KindDevStep), Action: action, Session: s, DryRun: dryRun}
}

func since(start time.Time) float64 { return time.Since(start).Round(time.Millisecond).Seconds() }
