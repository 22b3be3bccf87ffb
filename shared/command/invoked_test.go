package command

import (
	"bytes"
	"context"
	"testing"

	"github.com/spf13/cobra"
	"k8s.io/cli-runtime/pkg/genericiooptions"

	"github.com/kubectl-gitops/kubectl-gitops/shared/invocation"
)

// TestExecuteAsInvocation: the binary's file name decides how every command built at
// run time is named, through the context ExecuteAs gives the command.
func TestExecuteAsInvocation(t *testing.T) {
	const suite, rollback, trace = SuiteName, "kubectl gitops rollback", "kubectl gitops trace"
	tests := []struct {
		argv0, canonical, args, want string
	}{
		{"kubectl-gitops", suite, "rollback resume apps -n x", "kubectl gitops rollback resume apps -n x"},
		{"/home/u/.krew/bin/kubectl-gitops", suite, "deps -A", "kubectl gitops deps -A"},
		{"flux-gitops", suite, "rollback resume apps -n x", "flux gitops rollback resume apps -n x"},
		{"/usr/local/bin/flux-gitops", suite, "branch restore fleet -n x", "flux gitops branch restore fleet -n x"},
		{`bin/flux-gitops.exe`, suite, "dev checkpoint MSG", "flux gitops dev checkpoint MSG"},
		{"kubectl-gitops.exe", suite, "deps", "kubectl gitops deps"},
		// make build's per-plugin binary, run as `kubectl gitops rollback`
		{"bin/kubectl-gitops-rollback", rollback, "rollback unpin apps -n x", "kubectl gitops rollback unpin apps -n x"},
		{"kubectl-gitops-trace", trace, "trace", "kubectl gitops trace"},
		// krew's per-plugin link, run as `kubectl gitops-rollback`: each plugin its own word
		{"/home/u/.krew/bin/kubectl-gitops_rollback", rollback, "rollback unpin apps -n x", "kubectl gitops-rollback unpin apps -n x"},
		{"kubectl-gitops_trace.exe", trace, "trace", "kubectl gitops-trace"},
		{"kubectl-gitops_trace", trace, "deps apps -n x", "kubectl gitops-deps apps -n x"},
		// a test binary, a renamed copy: canonical
		{"rollback.test", rollback, "rollback history", "kubectl gitops rollback history"},
		{"/tmp/gitops", suite, "deps", "kubectl gitops deps"},
	}
	for _, tt := range tests {
		t.Run(tt.argv0+"/"+tt.args, func(t *testing.T) {
			var out bytes.Buffer
			root := &cobra.Command{
				Use:         "x",
				Annotations: map[string]string{cobra.CommandDisplayNameAnnotation: tt.canonical},
				RunE: func(cmd *cobra.Command, _ []string) error {
					out.WriteString(invocation.Command(cmd.Context(), tt.args))
					return nil
				},
			}
			root.SetOut(&out)
			if code := ExecuteAs(context.Background(), root, tt.argv0, nil); code != 0 || out.String() != tt.want {
				t.Errorf("ExecuteAs(%q) = %d, %q; want %q", tt.argv0, code, out.String(), tt.want)
			}
		})
	}
}

// TestUnknownCommandAsInvoked: the suite's 'did you mean' names the command as typed.
func TestUnknownCommandAsInvoked(t *testing.T) {
	for argv0, want := range map[string]string{
		"kubectl-gitops": `error: unknown command "dpes" for "kubectl gitops": did you mean 'kubectl gitops deps'?`,
		"flux-gitops":    `error: unknown command "dpes" for "flux gitops": did you mean 'flux gitops deps'?`,
	} {
		var errOut bytes.Buffer
		root := NewSuite(genericiooptions.IOStreams{Out: new(bytes.Buffer), ErrOut: &errOut}, "v0")
		if code := ExecuteAs(context.Background(), root, argv0, []string{"dpes"}); code != 2 || !bytes.HasPrefix(errOut.Bytes(), []byte(want)) {
			t.Errorf("%s dpes: exit %d, stderr %q; want 2, %q", argv0, code, errOut.String(), want)
		}
	}
}
