package cmd

import (
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"k8s.io/cli-runtime/pkg/resource"
)

// isKustomization reports whether dir holds a kustomization file, by the names
// kustomize recognises.
func isKustomization(dir string) bool {
	for _, name := range []string{"kustomization.yaml", "kustomization.yml", "Kustomization"} {
		if fi, err := os.Stat(filepath.Join(dir, name)); err == nil && fi.Mode().IsRegular() {
			return true
		}
	}
	return false
}

// isChart reports whether dir is a Helm chart: its templates are not manifests, and
// its Chart.yaml and values.yaml are no Kubernetes objects.
func isChart(dir string) bool {
	fi, err := os.Stat(filepath.Join(dir, "Chart.yaml"))
	return err == nil && fi.Mode().IsRegular()
}

// isManifest reports whether kubectl reads path from a folder given to -f.
func isManifest(path string) bool {
	switch filepath.Ext(path) {
	case ".json", ".yaml", ".yml":
		return true
	}
	return false
}

// filenameGroups splits -f into what the builder reads in one go, in the order given:
// files and folders as kubectl reads them, and each folder holding a kustomization
// file built as `kubectl -k` builds it. Read as a plain file, a kustomization.yaml is
// no Kubernetes object and fails the whole read, and every folder of a Flux repository
// has one. Helm charts are skipped (and returned): a chart's files are no objects, the
// objects it installs are traced by name. With -R, the folders below are split the
// same way.
func filenameGroups(f resource.FilenameOptions) (groups []resource.FilenameOptions, charts []string) {
	var plain []string
	flush := func() {
		if len(plain) > 0 {
			groups = append(groups, resource.FilenameOptions{Filenames: plain, Recursive: f.Recursive})
			plain = nil
		}
	}
	kustomize := func(dir string) {
		flush()
		groups = append(groups, resource.FilenameOptions{Kustomize: dir})
	}
	for _, name := range f.Filenames {
		fi, err := os.Stat(name)
		if name == "-" || strings.Contains(name, "://") || err != nil || !fi.IsDir() {
			plain = append(plain, name)
			continue
		}
		if isChart(name) {
			charts = append(charts, name)
			continue
		}
		if isKustomization(name) {
			kustomize(name)
			continue
		}
		if !f.Recursive || !splitBelow(name) {
			plain = append(plain, name)
			continue
		}
		// Folders with a kustomization are built; the files outside them are read
		// one by one, as the recursive read would have.
		_ = filepath.WalkDir(name, func(path string, d fs.DirEntry, err error) error {
			switch {
			case err != nil:
				return nil
			case d.IsDir() && path != name && isChart(path):
				charts = append(charts, path)
				return filepath.SkipDir
			case d.IsDir() && path != name && isKustomization(path):
				kustomize(path)
				return filepath.SkipDir
			case !d.IsDir() && isManifest(path):
				plain = append(plain, path)
			}
			return nil
		})
	}
	flush()
	return groups, charts
}

// splitBelow reports whether a folder below dir holds a kustomization file or a chart.
func splitBelow(dir string) bool {
	found := false
	_ = filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err == nil && d.IsDir() && path != dir && (isKustomization(path) || isChart(path)) {
			found = true
			return filepath.SkipAll
		}
		return nil
	})
	return found
}
