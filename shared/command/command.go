// Package command holds what every kubectl-gitops binary does the same way around its
// cobra command: kubectl's global flags, --version, completion, Ctrl-C, and turning an
// error into one line on stderr plus a documented exit code.
//
// Keeping this in one place is what makes the plugins and the suite feel like one tool: a script
// that handles exit code 5 for `trace` can rely on it for `rollback` too.
package command

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/url"
	"os"
	"os/signal"
	"path/filepath"
	"strings"
	"syscall"

	"github.com/go-logr/logr"
	"github.com/spf13/cobra"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/cli-runtime/pkg/genericclioptions"
	"k8s.io/cli-runtime/pkg/genericiooptions"
	"k8s.io/klog/v2"

	// Exec, OIDC and other credential plugins named in kubeconfigs must work as in kubectl.
	_ "k8s.io/client-go/plugin/pkg/client/auth"

	"github.com/kubectl-gitops/kubectl-gitops/shared/cluster"
	"github.com/kubectl-gitops/kubectl-gitops/shared/exitcode"
	"github.com/kubectl-gitops/kubectl-gitops/shared/output"
)

// DefaultRequestTimeout bounds every request to the API server unless
// --request-timeout says otherwise.
const DefaultRequestTimeout = "30s"

// Root describes a plugin's top-level command.
type Root struct {
	// Name is the display name, as the user types it: "kubectl gitops trace".
	Name string
	// Use is the argument synopsis after the name, e.g. "TYPE/NAME [...]".
	Use     string
	Short   string
	Long    string
	Example string
	// Version is set at build time through -ldflags.
	Version string
	// ExitCodes are the codes this command (and its subcommands) can end with; the
	// help text lists them with their meaning from exitcode.Table.
	ExitCodes []exitcode.Code
}

// Options is the shape of every command, as in kubectl's own: Complete fills in what
// comes from the flags, the arguments and the cluster factory; Validate rejects what
// cannot work before any request is made; Run does the work.
type Options interface {
	Complete(f cluster.Factory, cmd *cobra.Command, args []string) error
	Validate() error
	Run(ctx context.Context) error
}

// Bind makes cmd run o: Complete, Validate, then Run. What every command does the same
// way comes first: -v turns on request logging, a malformed -l is refused.
func Bind(cmd *cobra.Command, f cluster.Factory, o Options) {
	cmd.RunE = func(cmd *cobra.Command, args []string) error {
		if err := setVerbosity(cmd); err != nil {
			return err
		}
		if err := checkSelector(cmd); err != nil {
			return err
		}
		if err := o.Complete(f, cmd, args); err != nil {
			return err
		}
		if err := o.Validate(); err != nil {
			return err
		}
		return o.Run(cmd.Context())
	}
}

// checkSelector refuses a malformed -l/--selector before any request, as the usage
// error it is: left to the API server or kubectl's resource builder it would end as a
// raw parse error with exit code 1.
func checkSelector(cmd *cobra.Command) error {
	flag := cmd.Flags().Lookup("selector")
	if flag == nil || !flag.Changed {
		return nil
	}
	if _, err := labels.Parse(flag.Value.String()); err != nil {
		reason := strings.TrimPrefix(err.Error(), "unable to parse requirement: ")
		return exitcode.UsageError(fmt.Errorf("-l %q is not a valid label selector (%s): write it as kubectl takes it, e.g. -l app=api or -l 'tier in (web,api)'",
			flag.Value.String(), reason), cmd.CommandPath())
	}
	return nil
}

