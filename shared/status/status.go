// Package status reads the status every Flux object reports, the one way the suite
// does: trace's health column, deps' dependency replay, the reconcile waits and the
// test bed all decide "ready", "blocked" and "applied" here, with Flux's own condition
// constants.
package status

import (
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/fluxcd/pkg/apis/meta"
	apimeta "k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime"

	"github.com/kubectl-gitops/kubectl-gitops/shared/redact"
)

// Condition is the part of the Ready condition every check reads. An empty Status
// means the object has no Ready condition at all.
type Condition struct {
	Status  metav1.ConditionStatus
	Reason  string
	Message string
}

// IsTrue reports Ready=True.
func (c Condition) IsTrue() bool { return c.Status == metav1.ConditionTrue }

// IsFalse reports Ready=False: the controller tried and failed.
func (c Condition) IsFalse() bool { return c.Status == metav1.ConditionFalse }

// DependencyBlocked reports the reason both kustomize- and helm-controller set when a
// dependsOn check failed.
func (c Condition) DependencyBlocked() bool { return c.Reason == meta.DependencyNotReadyReason }

// UnreadableReason is the Ready reason of an object whose status does not parse
// (conditions that are not a list, a condition status that is not a string), or whose
// spec does not where a reader needs it (SpecUnreadable): said as such, and never as a
// plain "not ready", so the user looks at the object and not at its controller.
const UnreadableReason = "StatusUnreadable"

// Unreadable reports a Ready condition made up for a status that does not parse.
func (c Condition) Unreadable() bool { return c.Reason == UnreadableReason }

// Status is what a Flux object says about itself. It is comparable, so a wait can
// report only the polls that changed something.
type Status struct {
	Ready Condition
	// LastTransition is the Ready condition's last transition time (zero when absent).
	LastTransition time.Time

	Generation         int64
	ObservedGeneration int64
	Suspended          bool

	// HandledToken is status.lastHandledReconcileAt: the reconcile request the
	// controller handled last.
	HandledToken string
	// LastAppliedRevision and LastAttemptedRevision are a Kustomization's (HelmRelease:
	// lastAttemptedRevision only).
	LastAppliedRevision   string
	LastAttemptedRevision string
	// ArtifactRevision is a source's status.artifact.revision.
	ArtifactRevision string
	// ObservedSourceRevision is a HelmChart's status.observedSourceArtifactRevision: the
	// revision of the source it last built the chart from.
	ObservedSourceRevision string
	// Retrying is the Reconciling condition with reason ProgressingWithRetry: the
	// controllers' mark of a reconcile that failed and will be retried.
	Retrying bool
}

// ReadyAtGeneration is Flux's own test of a dependency (and of a finished reconcile):
// Ready=True for the current generation. The controllers only move observedGeneration
// on success, so a stale generation means the last spec change is not handled yet.
func (s Status) ReadyAtGeneration() bool {
	return s.Ready.IsTrue() && s.ObservedGeneration == s.Generation
}

// Failed reports that the controller's last reconcile failed on the current spec: Ready
// False (not waiting on a dependency) at the current generation, or with Reconciling
// ProgressingWithRetry. source-, kustomize- and helm-controller move observedGeneration
// only on success, so after a spec change (a resume, a new ref) a failure leaves it
// behind: reading the generation alone, a wait would sit out its whole timeout on a
// failure Flux reported at once. Callers first check that the controller handled their
// request (HandledToken): only then is the status that of a reconcile of the new spec.
func (s Status) Failed() bool {
	if !s.Ready.IsFalse() || s.Ready.DependencyBlocked() {
		return false
	}
	return s.ObservedGeneration == s.Generation || s.Retrying
}

// Stale reports that the controller has not yet observed the current generation.
func (s Status) Stale() bool { return s.ObservedGeneration != s.Generation }

// String is a one-line summary: "Ready=False DependencyNotReady: dependency ...".
func (s Status) String() string {
	if s.Ready.Status == "" {
		return "not reconciled yet"
	}
	out := "Ready=" + string(s.Ready.Status)
	if s.Ready.Reason != "" {
		out += " " + s.Ready.Reason
	}
	if msg := strings.Join(strings.Fields(s.Ready.Message), " "); msg != "" {
		out += ": " + msg
	}
	return out
}

