// Package cmd wires the deps plugin's flags to the shared library: loading lives in
// shared/deps/live and shared/deps/dir, analysis in shared/deps, drawing in
// shared/deps/render.
package cmd

import (
	"context"
	"fmt"
	"path/filepath"
	"strings"
	"time"

	"github.com/spf13/cobra"
	"k8s.io/cli-runtime/pkg/genericiooptions"

	"github.com/kubectl-gitops/kubectl-gitops/shared/cluster"
	"github.com/kubectl-gitops/kubectl-gitops/shared/command"
	"github.com/kubectl-gitops/kubectl-gitops/shared/deps"
	"github.com/kubectl-gitops/kubectl-gitops/shared/deps/dir"
	"github.com/kubectl-gitops/kubectl-gitops/shared/deps/live"
	"github.com/kubectl-gitops/kubectl-gitops/shared/deps/render"
	"github.com/kubectl-gitops/kubectl-gitops/shared/exitcode"
	"github.com/kubectl-gitops/kubectl-gitops/shared/flux"
	"github.com/kubectl-gitops/kubectl-gitops/shared/output"
)

const depsExample = `  # Why is nothing moving? The dependsOn graph of every namespace, with the root causes
  kubectl gitops deps -A

  # Only what apps depends on and what depends on it
  kubectl gitops deps apps -n flux-system

  # Gate a deploy: exit 7 when there is a cycle, a missing or a blocked dependency,
  # or nothing to check (a wrong -n)
  kubectl gitops deps -A --check

  # Check a pull request before it is merged, without a cluster (inside the fleet repo):
  # every cluster, rendered from its sync path as its Flux renders it
  kubectl gitops deps --dir . --check
  kubectl gitops deps --dir . --path clusters/demo --check

  # How long can a push take to reach each Kustomization, and what to shorten first?
  kubectl gitops deps -A --latency

  # Failures that notify nobody: every Kustomization, HelmRelease and source no Alert
  # that can deliver covers, and every Alert that cannot deliver (exit 7 with --check)
  kubectl gitops deps -A --alerts

  # The report as a versioned document for a script, or drawn for the docs
  kubectl gitops deps -A -o yaml
  kubectl gitops deps -A -o mermaid`

// New returns the `kubectl gitops deps` command.
func New(streams genericiooptions.IOStreams, version string) *cobra.Command {
	root, f := command.NewRoot(command.Root{
		Name:  "kubectl gitops deps",
		Use:   "[NAME...]",
		Short: "Show the dependsOn graph of Kustomizations and HelmReleases, with cycles, missing and blocked dependencies",
		Long: `Show the dependsOn graph of Kustomizations and HelmReleases and why nothing is moving.

Reads every Kustomization and HelmRelease (one paged list per kind) and reports:
cycles (Flux never reports them: its members just wait in DependencyNotReady),
dependencies that do not exist (with close matches), and for every object that is not
Ready the root cause at the bottom of its chain (missing, suspended, failing, not yet
reconciled, or lagging its source), with everything it blocks and a next step.

The tree prints each object under what it depends on: in "A └── B", B depends on A.

With --dir, reads a repository instead of a cluster, so a pull request can be checked
before it is merged: each cluster is rendered from its sync path (found in the
repository, or given with --path) as source- and kustomize-controller would render it,
child Kustomizations, patches, components and post-build variables included, and
checked on its own. Deadlocks across dependsOn, "waits for" and "exists only after"
are reported live and offline.`,
		Example:   depsExample,
		Version:   version,
		ExitCodes: []exitcode.Code{exitcode.Failure, exitcode.Usage, exitcode.NotFound, exitcode.Forbidden, exitcode.ProblemFound, exitcode.FluxNotInstalled},
	}, streams)
	o := NewOptions(streams)
	o.AddFlags(root)
	root.Args = cobra.ArbitraryArgs
	root.ValidArgsFunction = completeNames(f)
	command.Bind(root, f, o)
	return root
}

// Options are the flags and state of `kubectl gitops deps`.
type Options struct {
	streams genericiooptions.IOStreams

	Output        output.Format
	Check         bool
	Dir           string
	dirs          []string
	Path          string
	Strict        bool
	sourceFlags   []string
	sources       map[string]string
	All           bool
	AllNamespaces bool
	// Latency asks for the latency budget instead of the graph, counting the
	// controllers' --requeue-dependency.
	Latency           bool
	RequeueDependency time.Duration
	// Alerts checks notification coverage instead of the dependsOn graph.
	Alerts bool

	cluster    command.Cluster
	printer    output.Printer
	incomplete bool
	// elsewhere are the namespaces holding objects when the one asked about holds none.
	elsewhere []string
	names     []string
	namespace string
	explicit  bool
}

