package cmd

import (
	"context"
	"strings"
	"time"

	"github.com/spf13/cobra"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/cli-runtime/pkg/genericiooptions"

	"github.com/kubectl-gitops/kubectl-gitops/shared/cluster"
	"github.com/kubectl-gitops/kubectl-gitops/shared/command"
	"github.com/kubectl-gitops/kubectl-gitops/shared/diff"
	"github.com/kubectl-gitops/kubectl-gitops/shared/exitcode"
	"github.com/kubectl-gitops/kubectl-gitops/shared/flux"
	"github.com/kubectl-gitops/kubectl-gitops/shared/output"
	"github.com/kubectl-gitops/kubectl-gitops/shared/suspend"
)

// SuspendOptions are the flags of `rollback suspend` and `rollback resume`.
type SuspendOptions struct {
	streams genericiooptions.IOStreams
	resume  bool
	cluster command.Cluster
	printer output.Printer

	Output output.Format
	Reason string
	For    time.Duration
	Until  string
	// Preview (resume) says what each Kustomization's apply will change before asking.
	Preview bool
	command.Write

	namespace         string
	explicitNamespace bool
	Selector          string
	AllNamespaces     bool
	targets           []target
	until             *time.Time
}

type target struct{ kind, namespace, name string }

func newSuspendCommand(f cluster.Factory, streams genericiooptions.IOStreams, resume bool) *cobra.Command {
	o := &SuspendOptions{streams: streams, resume: resume}
	cmd := &cobra.Command{
		Use:   "suspend ((KUSTOMIZATION | helmrelease/NAME)... | -l SELECTOR [-A]) --reason TEXT",
		Short: "Suspend Kustomizations or HelmReleases with a recorded reason, user and end",
		Example: `  # Freeze apps while the incident is handled, for two hours at most
  kubectl gitops rollback suspend apps -n flux-system --reason "INC-42: bad migration" --for 2h --yes

  # Every Kustomization and HelmRelease the root applies, in every namespace
  kubectl gitops rollback suspend -l kustomize.toolkit.fluxcd.io/name=flux-system -A --reason "freeze" --yes --dry-run`,
		Args:              command.ArbitraryArgs(),
		ValidArgsFunction: command.CompleteNames(f, flux.KindKustomization),
	}
	if resume {
		cmd.Use = "resume ((KUSTOMIZATION | helmrelease/NAME)... | -l SELECTOR [-A])"
		cmd.Short = "Resume suspended Kustomizations or HelmReleases and wait until Flux reconciled them"
		cmd.Example = `  # Hand apps back to Flux and wait until it applied the branch again
  kubectl gitops rollback resume apps -n flux-system --yes`
	}
	o.Output.AddFlag(cmd)
	cmd.Flags().StringVarP(&o.Selector, "selector", "l", "", "Act on every Kustomization and HelmRelease matching this label selector.")
	cmd.Flags().BoolVarP(&o.AllNamespaces, "all-namespaces", "A", false, "With -l, in every namespace.")
	waitFor := ""
	if resume {
		waitFor = "Flux reconciled each object at its new generation"
	}
	o.Write.AddFlags(cmd, command.ServerDryRun, waitFor)
	if resume {
		command.AddPreviewFlag(cmd, &o.Preview)
	}
	if !resume {
		cmd.Flags().StringVar(&o.Reason, "reason", "", "Why: recorded on the object, shown by trace and deps.")
		cmd.Flags().DurationVar(&o.For, "for", 0, "How long the suspension is meant to last (e.g. 2h); past it, trace and deps call it overdue.")
		cmd.Flags().StringVar(&o.Until, "until", "", "When the suspension is meant to end (RFC 3339), instead of --for.")
	}
	command.Bind(cmd, f, o)
	return cmd
}

// Complete reads the targets, the namespace and the cluster.
func (o *SuspendOptions) Complete(f cluster.Factory, cmd *cobra.Command, args []string) error {
	o.cluster.Complete(f)
	for _, a := range args {
		kind, name := flux.KindKustomization, a
		if k, n, ok := strings.Cut(a, "/"); ok {
			switch strings.ToLower(k) {
			case "helmrelease", "helmreleases", "hr":
				kind = flux.KindHelmRelease
			case "kustomization", "kustomizations", "ks":
			default:
				return exitcode.New(exitcode.Usage, "%q: only Kustomizations and HelmReleases can be suspended (NAME, kustomization/NAME or helmrelease/NAME)", a)
			}
			name = n
		}
		o.targets = append(o.targets, target{kind: kind, name: name})
	}
	// The intended end, from --for or --until (Validate refuses one that did not parse).
	if o.For > 0 {
		t := time.Now().Add(o.For).UTC().Truncate(time.Second)
		o.until = &t
	}
	if t, err := time.Parse(time.RFC3339, o.Until); err == nil {
		o.until = &t
	}
	var err error
	o.namespace, o.explicitNamespace, err = f.Namespace()
	for i := range o.targets {
		o.targets[i].namespace = o.namespace
	}
	return err
}

