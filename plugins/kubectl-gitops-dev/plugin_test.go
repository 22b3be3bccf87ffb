package main_test

import (
	"testing"

	"github.com/kubectl-gitops/kubectl-gitops/shared/testbed"
)

// TestThroughKubectl runs the built binary through the real kubectl, as a user does:
// help, usage errors before any request, completion of the subcommands.
func TestThroughKubectl(t *testing.T) {
	testbed.CheckPluginBinary(t, "dev", []string{"kubectl gitops dev status", "--kubeconfig", "Exit codes:", "gitops-dev-<id>"}, []testbed.KubectlCase{
		{Args: []string{"__complete", "gitops", "dev", "ch"}, Stdout: []string{"checkpoint"}},
		{Args: []string{"gitops", "dev", "start"}, Code: 2, Stderr: "accepts 1 arg(s), received 0"},
		{Args: []string{"gitops", "dev", "start", " ", "-k", "apps"}, Code: 2, Stderr: "the description is empty"},
		{Args: []string{"gitops", "dev", "start", "x", "-k", "apps", "--for", "-1h"}, Code: 2, Stderr: "--for must be positive"},
		{Args: []string{"gitops", "dev", "start", "x", "-k", ""}, Code: 2, Stderr: "-k: an empty Kustomization name"},
		{Args: []string{"gitops", "dev", "test", ""}, Code: 2, Stderr: "the path is empty"},
		{Args: []string{"gitops", "dev", "checkpoint", ""}, Code: 2, Stderr: "the message is empty"},
		{Args: []string{"gitops", "dev", "finish", ""}, Code: 2, Stderr: "the message is empty"},
		{Args: []string{"gitops", "dev", "abort", "extra"}, Code: 2, Stderr: "unknown command \"extra\""},
		{Args: []string{"gitops", "dev", "abort", "--timeout", "0s"}, Code: 2, Stderr: "--timeout must be positive"},
		{Args: []string{"gitops", "dev", "status", "-o", "xml"}, Code: 2, Stderr: `unknown output format "xml"`},
	})
}
