package main_test

import (
	"testing"

	"github.com/kubectl-gitops/kubectl-gitops/shared/testbed"
)

// TestThroughKubectl runs the built binary through the real kubectl, as a user does:
// its help, and the usage errors refused before any request.
func TestThroughKubectl(t *testing.T) {
	testbed.CheckPluginBinary(t, "follow", []string{"kubectl gitops follow main -n flux-system", "--timeout", "Exit codes:"}, []testbed.KubectlCase{
		{Args: []string{"gitops", "follow", "main", "feature"}, Code: 2, Stderr: "accepts at most 1 arg(s), received 2"},
		{Args: []string{"gitops", "follow", "-A", "-n", "flux-system"}, Code: 2, Stderr: "--all-namespaces and --namespace cannot be used together"},
		{Args: []string{"gitops", "follow", "--timeout", "0s"}, Code: 2, Stderr: "--timeout must be positive"},
		{Args: []string{"gitops", "follow", "-o", "xml"}, Code: 2, Stderr: `unknown output format "xml"`},
	})
}
