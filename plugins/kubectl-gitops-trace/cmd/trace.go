package cmd

import (
	"context"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/spf13/cobra"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/meta"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"
	utilerrors "k8s.io/apimachinery/pkg/util/errors"
	"k8s.io/cli-runtime/pkg/genericiooptions"
	"k8s.io/cli-runtime/pkg/resource"

	"github.com/kubectl-gitops/kubectl-gitops/shared/cluster"
	"github.com/kubectl-gitops/kubectl-gitops/shared/command"
	"github.com/kubectl-gitops/kubectl-gitops/shared/exitcode"
	"github.com/kubectl-gitops/kubectl-gitops/shared/flux"
	"github.com/kubectl-gitops/kubectl-gitops/shared/invocation"
	"github.com/kubectl-gitops/kubectl-gitops/shared/output"
	"github.com/kubectl-gitops/kubectl-gitops/shared/timeline"
	"github.com/kubectl-gitops/kubectl-gitops/shared/trace"
	"github.com/kubectl-gitops/kubectl-gitops/shared/yamldoc"
)

// TraceOptions are the flags and state of one `kubectl gitops trace` run.
type TraceOptions struct {
	streams genericiooptions.IOStreams
	cluster command.Cluster
	// kubeconfig opens the kubeconfig's other contexts, where the trace goes on when
	// the object's cluster does not run the Flux that applied it.
	kubeconfig cluster.Factory
	printer    output.Printer

	Output        output.Format
	GitDir        string
	Events        bool
	Selector      string
	AllNamespaces bool
	Filenames     resource.FilenameOptions
	// Across clusters: where Flux runs when the object's cluster does not hold the
	// Kustomization its labels name, and the cluster a traced Kustomization applies to.
	FluxContext    string
	FluxKubeconfig string
	Remote         command.RemoteFlags
	ContextTimeout time.Duration
	// Timeline, and kustomize-controller's --requeue-dependency it names.
	Timeline          bool
	RequeueDependency time.Duration

	args      []string
	namespace string
	explicit  bool
	// name is the suite as the user typed it, for the hints in errors.
	name invocation.Name
}

// NewTraceOptions returns options with defaults.
func NewTraceOptions(streams genericiooptions.IOStreams) *TraceOptions {
	return &TraceOptions{streams: streams, ContextTimeout: defaultContextTimeout}
}

// defaultContextTimeout bounds each context's answer when the kubeconfig's contexts
// are searched for the cluster running Flux: they are asked at once, so the search
// costs this much at worst, however many contexts there are.
const defaultContextTimeout = 3 * time.Second

// AddFlags binds the options to the command's flags.
func (o *TraceOptions) AddFlags(cmd *cobra.Command) {
	o.Output.AddFlag(cmd)
	cmd.Flags().BoolVar(&o.Events, "events", false, "Show each hop's recent Warning events (one list per namespace; always in -o json|yaml).")
	cmd.Flags().StringVar(&o.GitDir, "git-dir", "", "Path to a local clone of the source repository: also print the file and line defining the object at the applied commit.")
	cmd.Flags().StringVarP(&o.Selector, "selector", "l", "", "Label selector to trace every matching object (e.g. -l app=api).")
	cmd.Flags().BoolVarP(&o.AllNamespaces, "all-namespaces", "A", false, "Trace matching objects in every namespace.")
	cmd.Flags().StringSliceVarP(&o.Filenames.Filenames, "filename", "f", nil, "Files naming the objects to trace (the live objects are read).")
	cmd.Flags().BoolVarP(&o.Filenames.Recursive, "recursive", "R", false, "Process the directory used in -f recursively.")
	cmd.Flags().StringVar(&o.FluxContext, "flux-context", "", "Context of the cluster running the Flux that applied the object (a management cluster); by default the kubeconfig's other contexts are asked when the object's cluster does not hold its Kustomization.")
	cmd.Flags().StringVar(&o.FluxKubeconfig, "flux-kubeconfig", "", "Kubeconfig of the cluster running Flux (its current context, or --flux-context).")
	o.Remote.AddFlags(cmd, "to list what it applied there")
	cmd.Flags().BoolVar(&o.Timeline, "timeline", false, "Show when the revision the object's chain applied went through each step (commit with --git-dir, the source's fetch, each Kustomization's apply and those it dependsOn, the HelmRelease, the object's rollout), and the cause of each wait with the setting that controls it.")
	cmd.Flags().DurationVar(&o.RequeueDependency, "requeue-dependency", timeline.DefaultRequeueDependency, "With --timeline: kustomize-controller's --requeue-dependency, when your Flux sets another, named as the setting behind a wait on a dependency.")
	cmd.Flags().DurationVar(&o.ContextTimeout, "context-timeout", defaultContextTimeout, "How long each other kubeconfig context may take to answer when looking for the cluster running Flux.")
}

