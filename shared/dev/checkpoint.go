package dev

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/kubectl-gitops/kubectl-gitops/shared/git"

	"k8s.io/client-go/dynamic"

	"github.com/kubectl-gitops/kubectl-gitops/shared/exitcode"
	"github.com/kubectl-gitops/kubectl-gitops/shared/write"
)

// CheckpointRequest commits the clone's changes on the session branch.
type CheckpointRequest struct {
	write.Hooks
	Session *Session
	Clone   *Clone
	Message string
}

// Save commits every change of the working tree on the session branch (which
// must be checked out) and records the commit in the session.
func Save(ctx context.Context, dyn dynamic.Interface, r CheckpointRequest) (*Result, error) {
	begin := r.Clock()
	s := r.Session
	res := newResult("checkpoint", s, r.DryRun)
	if b := r.Clone.CurrentBranch(ctx); b != s.Branch {
		return nil, exitcode.New(exitcode.Usage, "the clone at %s is on %q, not on the session branch %s: check it out first ('git -C %s checkout %s')", r.Clone.Dir, b, s.Branch, r.Clone.Dir, s.Branch)
	}
	dirty, err := r.Clone.Dirty(ctx)
	if err != nil {
		return nil, err
	}
	if len(dirty) == 0 {
		res.Notes = append(res.Notes, "nothing to checkpoint: the working tree has no change")
		return res, nil
	}
	if err := r.Ask(fmt.Sprintf("commit %d changed files on %s: %s", len(dirty), s.Branch, strings.Join(first(dirty, 3), "; "))); err != nil {
		return nil, err
	}
	if r.DryRun {
		res.Notes = append(res.Notes, "would commit: "+strings.Join(first(dirty, 10), "; "))
		return res, nil
	}
	sha, err := r.Clone.commitAll(ctx, r.Message)
	if err != nil {
		return nil, err
	}
	cp := Checkpoint{Commit: sha, Message: r.Message, At: r.Clock().UTC().Truncate(time.Second)}
	res.Checkpoint = &cp
	if err := (Store{Dyn: dyn}).Modify(ctx, s, func(fresh *Session) { fresh.Checkpoints = append(fresh.Checkpoints, cp) }); err != nil {
		return res, exitcode.New(exitcode.Of(err), "committed %s, but the session record could not say so: %v", git.Short(sha), err)
	}
	res.DurationSeconds = since(begin)
	return res, nil
}
