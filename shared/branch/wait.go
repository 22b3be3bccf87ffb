package branch

import (
	"context"
	"fmt"
	"time"

	kustomizev1 "github.com/fluxcd/kustomize-controller/api/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/client-go/dynamic"

	"github.com/kubectl-gitops/kubectl-gitops/shared/exitcode"
	"github.com/kubectl-gitops/kubectl-gitops/shared/flux"
	"github.com/kubectl-gitops/kubectl-gitops/shared/reconcile"
	"github.com/kubectl-gitops/kubectl-gitops/shared/revision"
	"github.com/kubectl-gitops/kubectl-gitops/shared/status"
)

// pollInterval is how often a wait reads status: Flux updates it once per reconcile,
// and a second is well under one reconcile of the smallest source.
const pollInterval = 500 * time.Millisecond

// finish waits, unless told not to, until the source holds refName (at sha, when the
// remote said) and every Kustomization reading it applied that revision.
func (r Request) finish(ctx context.Context, dyn dynamic.Interface, res *Result, refName, sha string, start time.Time) error {
	defer func() { res.DurationSeconds = time.Since(start).Round(time.Millisecond).Seconds() }()
	if res.DryRun || !res.Changed || !r.Wait {
		return nil
	}
	repo := reconcile.Target{Kind: flux.KindGitRepository, Namespace: r.Namespace, Name: r.Name}
	r.progress("asking source-controller to fetch %s", res.To)
	token, err := reconcile.Request(ctx, dyn, repo, r.now())
	if err != nil {
		return written(err, res)
	}
	st, err := reconcile.Wait(ctx, dyn, repo, pollInterval, fetched(token, refName, sha), r.progressStatus(repo))
	if err != nil {
		return written(err, res)
	}
	res.RevisionAfter = st.ArtifactRevision
	consumers, err := Consumers(ctx, dyn, r.Namespace, r.Name)
	if err != nil {
		return written(err, res)
	}
	var failed error
	for _, ks := range consumers {
		c := Consumer{Kind: flux.KindKustomization, Namespace: ks.Namespace, Name: ks.Name}
		target := reconcile.Target{Kind: flux.KindKustomization, Namespace: ks.Namespace, Name: ks.Name}
		if ks.Spec.Suspend {
			c.Status, c.Message = "Suspended", "suspended: it applies nothing until it is resumed"
			res.Consumers = append(res.Consumers, c)
			continue
		}
		r.progress("waiting for Kustomization %s/%s to apply %s", ks.Namespace, ks.Name, st.ArtifactRevision)
		var s status.Status
		// A failed apply is asked once more before it counts: while a source moves,
		// kustomize-controller can fail on an artifact replaced under it, and its
		// next attempt succeeds.
		for attempt := 0; attempt < 2; attempt++ {
			var token string
			if token, err = reconcile.Request(ctx, dyn, target, r.now()); err != nil {
				break
			}
			s, err = reconcile.Wait(ctx, dyn, target, pollInterval, applied(token, st.ArtifactRevision), r.progressStatus(target))
			if exitcode.Of(err) != exitcode.Failure {
				break
			}
		}
		c.Applied = s.LastAppliedRevision
		switch {
		case err == nil:
			c.Status = "Applied"
		case exitcode.Of(err) == exitcode.Timeout:
			c.Status, c.Message = "Waiting", err.Error()
		default:
			c.Status, c.Message = "Failed", err.Error()
		}
		res.Consumers = append(res.Consumers, c)
		if err != nil && failed == nil {
			failed = err
		}
	}
	if failed != nil {
		return written(failed, res)
	}
	return nil
}

// fetched is done when the controller handled the request and its artifact names the
// ref (and the commit the remote gave); a handled request that left the source failing
// ends the wait with Flux's message: a branch that cannot be fetched never arrives.
func fetched(token, refName, sha string) reconcile.Done {
	return func(s reconcile.Status) (bool, error) {
		if s.HandledToken != token {
			return false, nil
		}
		rev, err := revision.Parse(s.ArtifactRevision)
		arrived := err == nil && (refName == "" || rev.Ref == refName) && (sha == "" || rev.Commit() == sha)
		if arrived && s.ReadyAtGeneration() {
			return true, nil
		}
		if s.Ready.IsFalse() && s.ObservedGeneration == s.Generation {
			return false, exitcode.New(exitcode.Failure, "source-controller cannot fetch it: %s", s.Ready.Message)
		}
		return false, nil
	}
}

// applied is done when the Kustomization handled the request and applied exactly the
// source's revision (Flux compares the strings too); a failure at the current
// generation ends the wait with Flux's message.
func applied(token, rev string) reconcile.Done {
	return func(s reconcile.Status) (bool, error) {
		if s.HandledToken != token {
			return false, nil
		}
		if s.LastAppliedRevision == rev && s.ReadyAtGeneration() {
			return true, nil
		}
		if s.Ready.IsFalse() && !s.Ready.DependencyBlocked() && s.LastAttemptedRevision == rev {
			return false, exitcode.New(exitcode.Failure, "applying %s failed: %s", rev, s.Ready.Message)
		}
		return false, nil
	}
}

// Consumers lists the Kustomizations of every namespace whose sourceRef is the
// GitRepository.
func Consumers(ctx context.Context, dyn dynamic.Interface, namespace, name string) ([]kustomizev1.Kustomization, error) {
	var out []kustomizev1.Kustomization
	err := flux.List(ctx, dyn, flux.KindKustomization, "", func(u *unstructured.Unstructured) error {
		var ks kustomizev1.Kustomization
		if err := flux.FromUnstructured(u, &ks); err != nil {
			return err
		}
		ref := ks.Spec.SourceRef
		if ref.Kind == flux.KindGitRepository && ref.Name == name && flux.RefNamespace(ref.Namespace, ks.Namespace) == namespace {
			out = append(out, ks)
		}
		return nil
	})
	return out, err
}

// written says, on any failure after the write, that the write happened and how to
// undo it: a wait that failed is not a switch that did not happen.
func written(err error, res *Result) error {
	if err == nil {
		return nil
	}
	undo := ""
	if res.Undo != "" {
		undo = "; '" + res.Undo + "' puts it back"
	}
	return exitcode.New(exitcode.Of(err), "%s (the change was written%s)", err.Error(), undo)
}

func (r Request) progress(format string, args ...any) {
	if r.Progress != nil {
		r.Progress(fmt.Sprintf(format, args...))
	}
}

func (r Request) progressStatus(t reconcile.Target) func(reconcile.Status) {
	return func(s reconcile.Status) { r.progress("%s: %s", t, s) }
}