// Complete reads the namespace and arguments, the cluster and the kubeconfig's other
// contexts.
func (o *TraceOptions) Complete(f cluster.Factory, cmd *cobra.Command, args []string) error {
	o.args = args
	o.cluster.Complete(f)
	o.kubeconfig = f
	o.name = command.Invocation(cmd)
	var err error
	o.namespace, o.explicit, err = f.Namespace()
	return err
}

// Validate rejects flag combinations that cannot work, before any request is made.
func (o *TraceOptions) Validate() error {
	var err error
	if o.printer, err = o.Output.ToPrinter(o.streams.ErrOut); err != nil {
		return err
	}
	if o.AllNamespaces && o.explicit {
		return exitcode.New(exitcode.Usage, "--all-namespaces and --namespace cannot be used together")
	}
	if err := o.Remote.Validate(); err != nil {
		return err
	}
	if o.ContextTimeout <= 0 {
		return exitcode.New(exitcode.Usage, "--context-timeout must be positive, got %s", o.ContextTimeout)
	}
	if err := checkFilenames(o.Filenames.Filenames); err != nil {
		return err
	}
	if len(o.args) == 0 && len(o.Filenames.Filenames) == 0 {
		return exitcode.UsageError(errors.New("name what to trace: TYPE/NAME, TYPE NAME, TYPE -l SELECTOR or -f FILE"), o.name.Command("trace"))
	}
	return nil
}

// Run reads the objects, traces each one and prints the reports. The exit code is
// the most serious result among them.
func (o *TraceOptions) Run(ctx context.Context) error {
	if o.GitDir != "" {
		if err := trace.CheckGitDir(ctx, o.GitDir); err != nil {
			return err
		}
	}
	client, err := o.cluster.Client()
	if err != nil {
		return err
	}
	// A --flux-context that is not in the kubeconfig is a usage error before any read.
	tracer, err := o.tracer(client)
	if err != nil {
		return err
	}
	objs, reports, err := o.readObjectsUntil(ctx, client)
	if err != nil {
		return err
	}
	if len(objs) > 1 {
		// Bulk: one paged list of Kustomizations instead of a GET per object.
		// A cluster without Flux (a workload cluster) is traced through the cluster
		// that runs it, Kustomization by Kustomization.
		if err := tracer.IndexKustomizations(ctx); err != nil && !errors.Is(err, context.Canceled) && !flux.IsNotInstalled(err) {
			return err
		}
	}
	var stopped error
	for i, obj := range objs {
		if ctx.Err() != nil {
			stopped = cluster.Classify(ctx.Err())
			break
		}
		// The reports grow as the objects are traced: each object is let go once
		// traced, so that 10,000 of them and their reports are not all held at once.
		objs[i] = nil
		r := tracer.Trace(ctx, obj)
		if o.GitDir != "" {
			r.LocateInGit(ctx, o.GitDir)
		}
		if o.Timeline {
			tracer.AttachTimeline(ctx, r, obj, o.GitDir, o.RequeueDependency)
		}
		reports = append(reports, r)
		if r.Unreachable() {
			// The server is gone: every further object would wait for the same timeout.
			stopped = exitcode.New(exitcode.Failure, "stopped after %d of %d objects: %s", len(reports), len(objs), r.Error)
			break
		}
	}
	if (o.Events || o.Output.Document()) && stopped == nil {
		tracer.AttachEvents(ctx, reports)
	}
	if stopped == nil {
		// Always: which Alerts hear of each hop costs one list of Alerts per cluster
		// (and of Providers when there is one), and nothing without notification-controller.
		tracer.AttachAlerts(ctx, reports)
	}
	o.inArgumentOrder(client.Mapper, reports)
	if err := o.printer.Print(o.streams.Out, trace.Reports(reports)); err != nil {
		return err
	}
	trace.WriteErrors(o.streams.ErrOut, reports)
	if stopped != nil {
		return stopped
	}
	codes := make([]exitcode.Code, 0, len(reports))
	for _, r := range reports {
		codes = append(codes, r.ExitCode())
	}
	return command.Silent(exitcode.Worst(codes...))
}