// NewOptions returns options with defaults.
func NewOptions(streams genericiooptions.IOStreams) *Options { return &Options{streams: streams} }

// AddFlags binds the options to the command's flags.
func (o *Options) AddFlags(cmd *cobra.Command) {
	o.Output.AddFlag(cmd, render.FormatDOT, render.FormatMermaid)
	cmd.Flags().BoolVar(&o.Check, "check", false, "Exit with code 7 when any cycle, missing dependency or blocked chain exists, or when there is no Kustomization or HelmRelease to check.")
	cmd.Flags().BoolVar(&o.All, "all", false, "In the tree, list the objects with no dependency, no dependent and no problem too (they are counted otherwise).")
	cmd.Flags().StringArrayVar(&o.dirs, "dir", nil, "Read Kustomization and HelmRelease manifests from this directory (recursively, rendered like kustomize-controller) instead of a cluster.")
	cmd.Flags().BoolVarP(&o.AllNamespaces, "all-namespaces", "A", false, "Show objects of every namespace.")
	cmd.Flags().StringVar(&o.Path, "path", "", "With --dir, the cluster's sync path in the repository (as 'flux build kustomization flux-system --path' takes it); default: every cluster root found.")
	cmd.Flags().StringArrayVar(&o.sourceFlags, "source", nil, "With --dir, render the Kustomizations reading another source from a local checkout: KIND/NAMESPACE/NAME=DIR (repeatable).")
	cmd.Flags().BoolVar(&o.Latency, "latency", false, "Instead of the graph, the latency budget: for each Kustomization and HelmRelease, the worst and typical time from a push to its apply (source poll, each dependsOn level's requeue, health checks), the critical path and the setting to change first. Live, or offline with --dir.")
	cmd.Flags().DurationVar(&o.RequeueDependency, "requeue-dependency", 30*time.Second, "With --latency: the controllers' --requeue-dependency, when your Flux sets another.")
	cmd.Flags().BoolVar(&o.Alerts, "alerts", false, "Instead of the graph, list the Kustomizations, HelmReleases and sources whose failures reach no Alert that can deliver, and the Alerts that cannot deliver (Alert or Provider suspended, Provider or its Secret missing). Live, or offline with --dir (each cluster as its Flux renders it).")
	cmd.Flags().BoolVar(&o.Strict, "strict", false, "With --dir, count what cannot be known offline (another source, a variable not in the repository) as a problem.")
}

// Complete reads names, the namespace and the cluster (read only without --dir).
func (o *Options) Complete(f cluster.Factory, cmd *cobra.Command, args []string) error {
	o.names = args
	o.cluster.Complete(f)
	switch {
	case len(o.dirs) > 1:
		return exitcode.New(exitcode.Usage, "--dir given %d times: give the one folder of the repository (every cluster in it is checked), or run once per folder", len(o.dirs))
	case cmd.Flags().Changed("dir") && (len(o.dirs) == 0 || o.dirs[0] == ""):
		return exitcode.New(exitcode.Usage, "--dir needs a directory: give the path of the fleet repository, or leave --dir out to read the cluster")
	case len(o.dirs) == 1:
		o.Dir = o.dirs[0]
	}
	var err error
	if o.sources, err = dir.ParseSources(o.sourceFlags); err != nil {
		return err
	}
	o.namespace, o.explicit, err = f.Namespace()
	return err
}

// Validate rejects flag combinations that cannot work.
func (o *Options) Validate() error {
	var err error
	if o.printer, err = o.Output.ToPrinter(o.streams.ErrOut); err != nil {
		return err
	}
	if o.AllNamespaces && o.explicit {
		return exitcode.New(exitcode.Usage, "--all-namespaces and --namespace cannot be used together")
	}
	if o.Alerts && (len(o.names) > 0 || o.Output.Value == render.FormatDOT || o.Output.Value == render.FormatMermaid) {
		return exitcode.New(exitcode.Usage, "--alerts checks the Alerts of every object of the namespace (or -A, or every cluster of --dir): give no names, and -o json|yaml or none")
	}
	if o.Latency && o.Alerts {
		return exitcode.New(exitcode.Usage, "--latency and --alerts are two reports: ask for one at a time")
	}
	if o.Latency && (o.Output.Value == render.FormatDOT || o.Output.Value == render.FormatMermaid) {
		return exitcode.New(exitcode.Usage, "--latency prints a table or -o json|yaml: a drawing has no room for the budgets")
	}
	if (o.Path != "" || o.Strict || len(o.sources) > 0) && o.Dir == "" {
		return exitcode.New(exitcode.Usage, "--path, --source and --strict check a repository: give it with --dir")
	}
	return nil
}

