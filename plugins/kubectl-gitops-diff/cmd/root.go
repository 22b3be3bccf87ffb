// Package cmd wires the diff plugin's flags to the shared library.
package cmd

import (
	"context"
	"os"
	"strings"

	"github.com/spf13/cobra"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/cli-runtime/pkg/genericiooptions"
	"k8s.io/client-go/kubernetes"

	"github.com/kubectl-gitops/kubectl-gitops/shared/cluster"
	"github.com/kubectl-gitops/kubectl-gitops/shared/command"
	"github.com/kubectl-gitops/kubectl-gitops/shared/diff"
	"github.com/kubectl-gitops/kubectl-gitops/shared/exitcode"
	"github.com/kubectl-gitops/kubectl-gitops/shared/flux"
	"github.com/kubectl-gitops/kubectl-gitops/shared/invocation"
	"github.com/kubectl-gitops/kubectl-gitops/shared/output"
	"github.com/kubectl-gitops/kubectl-gitops/shared/trace"
)

const example = `  # What will Flux change when apps applies the commit its source holds now?
  # (that commit is fetched from the GitRepository's URL with your git)
  kubectl gitops diff apps -n flux-system

  # The same from a clone you have (no fetch)
  kubectl gitops diff apps -n flux-system --git-dir .

  # What drifted since apps last applied (kubectl edit, a hotfix by hand)?
  kubectl gitops diff apps -n flux-system --git-dir . --revision applied

  # A working copy, as it is, for a script
  kubectl gitops diff apps -n flux-system --dir . -o json

  # Every Kustomization of the cluster the clone's commits hold (others are skipped, with why)
  kubectl gitops diff -A --git-dir .

  # A HelmRelease: what its next upgrade changes, and what drifted from the release installed
  kubectl gitops diff hr/web -n shop`

