package rollback

import (
	"archive/tar"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	fluxkustomize "github.com/fluxcd/pkg/kustomize"

	"github.com/kubectl-gitops/kubectl-gitops/shared/git"
)

// maxCheckout bounds what a build check extracts from one commit: a Kustomization's
// inputs are manifests, not the repository's binaries.
const maxCheckout = 256 << 20

// Build renders the Kustomization folder root as it is at commit rev, as
// kustomize-controller does (fluxcd/pkg/kustomize): the files of paths are extracted to a
// temporary folder, never the user's working tree. A folder without kustomization.yaml
// is Flux's generated case: its files, concatenated in order, are what it applies.
func Build(ctx context.Context, dir, rev, root string, paths []string) ([]byte, error) {
	tmp, err := os.MkdirTemp("", "gitops-build-")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(tmp)
	if err := extract(ctx, dir, rev, paths, tmp); err != nil {
		return nil, err
	}
	folder := filepath.Join(tmp, filepath.FromSlash(clean(root)))
	hasKustomization := false
	for _, name := range kustomizationFiles() {
		if _, err := os.Stat(filepath.Join(folder, name)); err == nil {
			hasKustomization = true
		}
	}
	if !hasKustomization {
		return concatenate(folder)
	}
	// kustomize-controller's own build: files from outside the folder allowed (a base
	// pulling in ../shared/ns.yaml, a patch in ../../patches), nothing outside the
	// extracted commit, built-in plugins only, remote bases fetched as its default does.
	m, err := fluxkustomize.SecureBuild(tmp, folder, true)
	if err != nil {
		return nil, fmt.Errorf("kustomize build of %s at %s: %w", root, git.Short(rev), err)
	}
	return m.AsYaml()
}

// Extract writes the whole tree of commit rev of the clone dir under dest, through
// `git archive` and the same guarded extraction as a build check: regular files and
// folders only, nothing outside dest, at most 256 MiB. The user's working tree is
// never read.
func Extract(ctx context.Context, dir, rev, dest string) error {
	return extract(ctx, dir, rev, nil, dest)
}

// extract writes the files of paths at rev under dest, through `git archive`.
func extract(ctx context.Context, dir, rev string, paths []string, dest string) error {
	args := append([]string{"archive", "--format=tar", rev, "--"}, paths...)
	cmd := git.Command(ctx, dir, args...)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.StdoutPipe()
	if err != nil {
		return err
	}
	if err := cmd.Start(); err != nil {
		return err
	}
	rerr := untar(io.LimitReader(out, maxCheckout+1), dest)
	_, _ = io.Copy(io.Discard, out)
	if err := cmd.Wait(); err != nil {
		return &git.Error{Args: args, Message: strings.TrimSpace(stderr.String())}
	}
	return rerr
}

func untar(r io.Reader, dest string) error {
	tr := tar.NewReader(r)
	var total int64
	for {
		h, err := tr.Next()
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			return err
		}
		name := filepath.FromSlash(clean(h.Name))
		if strings.HasPrefix(name, "..") || filepath.IsAbs(name) {
			return fmt.Errorf("git archive: unexpected path %q", h.Name)
		}
		target := filepath.Join(dest, name)
		switch h.Typeflag {
		case tar.TypeDir:
			if err := os.MkdirAll(target, 0o755); err != nil {
				return err
			}
		case tar.TypeReg:
			total += h.Size
			if total > maxCheckout {
				return fmt.Errorf("the Kustomization's inputs exceed %d MiB: not a manifest folder", maxCheckout>>20)
			}
			if err := os.MkdirAll(filepath.Dir(target), 0o755); err != nil {
				return err
			}
			f, err := os.OpenFile(target, os.O_CREATE|os.O_WRONLY|os.O_TRUNC, 0o644)
			if err != nil {
				return err
			}
			_, err = io.Copy(f, tr)
			if cerr := f.Close(); err == nil {
				err = cerr
			}
			if err != nil {
				return err
			}
		}
		// Symlinks are not followed: a build check has no business outside the commit.
	}
}

// concatenate returns the YAML files of folder, recursively, in name order.
func concatenate(folder string) ([]byte, error) {
	var out bytes.Buffer
	err := filepath.WalkDir(folder, func(p string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		if ext := filepath.Ext(p); ext == ".yaml" || ext == ".yml" || ext == ".json" {
			data, err := os.ReadFile(p)
			if err != nil {
				return err
			}
			rel, _ := filepath.Rel(folder, p)
			fmt.Fprintf(&out, "# %s\n", filepath.ToSlash(rel))
			out.Write(data)
			out.WriteString("\n---\n")
		}
		return nil
	})
	if errors.Is(err, os.ErrNotExist) {
		return nil, nil
	}
	return out.Bytes(), err
}