// readObjectsUntil is readObjects, abandoned when ctx ends or the server stops
// answering: cli-runtime's builder takes no context, and Ctrl-C must stop a read from a
// server that never answers within a second, not when the builder gives up.
func (o *TraceOptions) readObjectsUntil(ctx context.Context, client *cluster.Client) ([]*unstructured.Unstructured, []*trace.Report, error) {
	type result struct {
		objs    []*unstructured.Unstructured
		reports []*trace.Report
		err     error
	}
	done := make(chan result, 1)
	go func() {
		objs, reports, err := o.readObjects(ctx, client)
		done <- result{objs, reports, err}
	}()
	select {
	case r := <-done:
		return r.objs, r.reports, r.err
	case <-ctx.Done():
		return nil, nil, cluster.Classify(ctx.Err())
	case err := <-o.cluster.Lost():
		// The builder would go on asking for every remaining name, each waiting for the
		// same timeout; nothing read so far can be traced without the server either.
		return nil, nil, err
	}
}

// readObjects resolves the arguments through cli-runtime's builder, like kubectl get.
// Objects that do not exist become NotFound reports; an unknown type is a usage error.
func (o *TraceOptions) readObjects(ctx context.Context, client *cluster.Client) ([]*unstructured.Unstructured, []*trace.Report, error) {
	mapper := client.Mapper
	args := o.args
	typ, wanted := o.manyNames()
	if wanted != nil {
		args = []string{typ} // one paged list of the type instead of a GET per name
	}
	groups := []resource.FilenameOptions{o.Filenames}
	if len(o.Filenames.Filenames) > 0 {
		var charts []string
		groups, charts = filenameGroups(o.Filenames)
		errOut := &output.Writer{W: o.streams.ErrOut}
		for _, c := range charts {
			errOut.Printf("note: -f %s: a Helm chart, not manifests: skipped (trace the objects its HelmRelease installed)\n", c)
		}
	}
	var objs []*unstructured.Unstructured
	var reports []*trace.Report
	var errs []error
	// Kept until every object is traced: only what the tracer reads.
	keep := func(u *unstructured.Unstructured) {
		if wanted == nil {
			objs = append(objs, u)
		} else if _, ok := wanted[u.GetName()]; ok {
			wanted[u.GetName()] = u
		}
	}
	if len(o.Filenames.Filenames) == 0 && len(args) == 1 {
		listed, err := o.listMetadata(ctx, client, args[0], keep)
		if listed {
			errs = append(errs, flatten(err)...)
			groups = nil
		}
	}
	for i := range groups {
		result := o.cluster.Builder().
			Unstructured().
			NamespaceParam(o.namespace).DefaultNamespace().AllNamespaces(o.AllNamespaces).
			FilenameParam(o.explicit, &groups[i]).
			LabelSelectorParam(o.Selector).
			ResourceTypeOrNameArgs(true, args...).
			RequestChunksOf(flux.PageSize).
			ContinueOnError().
			Latest().
			Flatten().
			Do()
		if err := result.Err(); err != nil {
			return nil, nil, o.builderError(ctx, kustomizeError(groups[i], err))
		}
		err := result.Visit(func(info *resource.Info, err error) error {
			if err != nil {
				return err
			}
			if u, ok := info.Object.(*unstructured.Unstructured); ok {
				keep(trace.Slim(u))
			}
			return nil
		})
		for _, e := range flatten(err) {
			errs = append(errs, kustomizeError(groups[i], e))
		}
	}
	if wanted != nil {
		objs, reports = o.pickNamed(mapper, typ, wanted)
	}
	for _, e := range errs {
		var status apierrors.APIStatus
		if errors.As(e, &status) && (apierrors.IsNotFound(e) || apierrors.IsForbidden(e)) {
			ref := output.ObjectRef{Namespace: o.namespace}
			if d := status.Status().Details; d != nil {
				// The API server names the resource ("configmaps"); the report names the
				// kind and its apiVersion, as for every other object.
				ref.Kind, ref.Name = d.Kind, d.Name
				if gvk, err := mapper.KindFor(schema.GroupVersionResource{Group: d.Group, Resource: d.Kind}); err == nil {
					ref.APIVersion, ref.Kind = gvk.GroupVersion().String(), gvk.Kind
				}
			}
			reports = append(reports, trace.NotFoundReport(ref, e))
			continue
		}
		return nil, nil, o.builderError(ctx, e)
	}
	if len(objs) == 0 && len(reports) == 0 {
		return nil, nil, exitcode.New(exitcode.NotFound, "no objects found to trace in %s", o.scope())
	}
	return objs, reports, nil
}

