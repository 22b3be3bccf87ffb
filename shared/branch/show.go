package branch

import (
	"context"
	"sort"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/client-go/dynamic"

	"github.com/kubectl-gitops/kubectl-gitops/shared/exitcode"
	"github.com/kubectl-gitops/kubectl-gitops/shared/flux"
	"github.com/kubectl-gitops/kubectl-gitops/shared/git"
	"github.com/kubectl-gitops/kubectl-gitops/shared/redact"
	"github.com/kubectl-gitops/kubectl-gitops/shared/revision"
	"github.com/kubectl-gitops/kubectl-gitops/shared/source"
	"github.com/kubectl-gitops/kubectl-gitops/shared/status"
)

// ShowRequest says which GitRepository to describe and where to look for its branches.
type ShowRequest struct {
	Namespace, Name string
	// Remote asks the remote for its branches with the user's own git.
	Remote bool
	// GitDir is a local clone of the source: its remote-tracking branches are listed
	// and the tracked branch is compared with the one Git declares.
	GitDir string
}

// Show describes a GitRepository as `branch show` prints it: the ref it tracks, the
// revision it holds, who switched or pinned it, every consumer with what it applied,
// and, when asked, the branches of its remote.
func Show(ctx context.Context, dyn dynamic.Interface, r ShowRequest) (*source.Document, error) {
	u, err := flux.Get(ctx, dyn, flux.KindGitRepository, r.Namespace, r.Name)
	if err != nil {
		return nil, err
	}
	doc := source.NewDocument(u)
	rec, err := status.SwitchOf(u.GetAnnotations())
	if err != nil {
		return nil, err
	}
	if rec != nil {
		doc.Switched = &source.Switched{Action: rec.Action, From: source.FromGit(rec.RefBefore), By: rec.By, At: rec.At, Parent: rec.Parent, Undo: rec.UndoCommand(ctx, u.GetNamespace(), u.GetName())}
		if doc.Switched.Action == "" {
			doc.Switched.Action = status.SwitchSet
		}
	}
	doc.Consumers, err = source.Consumers(ctx, dyn, r.Namespace, r.Name, doc.Revision)
	if err != nil && exitcode.Of(err) != exitcode.Forbidden {
		return nil, err
	}
	if r.Remote || r.GitDir != "" {
		url, _, _ := unstructured.NestedString(u.Object, "spec", "url")
		doc.Remote = remoteBranches(ctx, url, doc, r)
	}
	return &doc, nil
}

// remoteBranches lists the branches of the source's repository, from the remote or the
// clone, and compares the branch the source tracks with the one Git declares (the one
// tracked before a switch) and with the commit Flux holds. What cannot be found out is
// a note, never a failure of the whole answer.
func remoteBranches(ctx context.Context, url string, doc source.Document, r ShowRequest) *source.Remote {
	out := &source.Remote{}
	var heads map[string]string
	var err error
	remote := ""
	if r.GitDir != "" {
		if remote, err = git.RemoteFor(ctx, r.GitDir, url); err == nil {
			heads, err = git.Branches(ctx, r.GitDir, remote)
		}
	}
	if r.Remote && err == nil {
		heads, err = git.Heads(ctx, url)
	}
	if err != nil {
		out.Notes = append(out.Notes, redact.Text(err.Error()))
		return out
	}
	tracked := ""
	if doc.Ref != nil {
		tracked = doc.Ref.TrackedBranch()
	}
	declared := tracked
	if doc.Switched != nil {
		declared = doc.Switched.From.TrackedBranch()
	}
	out.Tracked, out.Declared = tracked, declared
	names := make([]string, 0, len(heads))
	for name := range heads {
		names = append(names, name)
	}
	sort.Strings(names)
	for _, name := range names {
		out.Branches = append(out.Branches, source.Branch{Name: name, Commit: heads[name], Tracked: name == tracked, Declared: name == declared})
	}
	if r.GitDir == "" {
		return out
	}
	// Commit counts need the commits: only a clone has them.
	compare := func(a, b string) *source.Count {
		if a == "" || b == "" || !git.HasCommit(ctx, r.GitDir, a) || !git.HasCommit(ctx, r.GitDir, b) {
			return nil
		}
		ahead, behind, err := git.Count(ctx, r.GitDir, a, b)
		if err != nil {
			return nil
		}
		return &source.Count{Ahead: ahead, Behind: behind}
	}
	if tracked != "" && declared != "" && tracked != declared {
		out.TrackedVsDeclared = compare(heads[tracked], heads[declared])
	}
	if rev, err := revision.Parse(doc.Revision); err == nil && tracked != "" {
		out.HeldVsTracked = compare(rev.Commit(), heads[tracked])
	}
	if len(heads) > 0 && heads[tracked] == "" && tracked != "" {
		out.Notes = append(out.Notes, "the clone does not know branch "+tracked+" of "+remote+": run 'git fetch "+remote+"'")
	}
	return out
}
