package rollback

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"

	fluxkustomize "github.com/fluxcd/pkg/kustomize"

	"github.com/kubectl-gitops/kubectl-gitops/shared/git"
)

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
	if err := git.Extract(ctx, dir, rev, tmp, paths...); err != nil {
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
