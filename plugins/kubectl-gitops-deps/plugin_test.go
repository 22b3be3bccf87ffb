package main_test

import (
	"testing"

	"github.com/kubectl-gitops/kubectl-gitops/shared/testbed"
)

// TestThroughKubectl runs the built binary through the real kubectl, as a user does.
func TestThroughKubectl(t *testing.T) {
	testbed.CheckPluginBinary(t, "deps", []string{"kubectl gitops deps -A --check", "--dir", "-A, --all-namespaces", "Exit codes:", "  7  a check found a problem"}, []testbed.KubectlCase{
		{Args: []string{"__complete", "gitops", "deps", "--output", ""}, Stdout: []string{"text\n", "json\n", "yaml\n", "dot\n", "mermaid\n"}},
		{Args: []string{"gitops", "deps", "-o", "png"}, Code: 2, Stderr: `unknown output format "png"`},
		{Args: []string{"gitops", "deps", "--dir", ""}, Code: 2, Stderr: "--dir needs a directory"},
	})
}
