package diff

import (
	"context"
	"errors"
	"fmt"
	"regexp"

	kustomizev1 "github.com/fluxcd/kustomize-controller/api/v1"
	"k8s.io/apimachinery/pkg/api/meta"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/client-go/dynamic"
	"k8s.io/client-go/rest"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/kubectl-gitops/kubectl-gitops/shared/exitcode"
	"github.com/kubectl-gitops/kubectl-gitops/shared/flux"
	"github.com/kubectl-gitops/kubectl-gitops/shared/git"
	"github.com/kubectl-gitops/kubectl-gitops/shared/remote"
	"github.com/kubectl-gitops/kubectl-gitops/shared/render"
	"github.com/kubectl-gitops/kubectl-gitops/shared/revision"
)

// RevisionApplied asks for the revision the Kustomization applied last.
const RevisionApplied = "applied"

// Options say where the tree comes from (GitDir, Dir, or neither: fetched from the
// source's URL) and which revision.
type Options struct {
	// GitDir is a clone of the source: the commit compared is read from its objects.
	// Empty with Dir empty: the commit is fetched from the GitRepository's URL.
	GitDir string
	// Dir is a folder holding the source's root, compared as it is.
	Dir string
	// Revision is "" (what the source holds now), RevisionApplied, or a commit SHA.
	Revision string
	// Workers bounds the dry runs in flight.
	Workers int
	// Source, with Dir, is the source the folder holds ("Kind namespace/name"): a
	// Kustomization reading another is skipped. Empty: the Kustomization's own.
	Source string
	// History, set, compares two releases of each HelmRelease's Helm history instead
	// of the cluster (--history N..M).
	History *HistoryRange
	// Remote opens the cluster a Kustomization with spec.kubeConfig applies to, where
	// its objects are compared; nil: such a Kustomization is skipped.
	Remote *remote.Opener
	// Fetch, without GitDir and Dir, fetches the commit (GitFetch when nil): a Trees'
	// Fetch shares one fetch among the Kustomizations of one source.
	Fetch Fetch
}

var shaPattern = regexp.MustCompile(`^[0-9a-f]{7,64}$`)

// ValidRevision reports whether --revision is one this package accepts.
func ValidRevision(r string) bool {
	return r == "" || r == RevisionApplied || shaPattern.MatchString(r)
}

// NewClient is the controller-runtime client the dry runs go through, as the user.
// Its requests are bounded by the dry runs in flight (Options.Workers), not by
// client-go's default client-side limit of 5 per second: ssa reads each object and
// dry-runs its apply, so 1,000 objects would wait some seven minutes on that limit. The
// API server's own priority and fairness still applies to them. A limit the user set
// (a kubeconfig's rate limiter) is kept.
func NewClient(cfg *rest.Config, mapper meta.RESTMapper) (client.Client, error) {
	if cfg == nil {
		return nil, errors.New("no connection to the cluster to dry-run with")
	}
	cfg = rest.CopyConfig(cfg)
	if cfg.QPS == 0 && cfg.RateLimiter == nil {
		cfg.QPS = -1
	}
	return client.New(cfg, client.Options{Mapper: mapper})
}