// manyNamesThreshold is where listing a type beats a GET per name: kubectl's default
// rate limit makes 10,000 GETs take most of an hour, and a list of a namespace with a
// few thousand objects costs a handful of paged requests.
const manyNamesThreshold = 50

// manyNames recognises "TYPE NAME NAME …" and "TYPE/NAME TYPE/NAME …" of one type in one
// namespace with more than manyNamesThreshold names, and returns the type and the names
// (mapped to nil until found).
func (o *TraceOptions) manyNames() (string, map[string]*unstructured.Unstructured) {
	if len(o.args) <= manyNamesThreshold || o.AllNamespaces || o.Selector != "" || len(o.Filenames.Filenames) > 0 {
		return "", nil
	}
	names := map[string]*unstructured.Unstructured{}
	typ := ""
	if !strings.Contains(o.args[0], "/") {
		typ = o.args[0]
		for _, n := range o.args[1:] {
			if strings.ContainsAny(n, "/,") {
				return "", nil
			}
			names[n] = nil
		}
	} else {
		for _, a := range o.args {
			t, n, ok := strings.Cut(a, "/")
			if !ok || (typ != "" && t != typ) || strings.Contains(t, ",") {
				return "", nil
			}
			typ, names[n] = t, nil
		}
	}
	if strings.Contains(typ, ",") {
		return "", nil
	}
	return typ, names
}

// pickNamed returns the named objects found by the list, in the order they were
// named, and a NotFound report for each name the list did not hold.
func (o *TraceOptions) pickNamed(mapper meta.RESTMapper, typ string, found map[string]*unstructured.Unstructured) ([]*unstructured.Unstructured, []*trace.Report) {
	var objs []*unstructured.Unstructured
	var reports []*trace.Report
	seen := map[string]bool{}
	for i, a := range o.args {
		name := a
		if _, n, ok := strings.Cut(a, "/"); ok {
			name = n
		} else if i == 0 {
			continue // the TYPE of "TYPE NAME …"
		}
		if seen[name] {
			continue
		}
		seen[name] = true
		if u := found[name]; u != nil {
			objs = append(objs, u)
			continue
		}
		ref := output.ObjectRef{Namespace: o.namespace, Kind: typ, Name: name}
		gr := schema.GroupResource{Resource: typ}
		if gvr, err := mapper.ResourceFor(schema.GroupVersionResource{Resource: typ}); err == nil {
			gr = gvr.GroupResource()
			if gvk, err := mapper.KindFor(gvr); err == nil {
				ref.APIVersion, ref.Kind = gvk.GroupVersion().String(), gvk.Kind
			}
		}
		reports = append(reports, trace.NotFoundReport(ref, apierrors.NewNotFound(gr, name)))
	}
	return objs, reports
}

