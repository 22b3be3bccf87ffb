package cmd

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/spf13/cobra"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/meta"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	utilerrors "k8s.io/apimachinery/pkg/util/errors"
	"k8s.io/cli-runtime/pkg/genericiooptions"
	"k8s.io/cli-runtime/pkg/resource"
	"k8s.io/kubectl/pkg/util/completion"

	"github.com/kubectl-gitops/kubectl-gitops/shared/cluster"
	"github.com/kubectl-gitops/kubectl-gitops/shared/command"
	"github.com/kubectl-gitops/kubectl-gitops/shared/exitcode"
	"github.com/kubectl-gitops/kubectl-gitops/shared/output"
	"github.com/kubectl-gitops/kubectl-gitops/shared/trace"
)

// TraceOptions are the flags and state of one `kubectl gitops trace` run.
type TraceOptions struct {
	factory *cluster.Factory
	streams genericiooptions.IOStreams

	Output        string
	GitDir        string
	Selector      string
	AllNamespaces bool
	Filenames     resource.FilenameOptions

	args      []string
	namespace string
	explicit  bool
}

// NewTraceOptions returns options with defaults.
func NewTraceOptions(f *cluster.Factory, streams genericiooptions.IOStreams) *TraceOptions {
	return &TraceOptions{factory: f, streams: streams}
}

// AddFlags binds the options to the command's flags.
func (o *TraceOptions) AddFlags(cmd *cobra.Command) {
	output.AddFlag(cmd, &o.Output, "Output format: json or yaml (one document per traced object). Default: a table per object.", "json", "yaml")
	cmd.Flags().StringVar(&o.GitDir, "git-dir", "", "Path to a local clone of the source repository: also print the file and line defining the object at the applied commit.")
	cmd.Flags().StringVarP(&o.Selector, "selector", "l", "", "Label selector to trace every matching object (e.g. -l app=api).")
	cmd.Flags().BoolVarP(&o.AllNamespaces, "all-namespaces", "A", false, "Trace matching objects in every namespace.")
	cmd.Flags().StringSliceVarP(&o.Filenames.Filenames, "filename", "f", nil, "Files naming the objects to trace (the live objects are read).")
	cmd.Flags().BoolVarP(&o.Filenames.Recursive, "recursive", "R", false, "Process the directory used in -f recursively.")
}

// Complete reads the namespace and arguments.
func (o *TraceOptions) Complete(cmd *cobra.Command, args []string) error {
	o.args = args
	var err error
	o.namespace, o.explicit, err = o.factory.Namespace()
	return err
}

// Validate rejects flag combinations that cannot work, before any request is made.
func (o *TraceOptions) Validate() error {
	if err := output.Check(o.Output, "json", "yaml"); err != nil {
		return err
	}
	if len(o.args) == 0 && len(o.Filenames.Filenames) == 0 {
		return exitcode.New(exitcode.Usage, "name what to trace: TYPE/NAME, TYPE NAME, TYPE -l SELECTOR or -f FILE\nSee 'kubectl gitops trace --help' for usage.")
	}
	return nil
}

// Run reads the objects, traces each one and prints the reports. The exit code is
// the most serious result among them.
func (o *TraceOptions) Run(ctx context.Context) error {
	client, err := o.factory.Client()
	if err != nil {
		return err
	}
	objs, reports, err := o.readObjects()
	if err != nil {
		return err
	}
	tracer := trace.NewTracer(client.Dynamic, client.Mapper)
	if len(objs) > 1 {
		// Bulk: one paged list of Kustomizations instead of a GET per object.
		if err := tracer.IndexKustomizations(ctx); err != nil && !errors.Is(err, context.Canceled) {
			return err
		}
	}
	for _, obj := range objs {
		r := tracer.Trace(ctx, obj)
		if o.GitDir != "" {
			r.LocateInGit(ctx, o.GitDir)
		}
		reports = append(reports, r)
	}
	if err := o.print(reports); err != nil {
		return err
	}
	trace.WriteErrors(o.streams.ErrOut, reports)
	codes := make([]exitcode.Code, 0, len(reports))
	for _, r := range reports {
		codes = append(codes, r.ExitCode())
	}
	return command.Silent(exitcode.Worst(codes...))
}

