package main_test

import (
	"testing"

	"github.com/kubectl-gitops/kubectl-gitops/shared/testbed"
)

// TestThroughKubectl runs the built binary through the real kubectl, as a user does:
// help, and the usage errors refused before any request.
func TestThroughKubectl(t *testing.T) {
	testbed.CheckPluginBinary(t, "diff", []string{"kubectl gitops diff apps -n flux-system --git-dir", "--revision", "--dir", "-l, --selector", "-A, --all-namespaces", "KUBECTL_EXTERNAL_DIFF", "Exit codes:", "  7  a check found a problem", "diff: the apply would change something"}, []testbed.KubectlCase{
		{Args: []string{"gitops", "diff"}, Code: 2, Stderr: "name a Kustomization"},
		{Args: []string{"gitops", "diff", "apps", "--git-dir", ".", "--dir", "."}, Code: 2, Stderr: "--git-dir and --dir cannot be used together"},
		{Args: []string{"gitops", "diff", "apps", "--dir", ".", "--revision", "applied"}, Code: 2, Stderr: "--dir is compared as it is"},
		{Args: []string{"gitops", "diff", "apps", "--git-dir", ".", "--revision", "HEAD~1"}, Code: 2, Stderr: `--revision "HEAD~1"`},
		{Args: []string{"gitops", "diff", "deploy/api", "--git-dir", "."}, Code: 2, Stderr: "diff compares Kustomizations"},
		{Args: []string{"gitops", "diff", "apps", "--git-dir", ".", "-o", "xml"}, Code: 2, Stderr: `unknown output format "xml"`},
		{Args: []string{"gitops", "diff", "apps", "-l", "team=shop", "--git-dir", "."}, Code: 2, Stderr: "name Kustomizations or select them with -l/-A, not both"},
		{Args: []string{"gitops", "diff", "-A", "-n", "flux-system", "--git-dir", "."}, Code: 2, Stderr: "--all-namespaces and --namespace cannot be used together"},
		{Args: []string{"gitops", "diff", "-l", "team in (", "--git-dir", "."}, Code: 2, Stderr: "team in ("},
	})
}
