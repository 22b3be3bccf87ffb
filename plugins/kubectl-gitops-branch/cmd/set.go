package cmd

import (
	"context"
	"sort"
	"strings"
	"time"

	"github.com/spf13/cobra"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/cli-runtime/pkg/genericiooptions"

	"github.com/kubectl-gitops/kubectl-gitops/shared/branch"
	"github.com/kubectl-gitops/kubectl-gitops/shared/cluster"
	"github.com/kubectl-gitops/kubectl-gitops/shared/command"
	"github.com/kubectl-gitops/kubectl-gitops/shared/diff"
	"github.com/kubectl-gitops/kubectl-gitops/shared/exitcode"
	"github.com/kubectl-gitops/kubectl-gitops/shared/flux"
	"github.com/kubectl-gitops/kubectl-gitops/shared/git"
	"github.com/kubectl-gitops/kubectl-gitops/shared/invocation"
	"github.com/kubectl-gitops/kubectl-gitops/shared/output"
)

// SwitchOptions are the flags of `branch set` and `branch restore`.
type SwitchOptions struct {
	command.Selection
	streams genericiooptions.IOStreams
	restore bool
	printer output.Printer
	// name is the suite as the user typed it, for the examples in errors.
	name invocation.Name

	command.Write
	Output      output.Format
	Branch      string
	AutoRestore bool
	// Preview (set) says what each Kustomization reading the source will change.
	Preview bool
}

func newSwitchCommand(f cluster.Factory, streams genericiooptions.IOStreams, restore bool) *cobra.Command {
	o := &SwitchOptions{Selection: command.Selection{Kind: flux.KindGitRepository}, streams: streams, restore: restore}
	cmd := &cobra.Command{
		Use:   "set (GITREPOSITORY... | -l SELECTOR | -A) BRANCH",
		Short: "Switch the branch a GitRepository tracks, keep its parent from undoing it, and wait until Flux applied it",
		Example: `  # Roll the cluster to the stable-release branch and wait until every Kustomization applied it
  kubectl gitops branch set flux-system stable-release -n flux-system --yes

  # Show the exact change first, checked by the API server, without making it
  kubectl gitops branch set flux-system stable-release -n flux-system --dry-run

  # Every source the root Kustomization applies, all or nothing: if one does not apply,
  # every one is restored
  kubectl gitops branch set -l kustomize.toolkit.fluxcd.io/name=flux-system stable-release -A --yes --auto-restore`,
		Args:              command.MinArgs(1),
		ValidArgsFunction: completeSet(f, o),
	}
	if restore {
		cmd.Use = "restore GITREPOSITORY"
		cmd.Short = "Put a switched GitRepository back to the ref it tracked, hand it back to its parent, and wait"
		cmd.Example = `  # Back to what Git declares, exactly as before the switch
  kubectl gitops branch restore flux-system -n flux-system --yes`
		cmd.Use = "restore (GITREPOSITORY... | -l SELECTOR | -A)"
		cmd.Args = command.ArbitraryArgs()
	}
	o.Selection.AddFlags(cmd)
	o.Output.AddFlag(cmd)
	o.Write.AddFlags(cmd, command.ServerDryRun, "the source fetched the ref and every consumer reading it applied it")
	if !restore {
		command.AddPreviewFlag(cmd, &o.Preview)
		cmd.Flags().BoolVar(&o.AutoRestore, "auto-restore", false, "If the source cannot fetch the branch or a Kustomization fails to apply it within --timeout, restore the recorded ref, wait until it is applied again, and exit with the failure's code.")
	}
	command.Bind(cmd, f, o)
	return cmd
}

// Complete reads the names, the branch (the last argument of set), the namespace and
// the cluster.
func (o *SwitchOptions) Complete(f cluster.Factory, cmd *cobra.Command, args []string) error {
	if !o.restore {
		o.Branch, args = args[len(args)-1], args[:len(args)-1]
	}
	o.name = command.Invocation(cmd)
	return o.Selection.Complete(f, args)
}

