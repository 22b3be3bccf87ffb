package main_test

import (
	"context"
	"testing"
	"time"

	"github.com/kubectl-gitops/kubectl-gitops/shared/testbed"
)

// TestThroughKubectl runs the built binary through the real kubectl, as a user does.
func TestThroughKubectl(t *testing.T) {
	assets := testbed.NeedAssets(t)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	testbed.CheckKubectl(t, ctx, assets, "", []testbed.KubectlCase{
		{Args: []string{"gitops", "deps", "--help"}, Stdout: []string{"kubectl gitops deps -A --check", "--dir", "-A, --all-namespaces", "Exit codes:", "  7  a check found a problem"}},
		{Args: []string{"plugin", "list"}, Stdout: []string{"kubectl-gitops-deps"}},
		{Args: []string{"__complete", "gitops", "deps", "--output", ""}, Stdout: []string{"text\n", "json\n", "yaml\n", "dot\n", "mermaid\n"}},
		{Args: []string{"gitops", "deps", "-o", "png"}, Code: 2, Stderr: `unknown output format "png"`},
		{Args: []string{"gitops", "deps", "--dir", ""}, Code: 2, Stderr: "--dir needs a directory"},
	})
}
