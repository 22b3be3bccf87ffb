// Package suspend pauses and resumes Flux Kustomizations and HelmReleases with a
// reason: spec.suspend under the suite's field manager (which a parent's apply does not
// sweep, as it sweeps fields of managers named kubectl…), and a record of why, by whom,
// since and until when, that trace and deps show. Resume waits until Flux really
// reconciled the object again, and names the dependency that blocks it instead of
// waiting for it.
package suspend

import (
	"context"
	"fmt"
	"strings"
	"time"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/client-go/dynamic"

	"github.com/kubectl-gitops/kubectl-gitops/shared/diff"
	"github.com/kubectl-gitops/kubectl-gitops/shared/exitcode"
	"github.com/kubectl-gitops/kubectl-gitops/shared/flux"
	"github.com/kubectl-gitops/kubectl-gitops/shared/invocation"
	"github.com/kubectl-gitops/kubectl-gitops/shared/output"
	"github.com/kubectl-gitops/kubectl-gitops/shared/reconcile"
	"github.com/kubectl-gitops/kubectl-gitops/shared/status"
	"github.com/kubectl-gitops/kubectl-gitops/shared/write"
)

// Request names the object and how to change it.
type Request struct {
	Kind, Namespace, Name string
	// Reason, Hooks.User and Until are recorded by Suspend.
	Reason string
	Until  *time.Time
	// Hooks: who (for the record), a server-side dry run, the confirmation asked before
	// the write, progress and the clock.
	write.Hooks
	// Wait (Resume only) until Flux reconciled the object at its new generation.
	Wait bool
	// Preview (Resume of a Kustomization only), when set, says what the apply that
	// the resume lets Flux make will change: shown before asking, kept in the result.
	Preview func(ctx context.Context) *diff.Preview
}

// Result is the document `rollback suspend|resume -o json|yaml` prints: kind
// Suspension.
type Result struct {
	output.TypeMeta `json:",inline"`
	Object          output.ObjectRef `json:"object"`
	// Action is "suspend" or "resume".
	Action  string `json:"action"`
	Changed bool   `json:"changed"`
	DryRun  bool   `json:"dryRun,omitempty"`
	// Suspension is the record written (suspend) or removed (resume).
	Suspension *status.Suspension `json:"suspension,omitempty"`
	// Changes is what the apply after resume was to change, as previewed before it.
	Changes *diff.Preview `json:"changes,omitempty"`
	// Applied is the revision the object applied after resume: after a failed apply,
	// the one still running.
	Applied string `json:"applied,omitempty"`
	// Failed is the revision Flux tried after resume and failed to apply (empty when
	// it applied).
	Failed          string   `json:"failed,omitempty"`
	Undo            string   `json:"undo,omitempty"`
	DurationSeconds float64  `json:"durationSeconds"`
	Notes           []string `json:"notes,omitempty"`
}

func (r Request) command() string {
	kind := "kustomization"
	if r.Kind == flux.KindHelmRelease {
		kind = "helmrelease"
	}
	return kind + "/" + r.Name + " -n " + r.Namespace
}

// Suspend sets spec.suspend and records why.
func Suspend(ctx context.Context, dyn dynamic.Interface, r Request) (*Result, error) {
	u, err := flux.Get(ctx, dyn, r.Kind, r.Namespace, r.Name)
	if err != nil {
		return nil, err
	}
	res := r.result("suspend")
	if status.Of(u).Suspended {
		res.Suspension = status.SuspensionOf(u.GetAnnotations())
		res.Notes = append(res.Notes, "already suspended: nothing to do")
		res.Undo = invocation.Command(ctx, "rollback resume "+r.command())
		return res, nil
	}
	at := r.Clock().UTC().Truncate(time.Second)
	rec := &status.Suspension{Reason: r.Reason, By: r.User, At: &at, Until: r.Until}
	annotations := map[string]any{
		status.SuspendReasonAnnotation: r.Reason,
		status.SuspendByAnnotation:     orNil(r.User),
		status.SuspendAtAnnotation:     at.Format(time.RFC3339),
		status.SuspendUntilAnnotation:  nil,
		// flux-operator's web UI shows who suspended an object from its own key.
		status.FluxOperatorSuspendedByAnnotation: orNil(r.User),
	}
	if r.Until != nil {
		annotations[status.SuspendUntilAnnotation] = r.Until.UTC().Format(time.RFC3339)
	}
	summary := fmt.Sprintf("suspend %s %s/%s: %s", r.Kind, r.Namespace, r.Name, output.Safe(r.Reason))
	if err := r.write(ctx, dyn, u, true, annotations, summary, res); err != nil {
		return nil, err
	}
	res.Suspension = rec
	res.Undo = invocation.Command(ctx, "rollback resume "+r.command())
	return res, nil
}