// NewRoot returns the plugin's root command with kubectl's global flags bound to a new
// ConfigFlags, and the factory built on them. The caller sets RunE (or adds
// subcommands) on the returned command.
func NewRoot(r Root, streams genericiooptions.IOStreams) (*cobra.Command, *cluster.ConfigFactory) {
	// No WithDeprecatedPasswordFlag: with it, client-go's loader asks for a user name on
	// stdin (and prints the question on stdout) when --server comes without credentials.
	flags := genericclioptions.NewConfigFlags(true).WithDiscoveryBurst(300).WithDiscoveryQPS(50)
	// kubectl waits forever for a server that accepts connections and never answers;
	// a plugin run from a script must not. --request-timeout still overrides it.
	timeout := DefaultRequestTimeout
	flags.Timeout = &timeout
	cmd := &cobra.Command{
		Use:     strings.TrimSpace(binaryName(r.Name) + " " + r.Use),
		Short:   r.Short,
		Long:    strings.TrimSpace(r.Long + "\n\n" + exitcode.Help(r.ExitCodes...)),
		Example: r.Example,
		Version: r.Version,
		Annotations: map[string]string{
			cobra.CommandDisplayNameAnnotation: r.Name,
		},
		SilenceUsage:  true,
		SilenceErrors: true,
	}
	cmd.SetVersionTemplate(r.Name + " {{.Version}}\n")
	// `completion` works but is not listed, and `help` is the tree's own: mounted in the
	// suite (which has its own completion), this tree lists what the plugin's binary
	// lists, byte for byte.
	cmd.CompletionOptions.HiddenDefaultCmd = true
	cmd.SetHelpCommand(HelpCommand())
	cmd.SetIn(streams.In)
	cmd.SetOut(streams.Out)
	cmd.SetErr(streams.ErrOut)
	cmd.SetFlagErrorFunc(func(c *cobra.Command, err error) error {
		return exitcode.UsageError(err, c.CommandPath())
	})
	flags.AddFlags(cmd.PersistentFlags())
	addVerbosityFlag(cmd)
	f := cluster.NewFactory(flags)
	registerFlagCompletion(cmd, f)
	return cmd, f
}

// HelpCommand is `help [command]` for one plugin's tree: it finds the command under
// its parent, whether the tree is a binary of its own or mounted in the suite.
func HelpCommand() *cobra.Command {
	return &cobra.Command{
		Use:   "help [command]",
		Short: "Help about any command",
		Args:  cobra.ArbitraryArgs,
		Run: func(c *cobra.Command, args []string) {
			target, _, err := c.Parent().Find(args)
			if err != nil || target == nil {
				target = c.Parent()
			}
			_ = target.Help()
		},
	}
}

// binaryName turns "kubectl gitops trace" into "kubectl-gitops-trace", the executable
// kubectl looks up, so cobra's own generated names (completion scripts) match it.
func binaryName(display string) string {
	return strings.ReplaceAll(display, " ", "-")
}

// registerFlagCompletion completes --namespace, --context, --cluster and --user like
// kubectl does.
func registerFlagCompletion(cmd *cobra.Command, f cluster.Factory) {
	_ = cmd.RegisterFlagCompletionFunc("namespace", func(c *cobra.Command, args []string, toComplete string) ([]string, cobra.ShellCompDirective) {
		return completeNames(f, "namespaces", toComplete), cobra.ShellCompDirectiveNoFileComp
	})
	for _, what := range []string{"context", "cluster", "user"} {
		_ = cmd.RegisterFlagCompletionFunc(what, completeKubeconfig(f, what))
	}
}

// ExactArgs is cobra.ExactArgs whose error exits with the usage code.
func ExactArgs(n int) cobra.PositionalArgs {
	return usageArgs(cobra.ExactArgs(n))
}

// MinArgs is cobra.MinimumNArgs whose error exits with the usage code.
func MinArgs(n int) cobra.PositionalArgs {
	return usageArgs(cobra.MinimumNArgs(n))
}

// MaxArgs is cobra.MaximumNArgs whose error exits with the usage code.
func MaxArgs(n int) cobra.PositionalArgs {
	return usageArgs(cobra.MaximumNArgs(n))
}

// ArbitraryArgs accepts any arguments; the command's Validate decides.
func ArbitraryArgs() cobra.PositionalArgs { return cobra.ArbitraryArgs }

// NoArgs is cobra.NoArgs whose error exits with the usage code.
func NoArgs() cobra.PositionalArgs {
	return usageArgs(cobra.NoArgs)
}

