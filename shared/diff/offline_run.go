package diff

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/kubectl-gitops/kubectl-gitops/shared/deps/dir"
	"github.com/kubectl-gitops/kubectl-gitops/shared/exitcode"
	"github.com/kubectl-gitops/kubectl-gitops/shared/git"
)

// OfflineOptions say what the offline comparison compares: the folder Dir as it is
// (the head) with a commit of its repository (Base) or another folder (BaseDir).
type OfflineOptions struct {
	Dir     string
	Base    string
	BaseDir string
	// Path is one cluster's sync path; empty for every cluster either side has.
	Path string
	// Sources maps another source ("OCIRepository/namespace/name") to a local
	// checkout, as deps --source does: a Kustomization reading it is rendered from the
	// checkout at both sides (the pull request changes this repository only), so that
	// what this repository changes in it shows (its path, substitutions, patches), where
	// it would otherwise be listed as not rendered.
	Sources map[string]string
}

// Offline renders every cluster of the repository at the base and at the head, as
// `kubectl gitops deps --dir` renders them (deps/dir's walk, fluxcd/pkg/kustomize),
// and compares them. The base commit is read from Git objects (git archive into a
// temporary folder, removed afterwards), never by a checkout: the working tree is the
// head, and stays as it is. Each HelmRelease is rendered at both sides from its chart
// (offline_helm.go); a chart of a HelmRepository is fetched once per run.
func Offline(ctx context.Context, opts OfflineOptions) (*Diff, error) {
	baseRoot, baseName := opts.BaseDir, opts.BaseDir
	if opts.Base != "" {
		tmp, err := os.MkdirTemp("", "gitops-base-")
		if err != nil {
			return nil, err
		}
		defer os.RemoveAll(tmp)
		baseRoot, baseName, err = extractBase(ctx, opts.Dir, opts.Base, tmp)
		if err != nil {
			return nil, err
		}
	}
	roots := []string{opts.Path}
	if opts.Path == "" {
		roots = append(dir.Roots(baseRoot, dir.Options{}), dir.Roots(opts.Dir, dir.Options{})...)
		slices.Sort(roots)
		roots = slices.Compact(roots)
	}
	if len(roots) == 0 {
		return nil, exitcode.New(exitcode.Usage, "no cluster in --dir %s nor in the base (no Kustomization written in the sync path it applies, as flux bootstrap writes it, nor a FluxInstance): name a sync path with --path", opts.Dir)
	}
	doc := New()
	doc.Clusters = []Cluster{}
	charts := newChartCache()
	for _, root := range roots {
		// Both sides at once: each walk copies its tree, decodes and substitutes on its
		// own; kustomize's builds themselves take turns (fluxcd/pkg/kustomize).
		var base *Side
		var baseErr error
		done := make(chan struct{})
		go func() {
			defer close(done)
			base, baseErr = walkSide(ctx, baseRoot, root, opts.Sources)
		}()
		head, err := walkSide(ctx, opts.Dir, root, opts.Sources)
		<-done
		if baseErr != nil {
			return nil, baseErr
		}
		if err != nil {
			return nil, err
		}
		if base == nil && head == nil {
			return nil, exitcode.New(exitcode.Usage, "--path %s is in neither --dir %s nor the base %s", root, opts.Dir, baseName)
		}
		for _, side := range []*Side{base, head} {
			if side != nil {
				renderReleases(ctx, side, charts)
			}
		}
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		c := CompareCluster(root, base, head)
		c.Base, c.Head = baseName, opts.Dir
		doc.Clusters = append(doc.Clusters, c)
	}
	return doc, nil
}

// walkSide renders one cluster of one side, keeping every object; nil when the side
// has no such sync path (a cluster added or removed).
func walkSide(ctx context.Context, repo, syncPath string, sources map[string]string) (*Side, error) {
	if _, err := os.Stat(filepath.Join(repo, filepath.FromSlash(strings.TrimPrefix(syncPath, "./")))); err != nil {
		return nil, nil
	}
	abs, err := filepath.Abs(repo)
	if err != nil {
		return nil, err
	}
	cl, err := dir.Walk(ctx, abs, syncPath, dir.Options{KeepObjects: true, Sources: sources})
	if ctx.Err() != nil {
		return nil, ctx.Err()
	}
	if err != nil {
		return nil, exitcode.Wrap(exitcode.Usage, fmt.Errorf("%s: %w", repo, err))
	}
	return &Side{Cluster: cl, Root: abs}, nil
}

// extractBase writes the tree of ref, as far as --dir reaches into the repository,
// into tmp, and returns the folder that corresponds to --dir (tmp) and ref's name with the
// commit it resolved to.
func extractBase(ctx context.Context, dirPath, ref, tmp string) (string, string, error) {
	if _, err := git.Line(ctx, dirPath, "rev-parse", "--show-toplevel"); err != nil {
		if ctx.Err() != nil {
			return "", "", ctx.Err()
		}
		return "", "", exitcode.New(exitcode.Usage, "--dir %s is not in a Git repository: --base reads the commit from it (compare two folders with --base-dir)", dirPath)
	}
	sha, err := git.Line(ctx, dirPath, "rev-parse", "--verify", "--quiet", "--end-of-options", ref+"^{commit}")
	if err != nil || sha == "" {
		if ctx.Err() != nil {
			return "", "", ctx.Err()
		}
		return "", "", exitcode.New(exitcode.Usage, "--base %s: no such commit in the repository of %s (give a branch, tag or commit it holds; fetch it first)", ref, dirPath)
	}
	// Run in --dir, git archive writes what the commit holds below it, as the paths
	// of --dir name it.
	if err := git.Extract(ctx, dirPath, sha, tmp); err != nil {
		prefix, _ := git.Line(ctx, dirPath, "rev-parse", "--show-prefix")
		var gerr *git.Error
		if !errors.As(err, &gerr) || prefix == "" {
			return "", "", err
		}
		// --dir is a folder the base does not have yet: at the base it is empty.
	}
	root := tmp
	return root, fmt.Sprintf("%s (%s)", ref, git.Short(sha)), nil
}
