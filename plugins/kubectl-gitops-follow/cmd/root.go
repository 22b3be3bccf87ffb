// Package cmd wires the follow plugin's flags to the shared library.
package cmd

import (
	"context"
	"errors"
	"net"
	"strings"
	"sync"
	"time"

	"github.com/spf13/cobra"
	"k8s.io/cli-runtime/pkg/genericiooptions"

	"github.com/kubectl-gitops/kubectl-gitops/shared/cluster"
	"github.com/kubectl-gitops/kubectl-gitops/shared/command"
	"github.com/kubectl-gitops/kubectl-gitops/shared/exitcode"
	"github.com/kubectl-gitops/kubectl-gitops/shared/follow"
	"github.com/kubectl-gitops/kubectl-gitops/shared/git"
	"github.com/kubectl-gitops/kubectl-gitops/shared/invocation"
	"github.com/kubectl-gitops/kubectl-gitops/shared/output"
)

const example = `  # After 'git push': follow the branch's new head through the fleet
  kubectl gitops follow main -n flux-system

  # A commit you pushed, or a prefix of it: kubectl gitops follow 8f2c1d0 -n flux-system
  # Every GitRepository of every namespace at its branch head, for a script
  kubectl gitops follow -A --timeout 5m -o json`

// New returns the 'kubectl gitops follow' command.
func New(streams genericiooptions.IOStreams, version string) *cobra.Command {
	root, f := command.NewRoot(command.Root{
		Name:  "kubectl gitops follow",
		Use:   "[REVISION] [-n NAMESPACE | -A]",
		Short: "Follow a pushed revision through Flux until every Kustomization and HelmRelease applied it",
		Long: `Follow a pushed revision through Flux until every Kustomization and HelmRelease
built from it applied it, or something failed, or the time is up.

REVISION is a commit SHA (or a prefix of one) or a branch name; without it, each
GitRepository's own branch. The GitRepositories followed are those of the namespace
(-n, or every namespace with -A) tracking a branch whose head, asked with your own
'git ls-remote' against the GitRepository's URL, is that commit (or that branch).
Each is asked to fetch it at once (a reconcile request: its polling interval does not
matter), then every Kustomization built from it, every HelmChart built from it and
every HelmRelease installing such a chart is followed as Flux moves it, in dependsOn
order: they and the graph are listed once a second, never read one by one.

On a terminal the view redraws in place: what applied the revision, what is applying,
what waits on what. Otherwise it prints one line per change. -o json|yaml prints one
Follow document at the end instead.

It ends with exit 0 once everything applied the revision; with exit 1 once something
failed (or is suspended) and everything else applied or waits on it, naming the root
cause as 'deps' does and what it blocks; with exit 6 when --timeout passes first.
A failure Flux reports is asked once more before it counts: one a second attempt
clears (an artifact replaced under the controller) is no failure.

--contexts a,b (or --all-contexts) follows in several clusters at once, each running
its own Flux: one line per change each, prefixed by its context; the worst exit code.
Every context is reached at once within one --context-timeout: one that has not
answered by then is reported unreachable, without holding the others.`,
		Example:   example,
		Version:   version,
		ExitCodes: []exitcode.Code{exitcode.Failure, exitcode.Usage, exitcode.NotFound, exitcode.Forbidden, exitcode.Timeout, exitcode.FluxNotInstalled},
	}, streams)
	o := &Options{streams: streams}
	root.Flags().BoolVarP(&o.AllNamespaces, "all-namespaces", "A", false, "Follow the GitRepositories of every namespace.")
	root.Flags().DurationVar(&o.Timeout, "timeout", 5*time.Minute, "How long to wait for Flux.")
	root.Flags().StringSliceVar(&o.Contexts, "contexts", nil, "Follow in each of these kubeconfig contexts at once (comma-separated): clusters running their own Flux on the repository.")
	root.Flags().BoolVar(&o.AllContexts, "all-contexts", false, "Follow in every context of the kubeconfig at once; a context without Flux, or with nothing tracking the revision, is a note.")
	root.Flags().DurationVar(&o.ContextTimeout, "context-timeout", 10*time.Second, "With --contexts or --all-contexts: how long reaching every context may take (from the start, all at once) and each further request to one, so that an unreachable context is reported instead of holding the others' summary.")
	o.Output.AddFlag(root)
	root.Args = command.MaxArgs(1)
	command.Bind(root, f, o)
	return root
}

// Options are the flags of 'kubectl gitops follow'.
type Options struct {
	streams genericiooptions.IOStreams
	printer output.Printer
	name    invocation.Name

	Revision      string
	Namespace     string
	AllNamespaces bool
	Timeout       time.Duration
	Output        output.Format
	Cluster       command.Cluster
	// Contexts and AllContexts follow in several clusters at once.
	Contexts    []string
	AllContexts bool
	// ContextTimeout bounds each request to one of several contexts.
	ContextTimeout time.Duration

	factory  cluster.Factory
	explicit bool
	// mu keeps the lines of several clusters' views whole.
	mu sync.Mutex
}

// Complete reads the revision, the namespace and the cluster.
func (o *Options) Complete(f cluster.Factory, cmd *cobra.Command, args []string) error {
	o.name = command.Invocation(cmd)
	if len(args) == 1 {
		o.Revision = args[0]
	}
	o.Cluster.Complete(f)
	o.factory = f
	var err error
	o.Namespace, o.explicit, err = f.Namespace()
	return err
}

