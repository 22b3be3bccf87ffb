package testbed

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
)

// Assets is the folder of test bed binaries and CRDs that hack/testbin.sh fills.
type Assets struct{ Dir string }

// FindAssets locates the test bed binaries: $GITOPS_TESTBIN, else .cache/testbin/current
// in the repository that contains the working directory.
func FindAssets() (Assets, error) {
	if dir := os.Getenv("GITOPS_TESTBIN"); dir != "" {
		return checkAssets(dir)
	}
	root, err := RepoRoot()
	if err != nil {
		return Assets{}, err
	}
	return checkAssets(filepath.Join(root, ".cache", "testbin", "current"))
}

func checkAssets(dir string) (Assets, error) {
	a := Assets{Dir: dir}
	for _, name := range []string{"etcd", "kube-apiserver", "kube-controller-manager", "kubectl", "source-controller", "kustomize-controller", "helm-controller"} {
		if _, err := os.Stat(a.Bin(name)); err != nil {
			return Assets{}, fmt.Errorf("test bed binary %s not found in %s: run 'make testbin' first", name, dir)
		}
	}
	return a, nil
}

// Bin returns the path of one binary.
func (a Assets) Bin(name string) string { return filepath.Join(a.Dir, name) }

// CRDDirs returns the folders of Flux CRDs, read from the pinned modules;
// notification-controller's, the SealedSecret CRD and External Secrets' CRDs only when
// asked (Options.Notification, Options.SealedSecrets, Options.ExternalSecrets).
func (a Assets) CRDDirs(opts Options) []string {
	dirs := []string{
		filepath.Join(a.Dir, "crds", "source"),
		filepath.Join(a.Dir, "crds", "kustomize"),
		filepath.Join(a.Dir, "crds", "helm"),
	}
	if opts.Notification {
		dirs = append(dirs, filepath.Join(a.Dir, "crds", "notification"))
	}
	if opts.SealedSecrets {
		dirs = append(dirs, filepath.Join(a.Dir, "crds", "sealed"))
	}
	if opts.ExternalSecrets {
		// The three a Secret's trace reads, not the generators' dozen.
		for _, crd := range []string{"externalsecrets", "secretstores", "clustersecretstores"} {
			dirs = append(dirs, filepath.Join(a.Dir, "crds", "external", "external-secrets.io_"+crd+".yaml"))
		}
	}
	return dirs
}

// RepoRoot walks up from the working directory to the folder holding go.work.
func RepoRoot() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.work")); err == nil {
			return dir, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", errors.New("cannot find the repository root (no go.work above the working directory); set GITOPS_TESTBIN")
		}
		dir = parent
	}
}