// ForKustomization compares the Kustomization namespace/name at the chosen revision
// with the cluster. A build that fails is recorded in the result's Error, not
// returned: the other Kustomizations named are still compared.
func ForKustomization(ctx context.Context, dyn dynamic.Interface, c client.Client, namespace, name string, opts Options) (*Kustomization, error) {
	own := c
	var k kustomizev1.Kustomization
	if err := flux.GetInto(ctx, dyn, namespace, name, &k); err != nil {
		return nil, err
	}
	var notes []string
	if k.Spec.KubeConfig != nil {
		rc, note, err := remoteClient(ctx, dyn, &k, opts.Remote)
		if err != nil {
			return nil, err
		}
		c = rc
		notes = append(notes, note)
	}
	srcNS := flux.RefNamespace(k.Spec.SourceRef.Namespace, k.Namespace)
	source := SourceOf(&k)
	if opts.Dir != "" && opts.Source != "" && source != opts.Source {
		return nil, skip(exitcode.Usage, "Kustomization %s/%s reads %s, and --dir holds %s (the source of the first Kustomization compared): diff it on its own", namespace, name, source, opts.Source)
	}
	src, err := flux.Get(ctx, dyn, k.Spec.SourceRef.Kind, srcNS, k.Spec.SourceRef.Name)
	if err != nil {
		if exitcode.Of(err) == exitcode.NotFound {
			// The source missing is this Kustomization's problem, not the others'.
			return nil, &SkipError{Err: err}
		}
		return nil, err
	}
	srcRev, _, _ := unstructured.NestedString(src.Object, "status", "artifact", "revision")
	ignore, _, _ := unstructured.NestedString(src.Object, "spec", "ignore")

	rev, from := srcRev, "source"
	switch {
	case opts.Revision == RevisionApplied:
		rev, from = k.Status.LastAppliedRevision, "applied"
		if rev == "" {
			return nil, skip(exitcode.NotFound, "Kustomization %s/%s has applied nothing yet: no status.lastAppliedRevision to compare", namespace, name)
		}
	case opts.Revision != "":
		rev, from = opts.Revision, "flag"
	case rev == "":
		return nil, skip(exitcode.NotFound, "%s holds no artifact yet: nothing to compare (pass --revision SHA)", source)
	}

	tree := opts.Dir
	if opts.Dir != "" {
		notes = append(notes, fmt.Sprintf("rendered from the folder %s as it is; the source holds %s", opts.Dir, srcRev))
		from = "dir"
	} else {
		if k.Spec.SourceRef.Kind != flux.KindGitRepository {
			how := "--git-dir reads commits of a Git clone"
			if opts.GitDir == "" {
				how = "only a GitRepository can be fetched with git"
			}
			return nil, skip(exitcode.Usage, "%s, but Kustomization %s/%s reads %s: pass --dir with its content instead", how, namespace, name, source)
		}
		commit := rev
		if from != "flag" {
			r, err := revision.Parse(rev)
			if err != nil || r.Commit() == "" {
				return nil, fmt.Errorf("revision %q of Kustomization %s/%s names no Git commit", rev, namespace, name)
			}
			commit = r.Commit()
		}
		co, err := checkout(ctx, opts.Fetch, src, fmt.Sprintf("Kustomization %s/%s", namespace, name), source, opts.GitDir, commit, fetchAlso(&k, commit)...)
		if err != nil {
			return nil, err
		}
		defer co.Close()
		if co.Note != "" {
			notes = append(notes, co.Note)
		}
		opts.GitDir = co.GitDir
		if from == "flag" {
			if full, err := git.Line(ctx, opts.GitDir, "rev-parse", "--verify", commit+"^{commit}"); err == nil {
				rev = full
			}
		}
		tree = co.Tree
	}
	if k.Spec.ServiceAccountName != "" {
		notes = append(notes, fmt.Sprintf("the controller applies as service account %s; the dry runs ran as you", k.Spec.ServiceAccountName))
	}

	// substituteFrom is read where the controller reads it: the Kustomization's own
	// cluster, whichever cluster it applies to.
	renderReq := render.Request{Kustomization: &k, Tree: tree, Ignore: ignore, Client: own}
	rendered, err := render.Build(ctx, renderReq)
	if err != nil {
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		var coded *exitcode.Error
		if errors.As(err, &coded) {
			return nil, err
		}
		return &Kustomization{Name: k.Name, Namespace: k.Namespace, Source: source, Path: k.Spec.Path, Revision: rev, RevisionFrom: from,
			Objects: []Object{}, Notes: notes, Error: err.Error()}, nil
	}
	base := baselineFor(ctx, &k, opts, rev, from, rendered, renderReq)
	out, err := Compare(ctx, Request{Kustomization: &k, Revision: rev, RevisionFrom: from, Rendered: rendered, Client: c, Workers: opts.Workers, Baseline: base})
	if err != nil {
		return nil, err
	}
	out.Notes = append(notes, out.Notes...)
	if n := base.Note(); n != "" {
		out.Notes = append(out.Notes, n)
	}
	out.Source = source
	return out, nil
}

// remoteOf is the URL and the branch of the GitRepository src.
func remoteOf(src *unstructured.Unstructured) (url, branch string) {
	url, _, _ = unstructured.NestedString(src.Object, "spec", "url")
	branch, _, _ = unstructured.NestedString(src.Object, "spec", "ref", "branch")
	return url, branch
}

// withApplied is commit, then each commit of the applied revisions that is another
// one, once: what a fetch for comparing at commit asks for.
func withApplied(commit string, applied ...string) []string {
	want := []string{commit}
	for _, a := range applied {
		r, err := revision.Parse(a)
		if err != nil || r.Commit() == "" {
			continue
		}
		dup := false
		for _, w := range want {
			dup = dup || sameCommit(w, r.Commit())
		}
		if !dup {
			want = append(want, r.Commit())
		}
	}
	return want
}

// fetchAlso is the commit k applied last when it is not commit: fetched with it, to
// tell drift from pending.
func fetchAlso(k *kustomizev1.Kustomization, commit string) []string {
	if r, err := revision.Parse(k.Status.LastAppliedRevision); err == nil && r.Commit() != "" && !sameCommit(r.Commit(), commit) {
		return []string{r.Commit()}
	}
	return nil
}
