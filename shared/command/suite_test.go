package command

import (
	"context"
	"slices"
	"strings"
	"testing"

	"github.com/spf13/cobra"
	"k8s.io/cli-runtime/pkg/genericiooptions"

	"github.com/kubectl-gitops/kubectl-gitops/shared/exitcode"
)

func TestInvoked(t *testing.T) {
	tests := []struct{ argv0, want string }{
		{"/usr/local/bin/kubectl-gitops-trace", "kubectl gitops trace"},
		{"kubectl-gitops", "kubectl gitops"},
		{"kubectl-gitops_trace", "kubectl gitops-trace"},
		{"kubectl-gitops-deps.exe", "kubectl gitops deps"},
		{"kubectl_complete-gitops-trace", "kubectl gitops trace"},
		{"/home/u/.krew/bin/kubectl_complete-gitops_trace", "kubectl gitops-trace"},
		{"flux-gitops", "flux gitops"},
		{"flux-gitops_trace", "flux gitops-trace"},
		{"trace.test", "kubectl gitops trace (canonical)"},
		{"my-copy", "kubectl gitops trace (canonical)"},
	}
	for _, tt := range tests {
		if got := Invoked(tt.argv0, "kubectl gitops trace (canonical)"); got != tt.want {
			t.Errorf("Invoked(%q) = %q, want %q", tt.argv0, got, tt.want)
		}
	}
}

func TestCompletionArgs(t *testing.T) {
	tests := []struct {
		argv0 string
		args  []string
		want  []string
	}{
		{"kubectl-gitops-trace", []string{"deploy/api", "-n", "shop"}, []string{"deploy/api", "-n", "shop"}},
		{"/bin/kubectl_complete-gitops-trace", []string{"deploy/"}, []string{cobra.ShellCompRequestCmd, "deploy/"}},
		{"kubectl_complete-gitops", nil, []string{cobra.ShellCompRequestCmd}},
		{"x/kubectl_complete-gitops/kubectl-gitops", []string{"tr"}, []string{"tr"}},
	}
	for _, tt := range tests {
		if got := CompletionArgs(tt.argv0, tt.args); !slices.Equal(got, tt.want) {
			t.Errorf("CompletionArgs(%q, %q) = %q, want %q", tt.argv0, tt.args, got, tt.want)
		}
	}
}

// plugin is a plugin's root as its main package builds it, with one subcommand.
func plugin(streams genericiooptions.IOStreams, name string) *cobra.Command {
	root, _ := NewRoot(Root{Name: "kubectl gitops " + name, Use: "NAME", Short: name,
		Long: "Long text of kubectl gitops " + name + ".", Example: "  kubectl gitops " + name + " apps",
		Version: "v1.2.3", ExitCodes: []exitcode.Code{exitcode.NotFound}}, streams)
	root.AddCommand(&cobra.Command{Use: "show NAME", Short: "show one", Example: "  kubectl gitops " + name + " show apps",
		Args: ExactArgs(1), RunE: func(*cobra.Command, []string) error { return nil }})
	return root
}

func TestRename(t *testing.T) {
	tests := []struct {
		invoked string
		want    string
	}{
		{"kubectl gitops-rollback", "kubectl gitops-rollback"},
		{"flux gitops rollback", "flux gitops rollback"},
		{"kubectl gitops rollback", "kubectl gitops rollback"}, // canonical: unchanged
	}
	for _, tt := range tests {
		t.Run(tt.invoked, func(t *testing.T) {
			streams, _, _, _ := genericiooptions.NewTestIOStreams()
			root := plugin(streams, "rollback")
			Rename(root, tt.invoked)
			if got := DisplayName(root); got != tt.want {
				t.Errorf("DisplayName = %q, want %q", got, tt.want)
			}
			show, _, _ := root.Find([]string{"show"})
			for what, text := range map[string]string{"root Example": root.Example, "root Long": root.Long, "show Example": show.Example} {
				if !strings.Contains(text, tt.want) || (tt.want != "kubectl gitops rollback" && strings.Contains(text, "kubectl gitops rollback")) {
					t.Errorf("%s not renamed to %q: %q", what, tt.want, text)
				}
			}
		})
	}
}

