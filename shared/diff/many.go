package diff

import (
	"context"
	"errors"
	"fmt"
	"strings"

	kustomizev1 "github.com/fluxcd/kustomize-controller/api/v1"
	"k8s.io/apimachinery/pkg/types"

	"github.com/kubectl-gitops/kubectl-gitops/shared/exitcode"
	"github.com/kubectl-gitops/kubectl-gitops/shared/flux"
	"github.com/kubectl-gitops/kubectl-gitops/shared/git"
)

// SkipError is why one Kustomization cannot be compared with the files given (it reads
// another source or repository, the clone lacks the commit, it applies to another
// cluster): among several, it is reported for that Kustomization and the others are
// still compared. It carries the exit code it ends with when nothing else could be.
type SkipError struct{ Err error }

func (e *SkipError) Error() string { return e.Err.Error() }
func (e *SkipError) Unwrap() error { return e.Err }

func skip(code exitcode.Code, format string, args ...any) error {
	return &SkipError{Err: exitcode.New(code, format, args...)}
}

// SourceOf names the source k reads as messages and the document write it: "Kind
// namespace/name".
func SourceOf(k *kustomizev1.Kustomization) string {
	ref := k.Spec.SourceRef
	return ref.Kind + " " + flux.RefNamespace(ref.Namespace, k.Namespace) + "/" + ref.Name
}

// cloneOf checks that the clone at dir is one of url: a remote of it points there. A
// clone without any remote cannot tell, and passes: the commit then decides.
func cloneOf(ctx context.Context, dir, url string) error {
	if url == "" {
		return nil
	}
	out, err := git.Run(ctx, dir, "remote", "-v")
	if err != nil {
		return err
	}
	var remotes []string
	for _, line := range strings.Split(string(out), "\n") {
		f := strings.Fields(line)
		if len(f) < 2 {
			continue
		}
		if git.SameRepository(f[1], url) {
			return nil
		}
		if r := f[0] + " " + f[1]; len(remotes) == 0 || remotes[len(remotes)-1] != r {
			remotes = append(remotes, r)
		}
	}
	if len(remotes) == 0 {
		return nil
	}
	return fmt.Errorf("the clone %s is of another repository (%s): give --git-dir a clone of %s, or add it as a remote of this one", dir, strings.Join(remotes, ", "), url)
}

// Target is one object to compare: a Kustomization or a HelmRelease.
type Target struct {
	Kind string
	types.NamespacedName
}

// Many compares each target in turn. One that cannot be compared with the files given
// is listed as skipped, with why, and the others are compared; one named that does not
// exist is passed to missing (the caller reports it and exits with its code) and the
// others are compared. With Dir, the folder holds one source: that of the first
// Kustomization compared, and those reading another are skipped. When nothing could
// be compared, the (first) reason is returned as the error.
func Many(ctx context.Context, cl Clients, targets []Target, opts Options, missing func(error)) (*Diff, error) {
	if opts.GitDir == "" && opts.Dir == "" && opts.Fetch == nil && len(targets) > 1 {
		// Fetched from the sources' URLs: each repository and commit once for all.
		trees := NewTrees(nil)
		defer trees.Close()
		opts.Fetch = trees.Fetch
	}
	doc := New()
	compared := 0
	var skips []string
	var first error
	for _, t := range targets {
		var err error
		if t.Kind == flux.KindHelmRelease {
			var h *HelmRelease
			compare := ForHelmRelease
			if opts.History != nil {
				compare = func(ctx context.Context, cl Clients, namespace, name string, opts Options) (*HelmRelease, error) {
					return ForHelmReleaseHistory(ctx, cl, namespace, name, *opts.History)
				}
			}
			if h, err = compare(ctx, cl, t.Namespace, t.Name, opts); err == nil {
				doc.HelmReleases = append(doc.HelmReleases, *h)
			}
		} else {
			var k *Kustomization
			if k, err = ForKustomization(ctx, cl.Dynamic, cl.Client, t.Namespace, t.Name, opts); err == nil {
				if opts.Dir != "" && opts.Source == "" {
					opts.Source = k.Source
				}
				doc.Kustomizations = append(doc.Kustomizations, *k)
			}
		}
		var s *SkipError
		switch {
		case err == nil:
			compared++
		case errors.As(err, &s) && len(targets) > 1:
			if first == nil {
				first = err
			}
			skips = append(skips, t.String()+": "+err.Error())
			if t.Kind == flux.KindHelmRelease {
				doc.HelmReleases = append(doc.HelmReleases, HelmRelease{Name: t.Name, Namespace: t.Namespace, Objects: []Object{}, Skipped: err.Error()})
			} else {
				doc.Kustomizations = append(doc.Kustomizations, Kustomization{Name: t.Name, Namespace: t.Namespace, Objects: []Object{}, Skipped: err.Error()})
			}
		case exitcode.Of(err) == exitcode.NotFound && len(targets) > 1 && missing != nil:
			missing(err)
		default:
			return nil, err
		}
	}
	if compared == 0 && first != nil {
		return nil, exitcode.Wrap(exitcode.Of(first), fmt.Errorf("no Kustomization or HelmRelease could be compared: %s", strings.Join(skips, "; ")))
	}
	return doc, nil
}
