package cmd

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"k8s.io/cli-runtime/pkg/genericiooptions"

	"github.com/kubectl-gitops/kubectl-gitops/shared/command"
	"github.com/kubectl-gitops/kubectl-gitops/shared/exitcode"
)

// TestUsageErrors checks that every step refuses bad input in Validate, before a
// cluster or a clone is asked anything (the kubeconfig here points nowhere).
func TestUsageErrors(t *testing.T) {
	kubeconfig := filepath.Join(t.TempDir(), "config")
	nowhere := "apiVersion: v1\nkind: Config\nclusters: [{name: c, cluster: {server: \"https://127.0.0.1:1\"}}]\nusers: [{name: u, user: {}}]\ncontexts: [{name: x, context: {cluster: c, user: u}}]\ncurrent-context: x\n"
	if err := os.WriteFile(kubeconfig, []byte(nowhere), 0o600); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"start", "x"}, "name the Kustomizations to pause with -k"},
		{[]string{"start", "", "-k", "apps"}, "the description is empty"},
		{[]string{"start", "x", "-k", "apps", "--git-dir", ""}, "--git-dir is empty"},
		{[]string{"start", "x", "-k", "apps", "--for", "0s"}, "--for must be positive"},
		{[]string{"test", " "}, "the path is empty"},
		{[]string{"diff", ""}, "the path is empty"},
		{[]string{"checkpoint", ""}, "the message is empty"},
		{[]string{"finish", "\t"}, "the message is empty"},
		{[]string{"finish", "msg", "--timeout", "-1s"}, "--timeout must be positive"},
		{[]string{"abort", "-o", "png"}, `unknown output format "png": use one of text, json, yaml`},
		{[]string{"status", "extra"}, "unknown command"},
	} {
		t.Run(strings.Join(tc.args, " "), func(t *testing.T) {
			var out, errOut bytes.Buffer
			streams := genericiooptions.IOStreams{In: strings.NewReader(""), Out: &out, ErrOut: &errOut}
			args := append(tc.args, "--kubeconfig", kubeconfig)
			code := command.Execute(context.Background(), New(streams, "test"), args)
			if code != int(exitcode.Usage) || !strings.Contains(errOut.String(), tc.want) || out.Len() != 0 {
				t.Errorf("exit %d, stderr %q, stdout %q; want exit 2 and %q", code, errOut.String(), out.String(), tc.want)
			}
		})
	}
}
