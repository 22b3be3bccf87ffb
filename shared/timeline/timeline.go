// Package timeline assembles when a commit went through each step of a chain (Git,
// the source, each Kustomization, the HelmRelease, the object's own rollout) from
// what Flux already records (artifact times, status.history, events), and attributes
// every gap to what caused it, with the setting that controls it. After a merge
// people watch `flux get kustomizations --watch` and guess; the timestamps to answer
// "where did the minutes go" are all in the cluster.
package timeline

import (
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/kubectl-gitops/kubectl-gitops/shared/output"
	"github.com/kubectl-gitops/kubectl-gitops/shared/status"
)

// Timeline is the way one revision went to one object.
type Timeline struct {
	// Revision is the revision the object's chain applied (main@sha1:…).
	Revision string `json:"revision"`
	// Steps are in the order the revision went through them; a step whose time is
	// not known has no At and no Wait.
	Steps []Step `json:"steps"`
	// Total is from the first step with a time to the last.
	Total *metav1.Duration `json:"total,omitempty"`
	Notes []string         `json:"notes,omitempty"`
}

// What a step did with the revision.
const (
	Committed = "committed"
	Fetched   = "fetched"
	Applied   = "applied"
	Installed = "installed"
	Ready     = "ready"
	// Unchanged is a Kustomization that applied the revision without a change to
	// its objects: its history keeps the time the objects last changed, earlier.
	Unchanged = "unchanged"
)

// Step is one object taking the revision.
type Step struct {
	Object  output.ObjectRef `json:"object"`
	Cluster string           `json:"cluster,omitempty"`
	What    string           `json:"what"`
	// Dependency is set on a Kustomization the next one dependsOn.
	Dependency bool `json:"dependency,omitempty"`
	// At is when the step finished, to the second as Flux records it; From names
	// the field it was read from.
	At   *metav1.Time `json:"at,omitempty"`
	From string       `json:"from,omitempty"`
	// Took is how long the step itself ran (an apply with its health checks).
	Took *metav1.Duration `json:"took,omitempty"`
	// Wait is the time since the step it waited for, and why it took that long.
	Wait *Gap   `json:"wait,omitempty"`
	Note string `json:"note,omitempty"`

	// settings are what the step's object says about its own timing.
	settings settings
}

// settings are the fields of a step's object that decide how long it waits.
type settings struct {
	// interval is a source's spec.interval, or a Kustomization's.
	interval time.Duration
	// receiver is the Receiver whose webhook triggers a source ("namespace/name").
	receiver string
	// retry is a Kustomization's spec.retryInterval (its interval when unset).
	retry time.Duration
	// wait and timeout are a Kustomization's spec.wait (or health checks) and timeout.
	wait    bool
	timeout time.Duration
	// failures are when the step's object reported a failure (Warning events).
	failures []time.Time
	// lastReconciled is when its history's snapshot for the revision was last
	// reconciled: for a Kustomization whose objects the revision did not change, the
	// best record of when it took the revision.
	lastReconciled time.Time
	// suspended is the suspension that ended last (nil: none recorded), and
	// suspendedNow whether it is suspended at this moment.
	suspended    *status.LastSuspension
	suspendedNow *status.Suspension
}

// Causes of a gap.
const (
	// CausePoll is the source waiting for its next poll.
	CausePoll = "source poll"
	// CauseWebhook is the time between the push and the fetch a Receiver's webhook
	// asked for.
	CauseWebhook = "webhook"
	// CauseApply is the controller's own work: the apply and its health checks.
	CauseApply = "apply"
	// CauseDependency is a Kustomization waiting for one it dependsOn to apply.
	CauseDependency = "dependency"
	// CauseRequeue is the time between a dependency becoming ready and the
	// controller's next look at the one waiting on it.
	CauseRequeue = "dependency requeue"
	// CauseRetry is the time spent failing and waiting to retry.
	CauseRetry = "retries"
	// CauseSuspended is a suspension holding the revision back.
	CauseSuspended = "suspended"
	// CauseRollout is the object's own rollout after the apply.
	CauseRollout = "rollout"
	// CauseQueue is time no setting explains: the controller's work queue.
	CauseQueue = "queue"
)

// Gap is the time between the step waited for and this one, in parts.
type Gap struct {
	Duration metav1.Duration `json:"duration"`
	// Since names the step waited for ("fetched GitRepository flux-system/fleet").
	Since string `json:"since"`
	Parts []Part `json:"parts"`
}

// Part is a share of a gap with its cause and the setting that controls it.
type Part struct {
	Cause    string          `json:"cause"`
	Duration metav1.Duration `json:"duration"`
	// Setting is what shortens it: "GitRepository flux-system/fleet spec.interval=1m".
	Setting string `json:"setting,omitempty"`
	Detail  string `json:"detail,omitempty"`
}

func duration(d time.Duration) metav1.Duration {
	if d < 0 {
		d = 0
	}
	return metav1.Duration{Duration: d.Round(time.Millisecond)}
}
