package follow

import (
	"context"
	"fmt"
	"regexp"
	"slices"
	"strings"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/client-go/dynamic"

	"github.com/kubectl-gitops/kubectl-gitops/shared/exitcode"
	"github.com/kubectl-gitops/kubectl-gitops/shared/flux"
	"github.com/kubectl-gitops/kubectl-gitops/shared/redact"
	"github.com/kubectl-gitops/kubectl-gitops/shared/source"
)

// commitPrefix is what a SHA (or its prefix, as git abbreviates it) looks like.
var commitPrefix = regexp.MustCompile(`^[0-9a-f]{4,64}$`)

// Heads lists a remote's branches and the commit each points at (git.Heads, with the
// user's own git and credentials); a field so that tests answer without a remote.
type Heads func(ctx context.Context, url string) (map[string]string, error)

// Tracked is a GitRepository as Resolve needs it: where it reads, which branch.
type Tracked struct {
	Namespace, Name string
	// URL is spec.url as written (credentials and all: it is handed to git only).
	URL    string
	Branch string
}

// trackedOf reads the branch a GitRepository follows; false for a tag, a semver range
// or a pinned commit, which a push to a branch never moves.
func trackedOf(u *unstructured.Unstructured) (Tracked, bool) {
	info := source.Describe(u)
	if info.Ref == nil || info.Ref.Kind == source.RefCommit {
		return Tracked{}, false
	}
	branch := info.Ref.TrackedBranch()
	url, _, _ := unstructured.NestedString(u.Object, "spec", "url")
	return Tracked{Namespace: u.GetNamespace(), Name: u.GetName(), URL: url, Branch: branch}, branch != ""
}

// ListTracked lists the GitRepositories of namespace ("" for all) that follow a branch.
func ListTracked(ctx context.Context, dyn dynamic.Interface, namespace string) ([]Tracked, error) {
	var out []Tracked
	err := flux.List(ctx, dyn, flux.KindGitRepository, namespace, func(u *unstructured.Unstructured) error {
		if t, ok := trackedOf(u); ok {
			out = append(out, t)
		}
		return nil
	})
	return out, err
}

// Resolve picks the sources that track rev and the commit followed through each: rev
// empty is each one's branch head; a branch name, the sources following that branch at
// its head; a commit SHA or prefix, the sources whose branch head it is. Each URL is
// asked once. where says where the sources were looked for, for the not-found message.
func Resolve(ctx context.Context, repos []Tracked, rev, where string, heads Heads) ([]Source, error) {
	asked := map[string]map[string]string{}
	var out []Source
	var headsOf []string
	for _, t := range repos {
		h, ok := asked[t.URL]
		if !ok {
			var err error
			if h, err = heads(ctx, t.URL); err != nil {
				return nil, exitcode.Wrap(exitcode.Failure, fmt.Errorf("asking %s for its branches (GitRepository %s/%s): %s", redact.URL(t.URL), t.Namespace, t.Name, redact.Text(err.Error())))
			}
			asked[t.URL] = h
		}
		head := h[t.Branch]
		if head == "" {
			continue
		}
		headsOf = append(headsOf, fmt.Sprintf("%s/%s: %s at %s", t.Namespace, t.Name, t.Branch, short(head)))
		switch {
		case rev == "", rev == t.Branch:
		case commitPrefix.MatchString(rev) && strings.HasPrefix(head, rev):
		default:
			continue
		}
		out = append(out, Source{Kind: flux.KindGitRepository, Namespace: t.Namespace, Name: t.Name,
			URL: redact.URL(t.URL), Branch: t.Branch, Commit: head, Phase: PhaseFetching})
	}
	if len(out) > 0 {
		return out, nil
	}
	switch {
	case len(repos) == 0:
		return nil, exitcode.New(exitcode.NotFound, "no GitRepository following a branch %s", where)
	case rev == "":
		return nil, exitcode.New(exitcode.NotFound, "no GitRepository %s has its branch on its remote", where)
	case !commitPrefix.MatchString(rev):
		return nil, exitcode.New(exitcode.NotFound, "no GitRepository %s tracks branch %q", where, rev)
	}
	slices.Sort(headsOf)
	return nil, exitcode.New(exitcode.NotFound, "%s is the head of no branch a GitRepository %s tracks (%s): push it, or name a branch", rev, where, strings.Join(headsOf, "; "))
}