// Run loads the graph, analyses it and prints it: offline, one report per cluster of
// the repository (or the loose manifests of a folder that has none).
func (o *Options) Run(ctx context.Context) error {
	if o.Latency {
		return o.runLatency(ctx)
	}
	if o.Alerts {
		return o.runAlerts(ctx)
	}
	if o.Dir != "" {
		roots := dir.Roots(o.Dir, dir.Options{})
		if o.Path != "" {
			roots = []string{o.Path}
		}
		if len(roots) > 0 {
			return o.runClusters(ctx, roots)
		}
	}
	nodes, fileErrors, err := o.load(ctx)
	if err != nil {
		return err
	}
	report := deps.Analyze(ctx, nodes)
	report.FileErrors = fileErrors
	report.Strict = o.Strict
	view, err := o.view(report)
	if err != nil {
		return err
	}
	if err := o.print(view, "", false); err != nil {
		return err
	}
	if o.Check && view.HasProblems() {
		return command.Silent(exitcode.ProblemFound)
	}
	if o.Check && o.incomplete {
		return exitcode.New(exitcode.Forbidden, "the check is incomplete: some Flux objects could not be read (see the warnings), so no problem found does not mean none exists")
	}
	return nil
}

// runClusters checks each cluster of the repository on its own, as its Flux renders
// it from its sync path: one broken cluster fails the check.
func (o *Options) runClusters(ctx context.Context, roots []string) error {
	problems, shown := false, 0
	// empty is the first cluster whose objects lie outside the -n asked for: shown
	// only when no cluster has any there, so that --check fails on checking nothing.
	var empty *deps.Report
	emptyRoot := ""
	warn := &output.Writer{W: o.streams.ErrOut}
	for _, root := range roots {
		cl, err := dir.Walk(ctx, o.Dir, root, dir.Options{Sources: o.sources})
		if ctx.Err() != nil {
			return ctx.Err() // interrupted: not a usage error
		}
		if err != nil {
			return exitcode.Wrap(exitcode.Usage, fmt.Errorf("--dir %s: %w", o.dirShown(), err))
		}
		for _, w := range cl.Warnings {
			warn.Printf("warning: %s: %s\n", root, w)
		}
		var fileErrors []deps.FileError
		for _, fe := range cl.Errors {
			warn.Printf("warning: %s: %s\n", root, fe)
			fileErrors = append(fileErrors, deps.FileError{File: fe.File, Line: fe.Line, Message: fe.Err.Error()})
		}
		report := deps.Analyze(ctx, cl.Nodes)
		report.FileErrors, report.Unrendered, report.Strict = fileErrors, cl.Unrendered, o.Strict
		view, err := o.view(report)
		if exitcode.Of(err) == exitcode.NotFound && len(roots) > 1 {
			continue // the names are in another cluster
		}
		if err != nil {
			return err
		}
		if view.NothingChecked && !report.NothingChecked && len(roots) > 1 {
			if empty == nil {
				empty, emptyRoot = view, root
			}
			continue // the namespace is in another cluster
		}
		shown++
		if err := o.print(view, root, shown > 1); err != nil {
			return err
		}
		problems = problems || view.HasProblems()
	}
	if shown == 0 && empty != nil {
		if err := o.print(empty, emptyRoot, false); err != nil {
			return err
		}
		shown, problems = 1, true
	}
	if shown == 0 {
		return exitcode.New(exitcode.NotFound, "no Kustomization or HelmRelease named %s in any cluster of %s", strings.Join(o.names, ", "), o.dirShown())
	}
	if o.Check && problems {
		return command.Silent(exitcode.ProblemFound)
	}
	return nil
}