// Validate checks the flags before any request.
func (o *Options) Validate() error {
	switch {
	case o.AllNamespaces && o.explicit:
		return exitcode.New(exitcode.Usage, "--all-namespaces and --namespace cannot be used together")
	case o.AllContexts && len(o.Contexts) > 0:
		return exitcode.New(exitcode.Usage, "--all-contexts and --contexts cannot be used together")
	case o.Timeout <= 0:
		return exitcode.New(exitcode.Usage, "--timeout must be positive, e.g. --timeout 5m")
	case o.ContextTimeout <= 0:
		return exitcode.New(exitcode.Usage, "--context-timeout must be positive, e.g. --context-timeout 10s")
	}
	var err error
	o.printer, err = o.Output.ToPrinter(o.streams.ErrOut)
	return err
}

// Run resolves the sources in each cluster, follows the revision and prints the view
// or the documents.
func (o *Options) Run(ctx context.Context) error {
	clusters, err := o.clusters()
	if err != nil {
		return err
	}
	results := follow.Across(ctx, clusters, o.Revision, o.reach(), o.Timeout, git.Heads, func(c follow.Cluster, sources []follow.Source) follow.Options {
		return follow.Options{Namespace: c.Namespace, Hooks: o.hooks(), Changed: o.view(c.Context, sources), Where: o.where(c)}
	})
	if !o.multi() {
		r := results[0]
		if r.Skipped != nil {
			return r.Skipped
		}
		err := o.show(r)
		if cs := follow.ClustersOf(r.Context, r.State); len(cs) > 1 && r.State.Verdict != follow.VerdictRunning {
			o.fleetSummary(cs)
		}
		return err
	}
	// Several clusters: each one's error is a line of its own; the exit code is the
	// worst. A context named on purpose that has nothing to follow is an error; with
	// --all-contexts it is a note.
	code, followed := exitcode.OK, 0
	ew := &output.Writer{W: o.streams.ErrOut}
	var outcomes []follow.ClusterResult
	for _, r := range results {
		switch {
		case r.Skipped != nil && o.AllContexts:
			ew.Printf("note: context %s: %s\n", r.Context, r.Skipped.Error())
			continue
		case r.Skipped != nil:
			ew.Printf("error: context %s: %s\n", r.Context, r.Skipped.Error())
			code = exitcode.Worst(code, exitcode.Of(r.Skipped))
			continue
		}
		followed++
		if r.State.Verdict == follow.VerdictRunning && r.Err != nil {
			outcomes = append(outcomes, neverFollowed(r))
		} else {
			outcomes = append(outcomes, follow.ClustersOf(r.Context, r.State)...)
		}
		if err := o.show(r); err != nil {
			ew.Printf("error: context %s: %s\n", r.Context, err.Error())
			code = exitcode.Worst(code, exitcode.Of(err))
		}
	}
	if len(outcomes) > 0 {
		o.fleetSummary(outcomes)
	}
	if followed == 0 && code == exitcode.OK {
		return exitcode.New(exitcode.NotFound, "no context has a GitRepository tracking %s", orHeads(o.Revision))
	}
	return command.Silent(code)
}

// neverFollowed is the outcome of a context that was never followed: Unreachable when
// it refused the connection or never answered within --context-timeout, else Failed
// (forbidden, Flux gone).
func neverFollowed(r follow.Result) follow.ClusterResult {
	c := follow.ClusterResult{Name: r.Context, Result: follow.VerdictFailed, Reason: follow.OneLine(r.Err.Error())}
	if cluster.IsUnreachable(r.Err) {
		c.Result = follow.VerdictUnreachable
		// The network's own words, not the whole request: the error line above has
		// it; and "unreachable" once, the result says it.
		c.Reason = strings.TrimPrefix(c.Reason, "unreachable: ")
		var op *net.OpError
		if errors.As(r.Err, &op) {
			c.Reason = op.Error()
		}
	}
	return c
}

// show prints one cluster's result: its document, or the summary line of a follow
// that applied; and returns its error.
func (o *Options) show(r follow.Result) error {
	st := r.State
	switch {
	case st.Verdict == follow.VerdictRunning && o.multi() && o.Output.Document() && cluster.IsUnreachable(r.Err):
		// Across contexts, one that did not answer has its document too: a script
		// reads every context's outcome from the stream.
		doc := follow.NewDocument(o.Revision, st)
		doc.Context, doc.Result, doc.Error = r.Context, follow.VerdictUnreachable, follow.OneLine(r.Err.Error())
		if perr := o.printer.Print(o.streams.Out, doc); perr != nil {
			return perr
		}
	case st.Verdict == follow.VerdictRunning:
		// Ended before any look at the cluster (forbidden, Flux gone): the error says all.
	case o.Output.Document():
		doc := follow.NewDocument(o.Revision, st)
		if o.multi() {
			doc.Context = r.Context
		}
		doc.Clusters = follow.ClustersOf(r.Context, st)
		if perr := o.printer.Print(o.streams.Out, doc); perr != nil {
			return perr
		}
	case st.Verdict == follow.VerdictApplied:
		o.mu.Lock()
		defer o.mu.Unlock()
		w := &output.Writer{W: o.streams.Out}
		w.Printf("%s%s\n", o.prefix(r.Context), follow.Summary(st))
		if w.Err != nil {
			return w.Err
		}
	}
	return r.Err
}

// fleetSummary prints, in the human view, in how many clusters the revision applied
// and why not in the others (on stdout, after every context's own lines).
func (o *Options) fleetSummary(cs []follow.ClusterResult) {
	if o.Output.Document() {
		return
	}
	o.mu.Lock()
	defer o.mu.Unlock()
	w := &output.Writer{W: o.streams.Out}
	w.Printf("%s\n", follow.FleetSummary(cs))
}

func orHeads(rev string) string {
	if rev == "" {
		return "a branch"
	}
	return rev
}
