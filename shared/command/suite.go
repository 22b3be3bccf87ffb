package command

import (
	"context"
	"fmt"
	"path/filepath"
	"strings"

	"github.com/spf13/cobra"
	"k8s.io/cli-runtime/pkg/genericiooptions"

	"github.com/kubectl-gitops/kubectl-gitops/shared/exitcode"
	"github.com/kubectl-gitops/kubectl-gitops/shared/invocation"
)

// SuiteName is how the suite binary is called through kubectl: krew's plugin `gitops`.
const SuiteName = "kubectl gitops"

// NewSuite returns `kubectl gitops`: every plugin's command tree mounted in one binary,
// in process, so that `kubectl gitops trace …` is the trace plugin itself, flags, help
// and exit codes included. The one binary krew links for the plugin `gitops`, and the
// Flux CLI's `flux-gitops`.
func NewSuite(streams genericiooptions.IOStreams, version string, plugins ...*cobra.Command) *cobra.Command {
	root := &cobra.Command{
		Use:   binaryName(SuiteName),
		Short: "Trace, untangle and roll back what Flux applied",
		Long: strings.TrimSpace(`Trace, untangle and roll back what Flux applied.

  trace     where an object came from: every Flux hop up to the source and the commit
  deps      why nothing is moving: cycles, missing, suspended or failing dependencies
  rollback  history, pin, revert, suspend and resume, waited for until Flux applied
  branch    switch the branch a GitRepository tracks and put it back
  dev       a development session: pause, try live, checkpoint, hand back to Flux

` + exitcode.Help(exitcode.Failure, exitcode.Usage, exitcode.NotFound, exitcode.NotManaged, exitcode.Forbidden, exitcode.Timeout, exitcode.ProblemFound, exitcode.FluxNotInstalled)),
		Example: `  kubectl gitops trace deploy/api -n shop
  kubectl gitops deps -A
  kubectl gitops version -o json`,
		Version: version,
		Annotations: map[string]string{
			cobra.CommandDisplayNameAnnotation: SuiteName,
		},
		Args:          unknownCommand,
		SilenceUsage:  true,
		SilenceErrors: true,
		RunE:          func(cmd *cobra.Command, args []string) error { return cmd.Help() },
	}
	root.SetVersionTemplate(SuiteName + " {{.Version}}\n")
	// -v is kubectl's log level in every command, never --version.
	addVerbosityFlag(root)
	root.SetIn(streams.In)
	root.SetOut(streams.Out)
	root.SetErr(streams.ErrOut)
	root.SetFlagErrorFunc(func(c *cobra.Command, err error) error {
		return exitcode.UsageError(err, c.CommandPath())
	})
	for _, p := range plugins {
		// "kubectl-gitops-trace TYPE/NAME" becomes "trace TYPE/NAME" under the suite.
		display := p.Annotations[cobra.CommandDisplayNameAnnotation]
		name := display[strings.LastIndex(display, " ")+1:]
		_, synopsis, _ := strings.Cut(p.Use, " ")
		p.Use = strings.TrimSpace(name + " " + synopsis)
		delete(p.Annotations, cobra.CommandDisplayNameAnnotation)
		// cobra words these flags with the command's own name ("help for trace"); the
		// plugin's binary says "help for kubectl gitops trace", and so does the suite.
		p.Flags().BoolP("help", "h", false, "help for "+display)
		p.Flags().Bool("version", false, "version for "+display)
		if len(p.Commands()) > 0 {
			p.AddCommand(HelpCommand())
		}
		root.AddCommand(p)
	}
	root.AddCommand(newVersionCommand(streams, version))
	return root
}

// unknownCommand refuses a word that names no command, with the nearest one.
func unknownCommand(cmd *cobra.Command, args []string) error {
	if len(args) == 0 {
		return nil
	}
	err := fmt.Errorf("unknown command %q for %q", args[0], cmd.CommandPath())
	if s := SuggestCommand(cmd.Context(), args[0]); s != "" {
		err = fmt.Errorf("%w: did you mean '%s'?", err, s)
	}
	return exitcode.UsageError(err, cmd.CommandPath())
}

// DisplayName is the name a command tree answers to, as the user typed it.
func DisplayName(root *cobra.Command) string {
	if name := root.Annotations[cobra.CommandDisplayNameAnnotation]; name != "" {
		return name
	}
	return root.Name()
}

// Invoked is the command a user typed to run this binary, from its file name: kubectl
// maps a `-` in a plugin's file name to a space and a `_` to a `-`, so
// kubectl-gitops-trace is `kubectl gitops trace` and krew's kubectl-gitops_trace is
// `kubectl gitops-trace`; the Flux CLI runs flux-gitops for `flux gitops`. Any other
// name (a test binary, a renamed copy) keeps canonical.
func Invoked(argv0, canonical string) string {
	base := strings.TrimSuffix(filepath.Base(argv0), ".exe")
	if rest, ok := strings.CutPrefix(base, "kubectl_complete-"); ok {
		base = "kubectl-" + rest
	}
	switch {
	case strings.HasPrefix(base, "kubectl-"):
		rest := strings.TrimPrefix(base, "kubectl-")
		return "kubectl " + strings.ReplaceAll(strings.ReplaceAll(rest, "-", " "), "_", "-")
	case strings.HasPrefix(base, "flux-"):
		return "flux " + strings.ReplaceAll(strings.TrimPrefix(base, "flux-"), "_", "-")
	}
	return canonical
}

// Rename makes every help text of the tree name the command as the user typed it:
// examples of `kubectl gitops trace` read `flux gitops trace` under the Flux CLI, and
// `kubectl gitops-trace` for krew's per-plugin binary.
func Rename(root *cobra.Command, invoked string) {
	canonical := DisplayName(root)
	if invoked == canonical {
		return
	}
	root.SetVersionTemplate(invoked + " {{.Version}}\n")
	var walk func(c *cobra.Command)
	walk = func(c *cobra.Command) {
		if name, ok := c.Annotations[cobra.CommandDisplayNameAnnotation]; ok {
			c.Annotations[cobra.CommandDisplayNameAnnotation] = strings.Replace(name, canonical, invoked, 1)
		}
		for _, flag := range []string{"help", "version"} {
			if f := c.Flags().Lookup(flag); f != nil {
				f.Usage = strings.Replace(f.Usage, canonical, invoked, 1)
			}
		}
		c.Example = strings.ReplaceAll(c.Example, canonical, invoked)
		c.Long = strings.ReplaceAll(c.Long, canonical, invoked)
		for _, sub := range c.Commands() {
			walk(sub)
		}
	}
	walk(root)
}

// ExecuteAs runs root as the binary called argv0: named as the user typed it, in help
// texts and, through the context, in the messages, next steps and undo commands built
// at run time (invocation.Command); and answering kubectl's completion helper.
func ExecuteAs(ctx context.Context, root *cobra.Command, argv0 string, args []string) int {
	invoked := Invoked(argv0, DisplayName(root))
	Rename(root, invoked)
	return Execute(invocation.NewContext(ctx, invocation.Parse(invoked)), root, CompletionArgs(argv0, args))
}

// Invocation is how the user typed the suite that runs cmd (ExecuteAs put it in the
// context), for the examples and hints a command builds before its Run; canonical for a
// command run otherwise (a test calling Complete without one).
func Invocation(cmd *cobra.Command) invocation.Name {
	if cmd == nil || cmd.Context() == nil {
		return invocation.Name{}
	}
	return invocation.FromContext(cmd.Context())
}