// New returns the `kubectl gitops diff` command.
func New(streams genericiooptions.IOStreams, version string) *cobra.Command {
	root, f := command.NewRoot(command.Root{
		Name:  "kubectl gitops diff",
		Use:   "([kustomization/]NAME... | helmrelease/NAME... | -l SELECTOR | -A) [--git-dir CLONE | --dir PATH]",
		Short: "Show what Flux will change, what drifted: Kustomizations' next apply, HelmReleases' next upgrade, dry-run",
		Long: `Show what Flux will change and what drifted, before you resume, pin, revert or switch.

Renders each Kustomization as kustomize-controller v1.9.5 does (its generated
kustomization.yaml, targetNamespace, patches, components, images, postBuild with
substituteFrom read from the cluster) and compares the result with the live objects as
the controller compares them: a server-side dry-run apply as kustomize-controller, with
its owner labels, selectors, spec.force and spec.ignore, and the metadata cleanup it
does first (kubectl's last-applied annotation removed, fields set with kubectl taken
over, so that those Git does not declare go; not under ssa: Merge). Each object is
created, changed (with a unified diff of the live YAML against the dry run's),
recreated, skipped (and why) or failing (the apply would fail on it); objects of the
inventory no longer rendered are pruned when spec.prune is set (skipped when annotated
prune: disabled). Unchanged objects are counted. Nothing is changed in the cluster.

Several Kustomizations are compared at once, named or selected with -l and -A as
kubectl selects: one the files given cannot compare is listed as skipped, with why (it
reads a source of another kind, or a repository no remote of --git-dir points at; the
clone lacks its commit), and the others are compared.
--dir is the content of one source: that of the first Kustomization compared (in the
order named, or listed by namespace and name); those reading another are skipped.
Skipped ones do not change the exit code; when none could be compared, the reason is
the error.

Each changed field is drift (the cluster changed it: the revision applied last renders
what the apply sets) or pending (Git changed it since), unknown with --dir; a drifted
field names its writer from managedFields (kubectl-edit (Update) and when). A conflict
is a field another field manager owns that the apply takes over; spec.ignore (its JSON
pointer is printed) or the ssa: IfNotPresent annotation leaves it to that manager.

The revision compared is the one the Kustomization's source holds now (what Flux
applies next, even while suspended); --revision applied is the one it applied last
(so only drift shows), --revision SHA any commit. The files come from --git-dir, a
clone holding the commit (read from Git objects, never from the working tree), or
--dir, a folder with the source's content as it is. With neither, the commit (and the
one applied last) is fetched from the GitRepository's URL with your own git and
credentials, never the cluster's: shallow, into a temporary folder removed afterwards,
stopped after 2 minutes or 1 GiB. An OCIRepository, Bucket or ExternalArtifact cannot
be fetched this way: give its content with --dir.

A Kustomization applying to another cluster (spec.kubeConfig) is rendered with its own
cluster's substituteFrom and compared in the cluster its kubeConfig points at, opened
with your credentials: the context of your kubeconfig with that server, or
--remote-context; --use-kubeconfig-secret opens it with the Secret's kubeconfig (what
kustomize-controller uses). With neither found, it is skipped, with what to pass.


A HelmRelease (helmrelease/NAME or hr/NAME, in -n) is compared as helm-controller
v1.6.4 (Helm v4.2.4) would upgrade it. Its deployed release is read from Helm's
storage (the Secret sh.helm.release.v1.RELEASE.vN in its storage namespace); its chart
is rendered as 'helm template' renders, with the cluster's capabilities and its values
(spec.values over the valuesFrom ConfigMaps and Secrets read from the cluster): the
chart of a GitRepository at the commit the source holds (fetched as above, or read
from the clone or the folder given), or of a HelmRepository at the version its
HelmChart resolved (fetched with Helm's getters, HTTP or OCI, with your own registry
credentials). Each object is dry-run under the field manager helm-controller: a field
is drift (the live object differs from the deployed release) or pending (the chart or
values changed it); objects of the release no longer rendered are removed (kept with
helm.sh/resource-policy: keep). --revision applied compares the deployed release
alone: helm-controller's drift detection. A chart that cannot be fetched (or comes
through spec.chartRef, not supported yet) skips the HelmRelease, with why.

--history N..M compares two releases of a HelmRelease's Helm history instead (the
versions 'rollback history helmrelease/NAME' lists), read from Helm's storage: the
objects each manifest holds (created, removed, changed with a unified diff) and the
values each was installed with; the cluster's objects are not read. A storage Secret
you may not read is exit 5, naming it.

A Secret's values are never shown, nor any value of a substituteFrom or valuesFrom
Secret: only the names of the keys that change.

With KUBECTL_EXTERNAL_DIFF set, as for 'kubectl diff', the text view names the
objects without their diffs and the program is run on two temporary folders, LIVE-…
and MERGED-…, holding the YAML of each object that differs (Secrets masked), then
removed; its output is passed through.

Like 'kubectl diff', the exit code says whether anything differs: 0 when nothing
would change, 7 when something would (kubectl diff's 1 is this suite's error code).` + offlineLong,
		Example:   example + offlineExample,
		Version:   version,
		ExitCodes: []exitcode.Code{exitcode.Failure, exitcode.Usage, exitcode.NotFound, exitcode.Forbidden, exitcode.ProblemFound, exitcode.FluxNotInstalled},
	}, streams)
	o := &Options{streams: streams, Selection: command.Selection{Kind: flux.KindKustomization}}
	o.Selection.AddFlags(root)
	o.Output.AddFlag(root, diff.FormatMarkdown, diff.FormatGitHub, diff.FormatSARIF)
	o.offline.addFlags(root)
	root.Flags().StringVar(&o.GitDir, "git-dir", "", "A clone of the Git source (a Kustomization's, or a HelmRelease's chart's): the commit compared is read from it.")
	root.Flags().StringVar(&o.Dir, "dir", "", "A folder holding the source's root (a working copy): compared as it is.")
	root.Flags().StringVar(&o.Revision, "revision", "", "The revision to compare: 'applied' (status.lastAppliedRevision; a HelmRelease's deployed release) or a commit SHA; default: the one the source holds now.")
	o.Remote.AddFlags(root, "where its objects are compared")
	root.Flags().StringVar(&o.History, "history", "", "For HelmReleases: compare two releases of the Helm history, N..M (the versions 'rollback history helmrelease/NAME' lists): manifests and values, read from Helm's storage; the cluster's objects are not read.")
	root.Args = command.ArbitraryArgs()
	root.ValidArgsFunction = command.CompleteNames(f, flux.KindKustomization)
	command.Bind(root, f, offlineOr{o})
	return root
}