func TestSuite(t *testing.T) {
	tests := []struct {
		name     string
		args     []string
		code     int
		stdout   string // a substring of stdout
		stderr   string // a substring of stderr; "" for an empty stderr
		notInOut string
	}{
		{"help lists the plugins", []string{"--help"}, 0, "  trace       trace", "", ""},
		{"plugin help names it in full", []string{"trace", "--help"}, 0, "help for kubectl gitops trace", "", ""},
		{"plugin usage under the suite", []string{"trace", "--help"}, 0, "Usage:\n  kubectl gitops trace [command]\n", "", "kubectl-gitops-trace"},
		{"help command of a plugin with subcommands", []string{"trace", "help", "show"}, 0, "kubectl gitops trace show apps", "", ""},
		{"typo of a command", []string{"trce"}, 2, "", "error: unknown command \"trce\" for \"kubectl gitops\": did you mean 'kubectl gitops trace'?\nSee 'kubectl gitops --help' for usage.\n", ""},
		{"unknown word", []string{"nothing"}, 2, "", "error: unknown command \"nothing\" for \"kubectl gitops\"\n", "did you mean"},
		{"unknown flag", []string{"trace", "--nope"}, 2, "", "error: unknown flag: --nope\nSee 'kubectl gitops trace --help' for usage.\n", ""},
		{"wrong argument count", []string{"trace", "show"}, 2, "", "error: accepts 1 arg(s), received 0\nSee 'kubectl gitops trace show --help' for usage.\n", ""},
		{"version", []string{"version"}, 0, "kubectl gitops v9.9.9 (go", "", ""},
		{"version as JSON", []string{"version", "-o", "json"}, 0, `"kind": "Version"`, "", ""},
		{"version takes no argument", []string{"version", "x"}, 2, "", "error: unknown command \"x\" for \"kubectl gitops version\"", ""},
		{"-v is never --version", []string{"-v", "3", "version"}, 0, "kubectl gitops v9.9.9", "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			streams, _, out, errOut := genericiooptions.NewTestIOStreams()
			suite := NewSuite(streams, "v9.9.9", plugin(streams, "trace"), plugin(streams, "deps"))
			code := Execute(context.Background(), suite, tt.args)
			if code != tt.code {
				t.Errorf("exit %d, want %d; stderr %q", code, tt.code, errOut.String())
			}
			if !strings.Contains(out.String(), tt.stdout) || (tt.notInOut != "" && strings.Contains(out.String()+errOut.String(), tt.notInOut)) {
				t.Errorf("stdout %q: want %q, without %q", out.String(), tt.stdout, tt.notInOut)
			}
			if (tt.stderr == "") != (errOut.Len() == 0) || !strings.Contains(errOut.String(), tt.stderr) {
				t.Errorf("stderr %q, want %q", errOut.String(), tt.stderr)
			}
		})
	}
}

// TestSuiteMounts: a plugin's "kubectl-gitops-trace NAME" is "trace NAME" in the suite.
func TestSuiteMounts(t *testing.T) {
	streams, _, _, _ := genericiooptions.NewTestIOStreams()
	suite := NewSuite(streams, "v9.9.9", plugin(streams, "trace"))
	trace, _, err := suite.Find([]string{"trace"})
	if err != nil || trace.Use != "trace NAME" || DisplayName(trace) != "trace" || trace.CommandPath() != "kubectl gitops trace" {
		t.Errorf("mounted trace: %v, Use %q, display %q, path %q", err, trace.Use, DisplayName(trace), trace.CommandPath())
	}
	if DisplayName(suite) != SuiteName {
		t.Errorf("suite display name %q", DisplayName(suite))
	}
}

// TestExecuteAs: the binary's name decides how help names it and whether the
// arguments are a completion request.
func TestExecuteAs(t *testing.T) {
	streams, _, out, errOut := genericiooptions.NewTestIOStreams()
	root := plugin(streams, "deps")
	if code := ExecuteAs(context.Background(), root, "/bin/kubectl-gitops_deps", []string{"--version"}); code != 0 || out.String() != "kubectl gitops-deps v1.2.3\n" {
		t.Errorf("--version as kubectl-gitops_deps: exit %d, %q, %q", code, out.String(), errOut.String())
	}
	streams, _, out, _ = genericiooptions.NewTestIOStreams()
	root = plugin(streams, "deps")
	if code := ExecuteAs(context.Background(), root, "kubectl_complete-gitops-deps", []string{"sh"}); code != 0 || !strings.Contains(out.String(), "show\tshow one") {
		t.Errorf("completion helper: exit %d, %q", code, out.String())
	}
}