func usageArgs(check cobra.PositionalArgs) cobra.PositionalArgs {
	return func(cmd *cobra.Command, args []string) error {
		if err := check(cmd, args); err != nil {
			return exitcode.UsageError(err, cmd.CommandPath())
		}
		return nil
	}
}

// Main runs cmd with os.Args, cancels on Ctrl-C or SIGTERM, prints an error as
// "error: ..." on stderr and returns the exit code. Plugins call os.Exit(command.Main(cmd)).
func Main(cmd *cobra.Command) int {
	// client-go logs retries and discovery failures through klog; the user gets one
	// clear error line from us instead.
	klog.SetLogger(logr.Discard())
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	return ExecuteAs(ctx, cmd, os.Args[0], os.Args[1:])
}

// CompletionArgs turns a call as kubectl's completion helper into cobra's completion
// request. kubectl completes `kubectl gitops trace …` by running
// `kubectl_complete-gitops-trace ARGS… TO_COMPLETE` from PATH; `make build` links that
// name to the plugin binary, which then answers as `__complete ARGS…`.
func CompletionArgs(argv0 string, args []string) []string {
	if strings.HasPrefix(filepath.Base(argv0), "kubectl_complete-") {
		return append([]string{cobra.ShellCompRequestCmd}, args...)
	}
	return args
}

// Execute runs cmd with args and returns the exit code; tests call it directly.
func Execute(ctx context.Context, cmd *cobra.Command, args []string) int {
	cmd.SetArgs(args)
	err := cmd.ExecuteContext(ctx)
	if err == nil {
		return int(exitcode.OK)
	}
	code := exitcode.Of(err)
	if code == exitcode.Failure {
		switch {
		case strings.HasPrefix(err.Error(), "unknown command"):
			// cobra reports unknown subcommands as plain errors.
			code = exitcode.Usage
		case errors.Is(err, context.Canceled):
			// A bare context error says nothing of what was interrupted; one the suite
			// wrote (with what was written and how to undo it) is kept as it is.
			if !errors.As(err, new(*cluster.InterruptedError)) {
				err = &cluster.InterruptedError{}
			}
		default:
			err = classify(err)
			code = exitcode.Of(err)
		}
	}
	var silent *SilentError
	if !errors.As(err, &silent) {
		// One line, whatever the cluster put into the message; the suite's own hint under it.
		w := &output.Writer{W: cmd.ErrOrStderr()}
		w.Printf("error: %s\n", err.Error())
		var coded *exitcode.Error
		if errors.As(err, &coded) && coded.Hint != "" {
			w.Printf("%s\n", output.Styled(coded.Hint))
		}
	}
	return int(code)
}

// classify is the safety net under every call site: an error that reaches Execute
// without an exit code (a call site forgot cluster.Classify) still ends with the
// documented code and message for what the API server said, so a NotFound exits 3 and
// a Forbidden 5 whichever command returned them. An error Classify would only call a
// Failure keeps its own words unless it is the API server's or the network's: its
// unreachable test also matches plain text ("connection refused"), and a git remote
// that refused a push is not the Kubernetes API server.
func classify(err error) error {
	classified := cluster.Classify(err)
	if exitcode.Of(classified) != exitcode.Failure || fromAPI(err) {
		return classified
	}
	return err
}

// fromAPI reports an error client-go returns: an API status, a failed HTTP request, a
// network error or a request's deadline.
func fromAPI(err error) bool {
	var status apierrors.APIStatus
	return errors.As(err, &status) || errors.As(err, new(*url.Error)) || errors.As(err, new(*net.OpError)) ||
		errors.Is(err, context.DeadlineExceeded)
}

// SilentError sets the exit code without printing: used when the command has already
// reported its problems in its own output (a trace that printed per-object errors).
type SilentError struct{ Code exitcode.Code }

func (e *SilentError) Error() string { return fmt.Sprintf("exit code %d", e.Code) }

// Silent returns an error that exits with code and prints nothing more; nil for OK.
func Silent(code exitcode.Code) error {
	if code == exitcode.OK {
		return nil
	}
	return exitcode.Wrap(code, &SilentError{Code: code})
}
