package cmd

import (
	"context"
	"strings"
	"time"

	"github.com/spf13/cobra"
	"k8s.io/cli-runtime/pkg/genericiooptions"

	"github.com/kubectl-gitops/kubectl-gitops/shared/cluster"
	"github.com/kubectl-gitops/kubectl-gitops/shared/command"
	"github.com/kubectl-gitops/kubectl-gitops/shared/dev"
	"github.com/kubectl-gitops/kubectl-gitops/shared/exitcode"
	"github.com/kubectl-gitops/kubectl-gitops/shared/output"
	"github.com/kubectl-gitops/kubectl-gitops/shared/write"
)

// common is what every dev step takes: the session, the clone, the output format and
// the writer flags.
type common struct {
	streams genericiooptions.IOStreams
	cluster command.Cluster
	printer output.Printer

	Output  output.Format
	Session string
	GitDir  string
	command.Write

	namespace string
	gitDirSet bool
	// arg is the command's one argument; empty says, when it is blank, what it is for.
	arg   string
	empty string
}

func (o *common) addFlags(cmd *cobra.Command, f cluster.Factory, gitDirHelp string) {
	o.Timeout = time.Minute // a step without --timeout (diff) still has a valid one
	o.Output.AddFlag(cmd)
	cmd.Flags().StringVar(&o.Session, "session", "", "The session ID (default: the one whose branch the clone has checked out, else your only open session).")
	_ = cmd.RegisterFlagCompletionFunc("session", completeSessions(f))
	if gitDirHelp != "" {
		cmd.Flags().StringVar(&o.GitDir, "git-dir", ".", gitDirHelp)
		_ = cmd.MarkFlagDirname("git-dir")
	}
}

// Complete reads the argument, --git-dir, the namespace and the cluster.
func (o *common) Complete(f cluster.Factory, cmd *cobra.Command, args []string) error {
	if len(args) > 0 {
		o.arg = args[0]
	}
	o.gitDirSet = cmd.Flags().Changed("git-dir")
	o.cluster.Complete(f)
	var err error
	o.namespace, _, err = f.Namespace()
	return err
}

// step returns the shared settings of a step, and the client.
func (o *common) step(ctx context.Context) (*cluster.Client, write.Hooks, error) {
	client, err := o.cluster.Client()
	if err != nil {
		return nil, write.Hooks{}, err
	}
	return client, o.Write.Hooks(o.streams, cluster.WhoAmI(ctx, client.Dynamic)), nil
}

// clone opens --git-dir as a clone of the session's source: required says an error is
// fatal; otherwise a folder that is not one gives nil, when --git-dir was not given.
func (o *common) clone(ctx context.Context, client *cluster.Client, s *dev.Session, required bool) (*dev.Clone, error) {
	url, err := dev.SourceURL(ctx, client.Dynamic, s)
	if err != nil {
		if required {
			return nil, err
		}
		return nil, nil
	}
	c, err := dev.OpenClone(ctx, o.GitDir, url)
	if err != nil && (required || o.gitDirSet) {
		return nil, err
	}
	return c, nil
}

// runStep is every step on an open session: the client, the session the flags name,
// the step itself, then its result printed (also beside an error, when there is one).
func (o *common) runStep(ctx context.Context, do func(*cluster.Client, write.Hooks, *dev.Session) (*dev.Result, error)) error {
	client, step, err := o.step(ctx)
	if err != nil {
		return err
	}
	s, err := o.find(ctx, client, step.User)
	if err != nil {
		return err
	}
	res, err := do(client, step, s)
	if perr := o.print(res); perr != nil && err == nil {
		err = perr
	}
	return err
}

// Validate refuses a blank argument, saying what it is for, and checks the flags.
func (o *common) Validate() error {
	if o.empty != "" && strings.TrimSpace(o.arg) == "" {
		return exitcode.New(exitcode.Usage, "%s", o.empty)
	}
	if err := o.Write.Validate(); err != nil {
		return err
	}
	var err error
	o.printer, err = o.Output.ToPrinter(o.streams.ErrOut)
	return err
}

// find returns the session the step is about.
func (o *common) find(ctx context.Context, client *cluster.Client, user string) (*dev.Session, error) {
	var c *dev.Clone
	if o.GitDir != "" {
		c = dev.LocalClone(ctx, o.GitDir)
	}
	return dev.Find(ctx, client.Dynamic, o.Session, c, user, o.namespace)
}

func (o *common) print(res *dev.Result) error {
	if res == nil {
		return nil
	}
	return o.printer.Print(o.streams.Out, res)
}

// completeSessions completes --session with the open sessions' IDs.
func completeSessions(f cluster.Factory) func(*cobra.Command, []string, string) ([]string, cobra.ShellCompDirective) {
	return func(cmd *cobra.Command, args []string, toComplete string) ([]string, cobra.ShellCompDirective) {
		client, err := f.Client()
		if err != nil {
			return nil, cobra.ShellCompDirectiveNoFileComp
		}
		ns, _, _ := f.Namespace()
		sessions, _, err := dev.Store{Dyn: client.Dynamic}.List(cmd.Context(), "", ns)
		if err != nil {
			return nil, cobra.ShellCompDirectiveNoFileComp
		}
		var ids []string
		for _, s := range sessions {
			ids = append(ids, s.ID)
		}
		return ids, cobra.ShellCompDirectiveNoFileComp
	}
}