// view narrows a report to the names or the namespace asked for.
func (o *Options) view(report *deps.Report) (*deps.Report, error) {
	scope := o.namespace
	if o.AllNamespaces || (o.Dir != "" && !o.explicit) {
		// Offline, every namespace unless -n names one.
		scope = ""
	}
	switch {
	case len(o.names) > 0:
		view, unknown := report.FilterIn(scope, o.names)
		if len(unknown) > 0 {
			why := make([]string, len(unknown))
			for i, u := range unknown {
				why[i] = report.Unmatched(u)
			}
			in := ""
			if o.Dir != "" {
				in = " (in " + o.dirShown() + ")"
			}
			return nil, exitcode.New(exitcode.NotFound, "%s%s", strings.Join(why, "; "), in)
		}
		return view, nil
	case scope != "":
		view := report.Namespace(scope)
		if len(view.Entries) == 0 {
			o.elsewhere = report.Namespaces()
		}
		return view, nil
	}
	return report, nil
}

// load reads the nodes from --dir or the cluster, and the files that could not be
// read, which are problems of the check (Flux fails on them too).
func (o *Options) load(ctx context.Context) ([]deps.Node, []deps.FileError, error) {
	if o.Dir != "" {
		res, err := dir.Load(o.Dir, dir.Options{})
		if err != nil {
			return nil, nil, exitcode.Wrap(exitcode.Usage, fmt.Errorf("reading --dir: %w", err))
		}
		var fileErrors []deps.FileError
		warn := &output.Writer{W: o.streams.ErrOut}
		for _, fe := range res.Errors {
			warn.Printf("warning: %s\n", fe)
			fileErrors = append(fileErrors, deps.FileError{File: fe.File, Line: fe.Line, Message: fe.Err.Error()})
		}
		return res.Nodes, fileErrors, nil
	}
	client, err := o.cluster.Client()
	if err != nil {
		return nil, nil, err
	}
	fallback := o.namespace
	if o.AllNamespaces {
		fallback = "" // -A asked for every namespace: no quiet fallback to one
	}
	l, err := live.Load(ctx, client.Dynamic, fallback)
	if err != nil {
		return nil, nil, err
	}
	o.incomplete = l.Incomplete
	warn := &output.Writer{W: o.streams.ErrOut}
	for _, w := range l.Warnings {
		warn.Printf("warning: %s\n", w)
	}
	return l.Nodes, nil, nil
}

// dirShown is --dir as a message names it: a path made of dots ("found in ..") says
// nothing once printed, so it is shown absolute; any other path as typed.
func (o *Options) dirShown() string {
	if strings.Trim(filepath.ToSlash(o.Dir), "./") == "" || strings.HasPrefix(filepath.ToSlash(o.Dir), "../") {
		if abs, err := filepath.Abs(o.Dir); err == nil {
			return abs
		}
	}
	return o.Dir
}

func (o *Options) where() string {
	if o.Dir != "" {
		return " in " + o.dirShown()
	}
	if o.AllNamespaces {
		return ""
	}
	return " in namespace " + o.namespace
}

// print writes one report; cluster names the cluster it is about, when the
// repository holds several, and follows says another cluster's report came before.
func (o *Options) print(r *deps.Report, cluster string, follows bool) error {
	doc := render.Document(r)
	doc.Cluster = cluster
	doc.View = render.View{Base: o.Dir, All: o.All, NotFound: o.where() + o.hint(), Follows: follows}
	return o.printer.Print(o.streams.Out, doc)
}

// hint says where to look when the namespace asked about holds nothing.
func (o *Options) hint() string {
	switch {
	case len(o.elsewhere) == 1:
		return fmt.Sprintf("; %s has some: add -n %s", o.elsewhere[0], o.elsewhere[0])
	case len(o.elsewhere) > 1:
		return fmt.Sprintf("; %s have some: add -n with one of them, or -A", strings.Join(o.elsewhere, ", "))
	case o.Dir == "" && !o.AllNamespaces:
		return " (use -A for every namespace, or -n NAMESPACE)"
	}
	return ""
}

// completeNames completes Kustomization and HelmRelease names from the cluster.
func completeNames(f cluster.Factory) cobra.CompletionFunc {
	ks, hr := command.CompleteNames(f, flux.KindKustomization), command.CompleteNames(f, flux.KindHelmRelease)
	return func(cmd *cobra.Command, args []string, toComplete string) ([]string, cobra.ShellCompDirective) {
		a, _ := ks(cmd, args, toComplete)
		b, _ := hr(cmd, args, toComplete)
		return append(a, b...), cobra.ShellCompDirectiveNoFileComp
	}
}