// Resume clears spec.suspend and the record, asks Flux to reconcile, and waits.
func Resume(ctx context.Context, dyn dynamic.Interface, r Request) (*Result, error) {
	start := r.Clock()
	u, err := flux.Get(ctx, dyn, r.Kind, r.Namespace, r.Name)
	if err != nil {
		return nil, err
	}
	res := r.result("resume")
	res.Suspension = status.SuspensionOf(u.GetAnnotations())
	if !status.Of(u).Suspended {
		res.Notes = append(res.Notes, "not suspended: nothing to do")
		return res, nil
	}
	// The record goes, whichever tool wrote it (a merge patch's null removes a key
	// whatever field manager set it), as flux-operator's resume removes its own.
	annotations := map[string]any{}
	for _, k := range status.SuspensionAnnotations() {
		annotations[k] = nil
	}
	// What ended is kept, so that later a commit's wait can be put down to it.
	last := status.LastSuspension{Resumed: start.UTC().Truncate(time.Second), ResumedBy: r.User}
	if res.Suspension != nil {
		last.Suspension = *res.Suspension
	}
	annotations[status.LastSuspensionAnnotation] = last.Encode()
	summary := fmt.Sprintf("resume %s %s/%s", r.Kind, r.Namespace, r.Name)
	if r.Preview != nil && r.Kind == flux.KindKustomization {
		r.Say("previewing what the apply will change (dry runs, nothing written)")
		pctx, cancel := diff.PreviewContext(ctx)
		res.Changes = r.Preview(pctx)
		cancel()
		summary += "\n  changes: " + output.Safe(res.Changes.String())
	}
	if err := r.write(ctx, dyn, u, false, annotations, summary, res); err != nil {
		return nil, err
	}
	reason := "resumed by mistake"
	if res.Suspension != nil && res.Suspension.Reason != "" {
		reason = res.Suspension.Reason
	}
	res.Undo = invocation.Command(ctx, "rollback suspend "+r.command()+" --reason "+shellQuote(reason))
	defer func() { res.DurationSeconds = time.Since(start).Round(time.Millisecond).Seconds() }()
	if res.DryRun || !r.Wait {
		return res, nil
	}
	target := reconcile.Target{Kind: r.Kind, Namespace: r.Namespace, Name: r.Name}
	token, err := reconcile.Request(ctx, dyn, target, r.Clock())
	if err != nil {
		return res, err
	}
	progress := func(s reconcile.Status) { r.Say("%s: %s", target, s) }
	st, err := reconcile.Wait(ctx, dyn, target, 500*time.Millisecond, resumed(token, invocation.Command(ctx, "deps")), progress)
	res.Applied = st.LastAppliedRevision
	if err != nil {
		if st.Failed() && st.LastAttemptedRevision != st.LastAppliedRevision {
			res.Failed = st.LastAttemptedRevision
		}
		return res, exitcode.Wrap(exitcode.Of(err), fmt.Errorf("%w (it is resumed; Flux goes on retrying)", err))
	}
	return res, nil
}

// resumed is done when the controller handled the request and is Ready at the new
// generation; a dependency that blocks it ends the wait with its name: Flux retries
// dependencies every 30 s and would keep the command waiting on someone else's problem;
// deps is the command that explains it, as the user types it.
func resumed(token, deps string) reconcile.Done {
	return func(s reconcile.Status) (bool, error) {
		if s.HandledToken != token {
			return false, nil
		}
		if s.ReadyAtGeneration() {
			return true, nil
		}
		if s.Ready.DependencyBlocked() {
			return false, exitcode.New(exitcode.Failure, "blocked by a dependency: %s (see '%s')", s.Ready.Message, deps)
		}
		if s.Failed() {
			return false, exitcode.New(exitcode.Failure, "Flux reconciled it and it failed: %s", s.Ready.Message)
		}
		return false, nil
	}
}

func (r Request) result(action string) *Result {
	return &Result{
		TypeMeta: output.NewTypeMeta(output.KindSuspension),
		Object:   output.ObjectRef{Kind: r.Kind, Namespace: r.Namespace, Name: r.Name},
		Action:   action,
	}
}

// write changes spec.suspend and the record, nothing else, through the suite's one
// write, flux.Patch (a resourceVersion precondition, cluster.FieldManager), after asking.
func (r Request) write(ctx context.Context, dyn dynamic.Interface, u *unstructured.Unstructured, suspend bool, annotations map[string]any, summary string, res *Result) error {
	if err := r.Ask(summary); err != nil {
		return err
	}
	var suspendField any = true
	if !suspend {
		suspendField = nil // absent is false
	}
	patch := map[string]any{"metadata": map[string]any{"annotations": annotations}, "spec": map[string]any{"suspend": suspendField}}
	if err := flux.Patch(ctx, dyn, r.Kind, r.Namespace, r.Name, u.GetResourceVersion(), patch, r.DryRun); err != nil {
		return err
	}
	res.DryRun, res.Changed = r.DryRun, !r.DryRun
	return nil
}

func orNil(s string) any {
	if s == "" {
		return nil
	}
	return s
}

// shellQuote quotes s for a POSIX shell, so that a printed undo command can be pasted
// whatever the recorded reason holds.
func shellQuote(s string) string {
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}