// Options are the flags of `kubectl gitops diff`.
type Options struct {
	command.Selection
	streams genericiooptions.IOStreams
	printer output.Printer
	// name is the suite as the user typed it, for the examples in errors.
	name invocation.Name

	Output output.Format
	// HelmReleases are the names given as helmrelease/NAME (hr/NAME), in --namespace.
	HelmReleases []string
	GitDir       string
	Dir          string
	Revision     string
	Remote       command.RemoteFlags
	// History is --history N..M, and history its parsed range.
	History string
	history *diff.HistoryRange

	// kubeconfig opens the clusters Kustomizations with spec.kubeConfig apply to.
	kubeconfig cluster.Factory
	gitDirSet  bool
	dirSet     bool

	// offline is the comparison of a repository at two revisions (offline.go).
	offline offlineFlags
}

// Complete reads the names (NAME or kustomization/NAME, helmrelease/NAME), the
// namespace and the cluster.
func (o *Options) Complete(f cluster.Factory, cmd *cobra.Command, args []string) error {
	o.name = command.Invocation(cmd)
	o.kubeconfig = f
	o.gitDirSet, o.dirSet = cmd.Flags().Changed("git-dir"), cmd.Flags().Changed("dir")
	var names []string
	for _, a := range args {
		name := a
		if k, n, ok := strings.Cut(a, "/"); ok {
			switch strings.ToLower(k) {
			case "kustomization", "kustomizations", "ks":
			case "helmrelease", "helmreleases", "hr":
				if n == "" {
					return exitcode.New(exitcode.Usage, "%q: the HelmRelease name is empty: name one, e.g. '%s'", a, o.name.Command("diff hr/web -n shop"))
				}
				o.HelmReleases = append(o.HelmReleases, n)
				continue
			default:
				return exitcode.New(exitcode.Usage, "%q: diff compares Kustomizations (NAME or kustomization/NAME) and HelmReleases (helmrelease/NAME)", a)
			}
			name = n
		}
		names = append(names, name)
	}
	return o.Selection.Complete(f, names)
}

// Validate checks the names, where the files come from and the revision.
func (o *Options) Validate() error {
	switch {
	case len(o.HelmReleases) > 0 && (o.Selector != "" || o.AllNamespaces):
		return exitcode.New(exitcode.Usage, "name HelmReleases or select Kustomizations with -l/-A, not both")
	case len(o.HelmReleases) > 0 && len(o.Names) == 0:
	default:
		if err := o.Selection.Validate(o.name.Command("diff apps -n flux-system --git-dir .")); err != nil {
			return err
		}
	}
	if err := o.Remote.Validate(); err != nil {
		return err
	}
	if o.History != "" {
		if len(o.HelmReleases) == 0 || len(o.Names) > 0 || o.Selector != "" || o.AllNamespaces {
			return exitcode.New(exitcode.Usage, "--history compares releases of HelmReleases: name them as helmrelease/NAME, without Kustomizations")
		}
		if o.Revision != "" || o.gitDirSet || o.dirSet {
			return exitcode.New(exitcode.Usage, "--history reads both releases from Helm's storage: --revision, --git-dir and --dir do not apply")
		}
		r, err := diff.ParseHistoryRange(o.History)
		if err != nil {
			return err
		}
		o.history = &r
	}
	switch {
	case o.gitDirSet && o.dirSet:
		return exitcode.New(exitcode.Usage, "--git-dir and --dir cannot be used together: a clone (the commit is read from it) or a folder (as it is)")
	case o.gitDirSet && o.GitDir == "", o.dirSet && o.Dir == "":
		return exitcode.New(exitcode.Usage, "--git-dir and --dir need a path")
	case o.dirSet && o.Revision != "":
		return exitcode.New(exitcode.Usage, "--revision picks a commit of --git-dir: --dir is compared as it is")
	case !diff.ValidRevision(o.Revision):
		return exitcode.New(exitcode.Usage, "--revision %q: give 'applied' or a commit SHA (7 to 64 lowercase hex digits)", o.Revision)
	}
	if o.dirSet {
		if fi, err := os.Stat(o.Dir); err != nil || !fi.IsDir() {
			return exitcode.New(exitcode.Usage, "--dir %s is not a folder: give the path of the source's content", o.Dir)
		}
	}
	var err error
	o.printer, err = o.Output.ToPrinter(o.streams.ErrOut)
	return err
}