func (o *TraceOptions) scope() string {
	if o.AllNamespaces {
		return "any namespace"
	}
	return "namespace " + o.namespace
}

// kustomizeError names the folder a kustomize build failed in, on one line: kustomize's
// own message spans several.
func kustomizeError(g resource.FilenameOptions, err error) error {
	var status apierrors.APIStatus
	if err == nil || g.Kustomize == "" || errors.As(err, &status) || cluster.IsUnreachable(err) {
		return err
	}
	return exitcode.New(exitcode.Usage, "-f %s: kustomize build failed: %s", g.Kustomize, strings.Join(strings.Fields(err.Error()), " "))
}

func flatten(err error) []error {
	if err == nil {
		return nil
	}
	var agg utilerrors.Aggregate
	if errors.As(err, &agg) {
		return agg.Errors()
	}
	return []error{err}
}

// builderError classifies the builder's errors with the suite's classifier. An error
// that did not come from the server (no API status, no network failure) is about the
// arguments themselves; a first argument that looks like one of the suite's commands
// ("deps", "dpes") gets a hint, since trace reads it as a resource type.
func (o *TraceOptions) builderError(ctx context.Context, err error) error {
	classified := cluster.Classify(err)
	var status apierrors.APIStatus
	if exitcode.Of(classified) == exitcode.Failure && !errors.As(err, &status) && !cluster.IsUnreachable(err) {
		classified = exitcode.UsageError(err, invocation.Command(ctx, "trace"))
	}
	if exitcode.Of(classified) == exitcode.Usage && len(o.args) > 0 {
		if cmd := command.SuggestCommand(ctx, o.args[0]); cmd != "" {
			return exitcode.New(exitcode.Usage, "%q is not a resource type: did you mean '%s'?", o.args[0], cmd)
		}
	}
	return classified
}

// completeArgs completes TYPE and NAME like kubectl get.
func completeArgs(f cluster.Factory) func(*cobra.Command, []string, string) ([]string, cobra.ShellCompDirective) {
	return func(cmd *cobra.Command, args []string, toComplete string) ([]string, cobra.ShellCompDirective) {
		return command.CompleteTypeAndName(f)(cmd, args, toComplete)
	}
}

// checkFilenames refuses -f paths the builder would hang on or read without bound: a
// FIFO nobody writes, a device such as /dev/zero, a file over yamldoc.MaxFileSize, also
// inside a directory. Standard input ("-") and URLs are the user's own choice.
func checkFilenames(names []string) error {
	for _, name := range names {
		if name == "-" || strings.Contains(name, "://") {
			continue
		}
		fi, err := os.Stat(name)
		if err != nil {
			return exitcode.New(exitcode.Usage, "-f %s: %v", name, err)
		}
		if !fi.IsDir() {
			if err := yamldoc.CheckRegular(fi); err != nil {
				return exitcode.New(exitcode.Usage, "-f %s: %v", name, err)
			}
			continue
		}
		err = filepath.WalkDir(name, func(path string, d fs.DirEntry, err error) error {
			if err != nil || d.IsDir() {
				return err
			}
			switch filepath.Ext(path) {
			case ".json", ".yaml", ".yml":
				fi, err := os.Stat(path)
				if err == nil {
					err = yamldoc.CheckRegular(fi)
				}
				if err != nil {
					return exitcode.New(exitcode.Usage, "-f %s: %v", path, err)
				}
			}
			return nil
		})
		if err != nil {
			return err
		}
	}
	return nil
}
