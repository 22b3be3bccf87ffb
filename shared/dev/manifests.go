package dev

import (
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/cli-runtime/pkg/resource"

	"github.com/kubectl-gitops/kubectl-gitops/shared/exitcode"
	"github.com/kubectl-gitops/kubectl-gitops/shared/yamldoc"
)

// Manifest is one object of the files a step was given, with where it goes.
type Manifest struct {
	Object *unstructured.Unstructured
	Info   *resource.Info
}

// ReadManifests reads FILE|DIR as `kubectl apply -f` does (a folder recursively, or
// with its kustomization.yaml as `kubectl apply -k`), objects without a namespace
// going to namespace. Only regular files within the size cap are read: a FIFO or a
// device in the folder is refused before anything reads it.
func ReadManifests(b *resource.Builder, path, namespace string) ([]Manifest, error) {
	fi, err := os.Stat(path)
	if err != nil {
		return nil, exitcode.New(exitcode.Usage, "cannot read %s: %v", path, err)
	}
	opts := &resource.FilenameOptions{Filenames: []string{path}, Recursive: true}
	if fi.IsDir() {
		if err := checkTree(path); err != nil {
			return nil, err
		}
		for _, k := range []string{"kustomization.yaml", "kustomization.yml", "Kustomization"} {
			if _, err := os.Stat(filepath.Join(path, k)); err == nil {
				opts = &resource.FilenameOptions{Kustomize: path}
			}
		}
	} else if err := yamldoc.CheckRegular(fi); err != nil {
		return nil, exitcode.New(exitcode.Usage, "%s: %v", path, err)
	}
	infos, err := b.Unstructured().NamespaceParam(namespace).DefaultNamespace().
		FilenameParam(false, opts).Flatten().Do().Infos()
	if err != nil {
		return nil, exitcode.New(exitcode.Usage, "cannot read the manifests in %s: %v", path, err)
	}
	if len(infos) == 0 {
		return nil, exitcode.New(exitcode.Usage, "%s holds no object: give a manifest file or folder", path)
	}
	out := make([]Manifest, 0, len(infos))
	for _, info := range infos {
		u, ok := info.Object.(*unstructured.Unstructured)
		if !ok {
			return nil, exitcode.New(exitcode.Usage, "%s: %s is not a plain object", path, info.Name)
		}
		out = append(out, Manifest{Object: u, Info: info})
	}
	return out, nil
}

// checkTree refuses a folder holding a manifest that is not a regular file, a link
// leaving it, or a file over the cap: kubectl's reader would hang on a FIFO.
func checkTree(root string) error {
	return filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return exitcode.New(exitcode.Usage, "cannot read %s: %v", p, err)
		}
		if d.IsDir() {
			return nil
		}
		ext := strings.ToLower(filepath.Ext(p))
		if ext != ".yaml" && ext != ".yml" && ext != ".json" && d.Name() != "Kustomization" {
			return nil
		}
		if _, err := yamldoc.ReadFile(p, root); err != nil {
			return exitcode.New(exitcode.Usage, "%s: %v", p, err)
		}
		return nil
	})
}