// Validate checks names, the reason and the end.
func (o *SuspendOptions) Validate() error {
	for _, t := range o.targets {
		if t.name == "" {
			return exitcode.New(exitcode.Usage, "an empty name: name a Kustomization or helmrelease/NAME")
		}
	}
	if !o.resume {
		if strings.TrimSpace(o.Reason) == "" {
			return exitcode.New(exitcode.Usage, "--reason is required: say why, e.g. --reason \"INC-42: bad migration\"")
		}
		if o.For != 0 && o.Until != "" {
			return exitcode.New(exitcode.Usage, "--for and --until cannot be used together")
		}
		if o.For < 0 {
			return exitcode.New(exitcode.Usage, "--for must be positive, e.g. --for 2h")
		}
		if o.Until != "" && o.until == nil {
			return exitcode.New(exitcode.Usage, "--until %q: give a time as RFC 3339, e.g. 2026-11-27T09:00:00Z", o.Until)
		}
	}
	switch {
	case o.Selector != "" && len(o.targets) > 0:
		return exitcode.New(exitcode.Usage, "name objects or select them with -l, not both")
	case o.AllNamespaces && o.Selector == "":
		return exitcode.New(exitcode.Usage, "-A selects with -l in every namespace: give -l SELECTOR too")
	case o.Selector == "" && len(o.targets) == 0:
		return exitcode.New(exitcode.Usage, "name a Kustomization (or helmrelease/NAME), or select them with -l")
	case o.AllNamespaces && o.explicitNamespace:
		return exitcode.New(exitcode.Usage, "--all-namespaces and --namespace cannot be used together")
	}
	if err := o.Write.Validate(); err != nil {
		return err
	}
	var err error
	o.printer, err = o.Output.ToPrinter(o.streams.ErrOut)
	return err
}

// Run suspends or resumes each target in turn; the first failure stops it.
func (o *SuspendOptions) Run(ctx context.Context) error {
	client, err := o.cluster.Client()
	if err != nil {
		return err
	}
	if o.Selector != "" {
		if o.targets, err = o.selected(ctx, client); err != nil {
			return err
		}
	}
	ctx, cancel := context.WithTimeout(ctx, o.Timeout*time.Duration(len(o.targets)))
	defer cancel()
	user := cluster.WhoAmI(ctx, client.Dynamic)
	var preview func(ctx context.Context, namespace, name string) *diff.Preview
	if o.resume && o.Preview {
		// One fetch per source and commit, however many of its Kustomizations resume.
		trees := diff.NewTrees(nil)
		defer trees.Close()
		preview = diff.KustomizationPreviewer(client.Dynamic, client.Config, client.Mapper, diff.Options{Fetch: trees.Fetch, Remote: o.cluster.Remote()})
	}
	var results suspend.Results
	var runErr error
	for _, t := range o.targets {
		req := suspend.Request{
			Kind: t.kind, Namespace: t.namespace, Name: t.name,
			Reason: o.Reason, Until: o.until, Wait: o.Wait, Hooks: o.Write.Hooks(o.streams, user),
		}
		if preview != nil {
			ns, name := t.namespace, t.name
			req.Preview = func(ctx context.Context) *diff.Preview { return preview(ctx, ns, name) }
		}
		var res *suspend.Result
		if o.resume {
			res, runErr = suspend.Resume(ctx, client.Dynamic, req)
		} else {
			res, runErr = suspend.Suspend(ctx, client.Dynamic, req)
		}
		if res != nil {
			results = append(results, res)
		}
		if runErr != nil {
			break
		}
	}
	if err := o.printer.Print(o.streams.Out, results); err != nil && runErr == nil {
		runErr = err
	}
	return runErr
}

// selected lists the Kustomizations and HelmReleases -l (and -A) select, in that order.
func (o *SuspendOptions) selected(ctx context.Context, client *cluster.Client) ([]target, error) {
	ns := o.namespace
	if o.AllNamespaces {
		ns = ""
	}
	var out []target
	for _, kind := range []string{flux.KindKustomization, flux.KindHelmRelease} {
		err := flux.ListSelected(ctx, client.Dynamic, kind, ns, o.Selector, func(u *unstructured.Unstructured) error {
			out = append(out, target{kind: kind, namespace: u.GetNamespace(), name: u.GetName()})
			return nil
		})
		if err != nil && !(kind == flux.KindHelmRelease && flux.IsNotInstalled(err)) {
			return nil, err
		}
	}
	if len(out) == 0 {
		return nil, exitcode.New(exitcode.NotFound, "no Kustomization or HelmRelease matches -l %s", o.Selector)
	}
	return out, nil
}
