// Package reconcile asks Flux to reconcile an object and waits until Flux has really
// done so, the way the rollback and branch commands must before they exit 0.
//
// Flux's own semantics decide what "done" means: the controller echoes the request's
// token in status.lastHandledReconcileAt, and only a Ready=True condition at the
// current generation says the result was applied. kustomize-controller leaves
// observedGeneration behind while a dependency blocks it, so a wait that only checks
// generations hangs; Wait reports the blocking dependency instead.
package reconcile

import (
	"context"
	"fmt"
	"strings"
	"time"

	apimeta "k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/client-go/dynamic"

	"github.com/kubectl-gitops/kubectl-gitops/shared/cluster"
	"github.com/kubectl-gitops/kubectl-gitops/shared/exitcode"
	"github.com/kubectl-gitops/kubectl-gitops/shared/flux"
)

// Target names a Flux object.
type Target struct{ Kind, Namespace, Name string }

func (t Target) String() string { return t.Kind + " " + t.Namespace + "/" + t.Name }

// Request sets Flux's reconcile annotation to a fresh token and returns it. It is a
// merge patch of one annotation, so it cannot overwrite anyone's concurrent change.
// A suspended object ignores requests: that is an error here, not a silent wait.
func Request(ctx context.Context, dyn dynamic.Interface, t Target, now time.Time) (string, error) {
	gvr, ok := flux.GVR(t.Kind)
	if !ok {
		return "", fmt.Errorf("%s is not a Flux kind", t.Kind)
	}
	ri := dyn.Resource(gvr).Namespace(t.Namespace)
	u, err := ri.Get(ctx, t.Name, metav1.GetOptions{})
	if err != nil {
		return "", cluster.Classify(err)
	}
	if suspended, _, _ := unstructured.NestedBool(u.Object, "spec", "suspend"); suspended {
		return "", exitcode.New(exitcode.Failure, "%s is suspended: Flux ignores reconcile requests until it is resumed", t)
	}
	token := now.UTC().Format(time.RFC3339Nano)
	patch := fmt.Sprintf(`{"metadata":{"annotations":{%q:%q}}}`, flux.ReconcileAnnotation, token)
	if _, err := ri.Patch(ctx, t.Name, types.MergePatchType, []byte(patch), metav1.PatchOptions{}); err != nil {
		return "", cluster.Classify(err)
	}
	return token, nil
}

// Status is what one poll saw, for progress output and timeout messages.
type Status struct {
	Ready, Reason, Message string
	Generation, Observed   int64
	HandledToken           string
	LastAppliedRevision    string
	ArtifactRevision       string
}

// String is a one-line summary: "Ready=False DependencyNotReady: dependency ... ".
func (s Status) String() string {
	msg := strings.Join(strings.Fields(s.Message), " ")
	if s.Ready == "" {
		return "not reconciled yet"
	}
	out := "Ready=" + s.Ready
	if s.Reason != "" {
		out += " " + s.Reason
	}
	if msg != "" {
		out += ": " + msg
	}
	return out
}

// Done decides from a Status whether the wait is over; an error ends it early (a
// failure Flux reported for the awaited generation).
type Done func(Status) (bool, error)

// ReadyAt waits for Ready=True at the current generation and, when token is set, for
// the controller to have handled that reconcile request.
func ReadyAt(token string) Done {
	return func(s Status) (bool, error) {
		if token != "" && s.HandledToken != token {
			return false, nil
		}
		return s.Ready == "True" && s.Observed == s.Generation, nil
	}
}

// Applied waits until a Kustomization reports commit sha as applied and is Ready.
func Applied(sha string) Done {
	return func(s Status) (bool, error) {
		return strings.HasSuffix(s.LastAppliedRevision, ":"+sha) && s.Ready == "True" && s.Observed == s.Generation, nil
	}
}

// Fetched waits until a source's artifact is at commit sha.
func Fetched(sha string) Done {
	return func(s Status) (bool, error) { return strings.HasSuffix(s.ArtifactRevision, ":"+sha), nil }
}

// Wait polls t every interval until done says so, ctx ends (exit code Timeout, with
// the last status seen) or done returns an error. progress, when set, gets every
// status that differs from the previous one.
func Wait(ctx context.Context, dyn dynamic.Interface, t Target, interval time.Duration, done Done, progress func(Status)) (Status, error) {
	gvr, ok := flux.GVR(t.Kind)
	if !ok {
		return Status{}, fmt.Errorf("%s is not a Flux kind", t.Kind)
	}
	var last Status
	for {
		u, err := dyn.Resource(gvr).Namespace(t.Namespace).Get(ctx, t.Name, metav1.GetOptions{})
		switch {
		case err == nil:
			s := StatusOf(u)
			if progress != nil && s != last {
				progress(s)
			}
			last = s
			finished, err := done(s)
			if err != nil || finished {
				return s, err
			}
		case ctx.Err() == nil && exitcode.Of(cluster.Classify(err)) != exitcode.Failure:
			return last, cluster.Classify(err)
		}
		select {
		case <-ctx.Done():
			return last, exitcode.New(exitcode.Timeout, "timed out waiting for %s; last seen: %s%s", t, last, blockedHint(last))
		case <-time.After(interval):
		}
	}
}

// blockedHint names what to look at when a dependency blocks the wait.
func blockedHint(s Status) string {
	if s.Reason == "DependencyNotReady" {
		return " (a dependency blocks it: see 'kubectl gitops trace deps')"
	}
	return ""
}

// StatusOf reads the parts of a Flux object's status every wait and check looks at.
func StatusOf(u *unstructured.Unstructured) Status {
	var st struct {
		Conditions             []metav1.Condition `json:"conditions"`
		ObservedGeneration     int64              `json:"observedGeneration"`
		LastHandledReconcileAt string             `json:"lastHandledReconcileAt"`
		LastAppliedRevision    string             `json:"lastAppliedRevision"`
		Artifact               *struct {
			Revision string `json:"revision"`
		} `json:"artifact"`
	}
	if m, ok := u.Object["status"].(map[string]any); ok {
		_ = runtime.DefaultUnstructuredConverter.FromUnstructured(m, &st)
	}
	s := Status{Generation: u.GetGeneration(), Observed: st.ObservedGeneration, HandledToken: st.LastHandledReconcileAt, LastAppliedRevision: st.LastAppliedRevision}
	if st.Artifact != nil {
		s.ArtifactRevision = st.Artifact.Revision
	}
	if c := apimeta.FindStatusCondition(st.Conditions, "Ready"); c != nil {
		s.Ready, s.Reason, s.Message = string(c.Status), c.Reason, c.Message
	}
	return s
}