// readObjects resolves the arguments through cli-runtime's builder, like kubectl get.
// Objects that do not exist become NotFound reports; an unknown type is a usage error.
func (o *TraceOptions) readObjects() ([]*unstructured.Unstructured, []*trace.Report, error) {
	result := o.factory.Builder().
		Unstructured().
		NamespaceParam(o.namespace).DefaultNamespace().AllNamespaces(o.AllNamespaces).
		FilenameParam(o.explicit, &o.Filenames).
		LabelSelectorParam(o.Selector).
		ResourceTypeOrNameArgs(true, o.args...).
		ContinueOnError().
		Latest().
		Flatten().
		Do()
	if err := result.Err(); err != nil {
		return nil, nil, builderError(err)
	}
	var objs []*unstructured.Unstructured
	var reports []*trace.Report
	err := result.Visit(func(info *resource.Info, err error) error {
		if err != nil {
			return err
		}
		if u, ok := info.Object.(*unstructured.Unstructured); ok {
			objs = append(objs, u)
		}
		return nil
	})
	for _, e := range flatten(err) {
		var status apierrors.APIStatus
		if errors.As(e, &status) && (apierrors.IsNotFound(e) || apierrors.IsForbidden(e)) {
			ref := trace.ObjectRef{Namespace: o.namespace}
			if d := status.Status().Details; d != nil {
				ref.Kind, ref.Name = d.Kind, d.Name
			}
			reports = append(reports, trace.NotFoundReport(ref, e))
			continue
		}
		return nil, nil, builderError(e)
	}
	if len(objs) == 0 && len(reports) == 0 {
		return nil, nil, exitcode.New(exitcode.NotFound, "no objects found to trace in %s", o.scope())
	}
	return objs, reports, nil
}

func (o *TraceOptions) scope() string {
	if o.AllNamespaces {
		return "any namespace"
	}
	return "namespace " + o.namespace
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

// builderError turns the builder's errors into one clear line with an exit code. An
// error that did not come from the server (no API status, no network failure) is about
// the arguments themselves.
func builderError(err error) error {
	if meta.IsNoMatchError(err) || isUnknownType(err) {
		return exitcode.New(exitcode.Usage, "%v: list the known types with 'kubectl api-resources'", err)
	}
	classified := cluster.Classify(err)
	var status apierrors.APIStatus
	if exitcode.Of(classified) == exitcode.Failure && !errors.As(err, &status) && !cluster.IsUnreachable(err) {
		return exitcode.Wrap(exitcode.Usage, fmt.Errorf("%w\nSee 'kubectl gitops trace --help' for usage.", err))
	}
	return classified
}

func isUnknownType(err error) bool {
	return strings.Contains(err.Error(), "doesn't have a resource type")
}

func (o *TraceOptions) print(reports []*trace.Report) error {
	switch o.Output {
	case "json":
		if len(reports) == 1 {
			return output.JSON(o.streams.Out, reports[0])
		}
		for _, r := range reports {
			if err := output.JSON(o.streams.Out, r); err != nil {
				return err
			}
		}
		return nil
	case "yaml":
		for _, r := range reports {
			if err := output.YAML(o.streams.Out, r); err != nil {
				return err
			}
		}
		return nil
	}
	return trace.WriteHuman(o.streams.Out, reports, output.Color(o.streams.Out), time.Now())
}

// completeArgs completes TYPE and NAME like kubectl get.
func (o *TraceOptions) completeArgs(cmd *cobra.Command, args []string, toComplete string) ([]string, cobra.ShellCompDirective) {
	return completion.ResourceTypeAndNameCompletionFunc(o.factory.Kubectl())(cmd, args, toComplete)
}