// Validate checks the arguments and flags.
func (o *SwitchOptions) Validate() error {
	example := o.name.Command("branch set flux-system stable-release -n flux-system")
	if o.restore {
		example = o.name.Command("branch restore flux-system -n flux-system")
	}
	if err := o.Selection.Validate(example); err != nil {
		return err
	}
	if !o.restore && strings.TrimSpace(o.Branch) == "" {
		return exitcode.New(exitcode.Usage, "the branch name is empty: name one, e.g. '%s'", example)
	}
	if o.AutoRestore && !o.Wait {
		return exitcode.New(exitcode.Usage, "--auto-restore needs the wait: drop --wait=false")
	}
	if err := o.Write.Validate(); err != nil {
		return err
	}
	var err error
	o.printer, err = o.Output.ToPrinter(o.streams.ErrOut)
	return err
}

// Run switches or restores, then prints the result.
func (o *SwitchOptions) Run(ctx context.Context) error {
	client, err := o.Cluster.Client()
	if err != nil {
		return err
	}
	commandCtx := ctx
	ctx, cancel := context.WithTimeout(ctx, o.Timeout)
	defer cancel()
	req := branch.Request{
		RestoreContext: commandCtx,
		Branch:         o.Branch,
		Wait:           o.Wait, Remote: git.Heads,
		AutoRestore: o.AutoRestore, RestoreTimeout: o.Timeout,
		Hooks: o.Write.Hooks(o.streams, cluster.WhoAmI(ctx, client.Dynamic)),
	}
	if o.Preview && !o.restore {
		req.Preview = diff.Previewer(client.Dynamic, client.Config, client.Mapper, diff.Options{Remote: o.Cluster.Remote()})
	}
	targets, err := o.Resolve(ctx, client.Dynamic)
	if err != nil {
		return err
	}
	var results branch.Results
	if o.restore {
		for _, t := range targets {
			one := req
			one.Namespace, one.Name = t.Namespace, t.Name
			var res *branch.Result
			res, err = branch.Restore(ctx, client.Dynamic, one)
			if res != nil {
				results = append(results, res)
			}
			if err != nil {
				break
			}
		}
	} else {
		results, err = branch.SetFleet(ctx, client.Dynamic, req, targets)
	}
	if perr := o.printer.Print(o.streams.Out, results); perr != nil && err == nil {
		err = perr
	}
	return err
}

// completeSet completes GitRepository names, and after one, the branches of its remote
// (asked with the user's own git), for `set NAME BRANCH`.
func completeSet(f cluster.Factory, o *SwitchOptions) cobra.CompletionFunc {
	names := command.CompleteNames(f, flux.KindGitRepository)
	return func(cmd *cobra.Command, args []string, toComplete string) ([]string, cobra.ShellCompDirective) {
		if len(args) == 0 || o.restore || o.Selector != "" {
			return names(cmd, args, toComplete)
		}
		client, err := f.Client()
		if err != nil {
			return nil, cobra.ShellCompDirectiveNoFileComp
		}
		ns, _, _ := f.Namespace()
		base := cmd.Context()
		if base == nil {
			base = context.Background()
		}
		ctx, cancel := context.WithTimeout(base, 5*time.Second)
		defer cancel()
		u, err := flux.Get(ctx, client.Dynamic, flux.KindGitRepository, ns, args[0])
		if err != nil {
			return nil, cobra.ShellCompDirectiveNoFileComp
		}
		url, _, _ := unstructured.NestedString(u.Object, "spec", "url")
		heads, err := git.Heads(ctx, url)
		if err != nil {
			return nil, cobra.ShellCompDirectiveNoFileComp
		}
		var out []string
		for name := range heads {
			if strings.HasPrefix(name, toComplete) {
				out = append(out, name)
			}
		}
		sort.Strings(out)
		return out, cobra.ShellCompDirectiveNoFileComp
	}
}
