package cmd

import (
	"context"
	"fmt"

	"github.com/spf13/cobra"
	"k8s.io/cli-runtime/pkg/genericiooptions"

	"github.com/kubectl-gitops/kubectl-gitops/shared/cluster"
	"github.com/kubectl-gitops/kubectl-gitops/shared/command"
	"github.com/kubectl-gitops/kubectl-gitops/shared/deps/live"
	"github.com/kubectl-gitops/kubectl-gitops/shared/exitcode"
	"github.com/kubectl-gitops/kubectl-gitops/shared/deps"
	"github.com/kubectl-gitops/kubectl-gitops/shared/deps/dir"
	"github.com/kubectl-gitops/kubectl-gitops/shared/output"
)

const depsExample = `  # Why is nothing moving? The dependsOn graph of every namespace, with the root causes
  kubectl gitops trace deps -A

  # Only what apps depends on and what depends on it
  kubectl gitops trace deps apps -n flux-system

  # Gate a deploy: exit 7 when there is a cycle, a missing or a blocked dependency
  kubectl gitops trace deps -A --check

  # Check a pull request before it is merged, without a cluster (inside the fleet repo)
  kubectl gitops trace deps --dir ./clusters/demo --check

  # Draw it for the docs
  kubectl gitops trace deps -A -o mermaid`

// DepsOptions are the flags and state of `kubectl gitops trace deps`.
type DepsOptions struct {
	factory *cluster.Factory
	streams genericiooptions.IOStreams

	Output        string
	Check         bool
	Dir           string
	AllNamespaces bool

	names     []string
	namespace string
	explicit  bool
}

func newDepsCommand(f *cluster.Factory, streams genericiooptions.IOStreams) *cobra.Command {
	o := &DepsOptions{factory: f, streams: streams}
	cmd := &cobra.Command{
		Use:   "deps [NAME...]",
		Short: "Show the dependsOn graph of Kustomizations and HelmReleases, with cycles, missing and blocked dependencies",
		Long: `Show the dependsOn graph of Kustomizations and HelmReleases and why nothing is moving.

Reads every Kustomization and HelmRelease (one paged list per kind) and reports:
cycles (Flux never reports them: its members just wait in DependencyNotReady),
dependencies that do not exist (with close matches), and for every object that is not
Ready the root cause at the bottom of its chain (missing, suspended, failing, not yet
reconciled, or lagging its source), with everything it blocks and a next step.

With --dir, reads manifests from a directory instead of a cluster and reports cycles
and missing dependencies, so a pull request can be checked before it is merged.

Exit codes: 0 no problem (or no --check), 1 error, 2 usage, 3 a NAME given does not
exist, 5 forbidden, 7 --check found a problem, 8 Flux is not installed.`,
		Example: depsExample,
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := o.Complete(args); err != nil {
				return err
			}
			if err := o.Validate(); err != nil {
				return err
			}
			return o.Run(cmd.Context())
		},
	}
	cmd.Flags().StringVarP(&o.Output, "output", "o", "", "Output format: tree (default), json, dot or mermaid.")
	cmd.Flags().BoolVar(&o.Check, "check", false, "Exit with code 7 when any cycle, missing dependency or blocked chain exists.")
	cmd.Flags().StringVar(&o.Dir, "dir", "", "Read Kustomization and HelmRelease manifests from this directory (recursively) instead of a cluster.")
	cmd.Flags().BoolVarP(&o.AllNamespaces, "all-namespaces", "A", false, "Show objects of every namespace.")
	_ = cmd.RegisterFlagCompletionFunc("output", func(*cobra.Command, []string, string) ([]string, cobra.ShellCompDirective) {
		return []string{"tree", "json", "dot", "mermaid"}, cobra.ShellCompDirectiveNoFileComp
	})
	return cmd
}

// Complete reads names and the namespace.
func (o *DepsOptions) Complete(args []string) error {
	o.names = args
	if o.Dir != "" {
		return nil
	}
	var err error
	o.namespace, o.explicit, err = o.factory.Namespace()
	return err
}

// Validate rejects flag combinations that cannot work.
func (o *DepsOptions) Validate() error {
	if o.Output == "tree" {
		o.Output = ""
	}
	if err := output.Check(o.Output, "json", "dot", "mermaid"); err != nil {
		return exitcode.New(exitcode.Usage, "unknown output format %q: use tree, json, dot or mermaid", o.Output)
	}
	if o.AllNamespaces && o.explicit {
		return exitcode.New(exitcode.Usage, "--all-namespaces and --namespace cannot be used together")
	}
	return nil
}

// Run loads the graph, analyses it and prints it.
func (o *DepsOptions) Run(ctx context.Context) error {
	var nodes []deps.Node
	problems := false
	if o.Dir != "" {
		res, err := dir.Load(o.Dir, dir.Options{})
		if err != nil {
			return exitcode.Wrap(exitcode.Usage, fmt.Errorf("reading --dir: %w", err))
		}
		for _, fe := range res.Errors {
			fmt.Fprintf(o.streams.ErrOut, "warning: %s\n", fe)
		}
		problems = len(res.Errors) > 0
		nodes = res.Nodes
	} else {
		client, err := o.factory.Client()
		if err != nil {
			return err
		}
		live, err := live.LoadLive(ctx, client.Dynamic, o.namespace)
		if err != nil {
			return err
		}
		for _, w := range live.Warnings {
			fmt.Fprintf(o.streams.ErrOut, "warning: %s\n", w)
		}
		nodes = live.Nodes
	}
	report := deps.Analyze(nodes)
	view := report
	scope := o.namespace
	if o.Dir != "" || o.AllNamespaces {
		scope = ""
	}
	switch {
	case len(o.names) > 0:
		var unknown []string
		view, unknown = report.FilterIn(scope, o.names)
		if len(unknown) > 0 {
			return exitcode.New(exitcode.NotFound, "no Kustomization or HelmRelease named %v%s", unknown, o.where())
		}
	case scope != "":
		view = report.Namespace(scope)
	}
	if err := o.print(view); err != nil {
		return err
	}
	if o.Check && (problems || view.HasProblems()) {
		return command.Silent(exitcode.ProblemFound)
	}
	return nil
}

func (o *DepsOptions) where() string {
	if o.Dir != "" {
		return " in " + o.Dir
	}
	if o.AllNamespaces {
		return ""
	}
	return " in namespace " + o.namespace
}

func (o *DepsOptions) print(r *deps.Report) error {
	switch o.Output {
	case "json":
		return render.JSON(o.streams.Out, r)
	case "dot":
		return render.DOT(o.streams.Out, r)
	case "mermaid":
		return render.Mermaid(o.streams.Out, r)
	}
	if len(r.Entries) == 0 {
		hint := ""
		if o.Dir == "" && !o.AllNamespaces {
			hint = " (use -A for every namespace, or -n flux-system)"
		}
		fmt.Fprintf(o.streams.Out, "No Kustomizations or HelmReleases found%s%s.\n", o.where(), hint)
		return nil
	}
	return render.Tree(o.streams.Out, r, output.Color(o.streams.Out))
}