// FromConditions builds a Status from a typed object's fields.
func FromConditions(conds []metav1.Condition, generation, observed int64, suspended bool) Status {
	s := Status{Generation: generation, ObservedGeneration: observed, Suspended: suspended}
	if c := apimeta.FindStatusCondition(conds, meta.ReadyCondition); c != nil {
		// Messages quote the address a source failed to reach, password and all: masked
		// here, where every reader of Flux status gets them.
		s.Ready = Condition{Status: c.Status, Reason: c.Reason, Message: redact.Text(c.Message)}
		s.LastTransition = c.LastTransitionTime.Time.UTC().Truncate(time.Second)
	}
	return s
}

// Of reads the Status of any Flux object, Kustomization, HelmRelease or source, without
// converting the whole object. A status (or spec.suspend) that does not parse gives a
// Ready condition of Unknown with reason UnreadableReason and a "status unreadable: …"
// message, which every reader shows as it shows any Ready condition.
func Of(u *unstructured.Unstructured) Status {
	var st struct {
		Conditions             []metav1.Condition `json:"conditions"`
		ObservedGeneration     int64              `json:"observedGeneration"`
		LastHandledReconcileAt string             `json:"lastHandledReconcileAt"`
		LastAppliedRevision    string             `json:"lastAppliedRevision"`
		LastAttemptedRevision  string             `json:"lastAttemptedRevision"`
		ObservedSourceRevision string             `json:"observedSourceArtifactRevision"`
		Artifact               *struct {
			Revision string `json:"revision"`
		} `json:"artifact"`
	}
	var errs []error
	switch m := u.Object["status"].(type) {
	case nil:
	case map[string]any:
		if err := runtime.DefaultUnstructuredConverter.FromUnstructured(m, &st); err != nil {
			errs = append(errs, err)
		}
	default:
		errs = append(errs, fmt.Errorf(".status is a %T, not an object", m))
	}
	suspended, _, err := unstructured.NestedBool(u.Object, "spec", "suspend")
	if err != nil {
		errs = append(errs, err)
	}
	s := FromConditions(st.Conditions, u.GetGeneration(), st.ObservedGeneration, suspended)
	s.HandledToken = st.LastHandledReconcileAt
	s.LastAppliedRevision = st.LastAppliedRevision
	s.LastAttemptedRevision = st.LastAttemptedRevision
	s.ObservedSourceRevision = st.ObservedSourceRevision
	if c := apimeta.FindStatusCondition(st.Conditions, meta.ReconcilingCondition); c != nil {
		s.Retrying = c.Status == metav1.ConditionTrue && c.Reason == meta.ProgressingWithRetryReason
	}
	if st.Artifact != nil {
		s.ArtifactRevision = st.Artifact.Revision
	}
	if len(errs) > 0 {
		s.Ready = Unreadable(errors.Join(errs...))
		s.LastTransition = time.Time{}
	}
	return s
}

// Unreadable is the Ready condition of an object whose status does not parse: Unknown,
// with the parse error as its message.
func Unreadable(err error) Condition { return unreadable("status", err) }

// SpecUnreadable is the Ready condition of an object whose spec, where a reader needs
// it (a source's url or ref), does not parse: the same Unknown condition as
// Unreadable, so every reader shows it as it shows a status that does not parse, and
// an empty URL is never taken for what the object says.
func SpecUnreadable(err error) Condition { return unreadable("spec", err) }

func unreadable(part string, err error) Condition {
	return Condition{Status: metav1.ConditionUnknown, Reason: UnreadableReason,
		Message: redact.Text(part + " unreadable: " + strings.Join(strings.Fields(err.Error()), " "))}
}

// Join returns c with the made-up condition u (Unreadable, SpecUnreadable) in its
// place: u itself when c was read from the object, both messages when c already says
// that something did not parse, so neither problem hides the other.
func (c Condition) Join(u Condition) Condition {
	if !c.Unreadable() {
		return u
	}
	c.Message += "; " + u.Message
	return c
}
