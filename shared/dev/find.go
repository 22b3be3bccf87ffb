package dev

import (
	"context"
	"fmt"
	"strings"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/client-go/dynamic"

	"github.com/kubectl-gitops/kubectl-gitops/shared/exitcode"
	"github.com/kubectl-gitops/kubectl-gitops/shared/flux"
	"github.com/kubectl-gitops/kubectl-gitops/shared/invocation"
)

// Find returns the session a step is about: the one named id; else the one whose
// branch the clone has checked out; else the user's only open session.
func Find(ctx context.Context, dyn dynamic.Interface, id string, clone *Clone, user, namespace string) (*Session, error) {
	open, _, err := Store{Dyn: dyn}.List(ctx, "", namespace)
	if err != nil {
		return nil, err
	}
	if id == "" && clone != nil {
		if b := clone.CurrentBranch(ctx); strings.HasPrefix(b, BranchPrefix) {
			id = strings.TrimPrefix(b, BranchPrefix)
		}
	}
	var mine []*Session
	for _, s := range open {
		if id != "" && s.ID == id {
			return s, nil
		}
		if user != "" && s.User == user {
			mine = append(mine, s)
		}
	}
	switch {
	case id != "":
		return nil, exitcode.New(exitcode.NotFound, "no open dev session %q: list them with '%s'", id, invocation.Command(ctx, "dev status"))
	case len(mine) == 1:
		return mine[0], nil
	case len(open) == 0:
		return nil, exitcode.New(exitcode.NotFound, "no dev session is open: start one with '%s'", invocation.Command(ctx, `dev start "what you work on" -k KUSTOMIZATION`))
	}
	ids := make([]string, len(open))
	for i, s := range open {
		ids[i] = fmt.Sprintf("%s (%s)", s.ID, orSomeone(s.User))
	}
	return nil, exitcode.New(exitcode.Usage, "which session? name it with --session ID, or check out its branch: open are %s", strings.Join(ids, ", "))
}

// SourceURL is the URL of the session's GitRepository, to find the user's clone of it.
func SourceURL(ctx context.Context, dyn dynamic.Interface, s *Session) (string, error) {
	u, err := flux.Get(ctx, dyn, flux.KindGitRepository, s.Source.Namespace, s.Source.Name)
	if err != nil {
		return "", err
	}
	url, _, _ := unstructured.NestedString(u.Object, "spec", "url")
	return url, nil
}