// Run compares each Kustomization and prints the Diff document.
func (o *Options) Run(ctx context.Context) error {
	if o.gitDirSet {
		if err := trace.CheckGitDir(ctx, o.GitDir); err != nil {
			return err
		}
	}
	cl, err := o.Cluster.Client()
	if err != nil {
		return err
	}
	c, err := diff.NewClient(cl.Config, cl.Mapper)
	if err != nil {
		return cluster.Classify(err)
	}
	var targets []diff.Target
	if len(o.Names) > 0 || len(o.HelmReleases) == 0 {
		ks, err := o.Resolve(ctx, cl.Dynamic)
		if err != nil {
			return err
		}
		for _, k := range ks {
			targets = append(targets, diff.Target{Kind: flux.KindKustomization, NamespacedName: k})
		}
	}
	for _, n := range o.HelmReleases {
		targets = append(targets, diff.Target{Kind: flux.KindHelmRelease, NamespacedName: types.NamespacedName{Namespace: o.Namespace, Name: n}})
	}
	kube, err := kubernetes.NewForConfig(cl.Config)
	if err != nil {
		return cluster.Classify(err)
	}
	clients := diff.Clients{Dynamic: cl.Dynamic, Client: c, Kube: kube, Discovery: cl.Discovery}
	var missing error
	doc, err := diff.Many(ctx, clients, targets, diff.Options{GitDir: o.GitDir, Dir: o.Dir, Revision: o.Revision, History: o.history, Remote: o.Remote.Opener(o.kubeconfig)}, func(err error) {
		// One missing name among several is reported, the others are compared.
		(&output.Writer{W: o.streams.ErrOut}).Printf("error: %s\n", err.Error())
		missing = err
	})
	if err != nil {
		return err
	}
	code := exitcode.Of(missing)
	for _, k := range doc.Kustomizations {
		if k.Error != "" {
			code = exitcode.Worst(code, exitcode.Failure)
		}
	}
	for _, h := range doc.HelmReleases {
		if h.Error != "" {
			code = exitcode.Worst(code, exitcode.Failure)
		}
	}
	// Like kubectl diff, KUBECTL_EXTERNAL_DIFF shows the objects' YAML in a program of
	// the user's: the text view then names them without the inline diffs.
	external := os.Getenv(diff.ExternalDiffEnv) != "" && !o.Output.Document()
	shown := doc
	if external {
		shown = doc.WithoutInlineDiffs()
	}
	if err := o.printer.Print(o.streams.Out, shown); err != nil {
		return err
	}
	if external {
		if err := doc.RunExternal(o.streams); err != nil {
			return err
		}
	}
	if code == exitcode.OK && doc.Differs() {
		code = exitcode.ProblemFound
	}
	return command.Silent(code)
}
