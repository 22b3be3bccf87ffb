package cmd

import (
	"context"
	"maps"
	"os"
	"slices"

	"github.com/spf13/cobra"

	"github.com/kubectl-gitops/kubectl-gitops/shared/cluster"
	"github.com/kubectl-gitops/kubectl-gitops/shared/command"
	"github.com/kubectl-gitops/kubectl-gitops/shared/deps/dir"
	"github.com/kubectl-gitops/kubectl-gitops/shared/diff"
	"github.com/kubectl-gitops/kubectl-gitops/shared/exitcode"
)

const offlineExample = `

  # Offline, no cluster read: what the working tree changes in every cluster of the
  # repository (objects, dependsOn, new dependency problems); in CI, --base origin/main
  kubectl gitops diff --dir . --base HEAD

  # One cluster's changes as a pull request comment
  kubectl gitops diff --dir . --base HEAD --path clusters/demo -o markdown`

// offlineFlags are the flags of the offline comparison (a pull request's diff).
type offlineFlags struct {
	Base    string
	BaseDir string
	Path    string
	// Sources are --source KIND/NAMESPACE/NAME=DIR, as deps --dir takes them.
	Sources []string
	sources map[string]string
	set     bool
}

func (f *offlineFlags) addFlags(cmd *cobra.Command) {
	cmd.Flags().StringVar(&f.Base, "base", "", "Offline: compare --dir (as it is) with this commit of its repository (a branch, tag or SHA), every cluster rendered from its sync path; no cluster is read.")
	cmd.Flags().StringVar(&f.BaseDir, "base-dir", "", "Offline: compare --dir with this folder (the base) instead of a commit.")
	cmd.Flags().StringVar(&f.Path, "path", "", "Offline: only the cluster of this sync path (clusters/production).")
	cmd.Flags().StringArrayVar(&f.Sources, "source", nil, "Offline: render the Kustomizations reading another source from a local checkout, the same at both sides: KIND/NAMESPACE/NAME=DIR (repeatable).")
}

// complete notes whether the offline comparison is asked for and reads --source.
func (f *offlineFlags) complete(cmd *cobra.Command) error {
	f.set = cmd.Flags().Changed("base") || cmd.Flags().Changed("base-dir") || cmd.Flags().Changed("path") || cmd.Flags().Changed("source")
	var err error
	f.sources, err = dir.ParseSources(f.Sources)
	return err
}

// offlineOr runs the offline comparison when its flags are given, the live diff
// otherwise: one dispatch, so that the live diff's Complete, Validate and Run stay as
// they are.
type offlineOr struct{ *Options }

func (d offlineOr) Complete(f cluster.Factory, cmd *cobra.Command, args []string) error {
	if err := d.offline.complete(cmd); err != nil {
		return err
	}
	return d.Options.Complete(f, cmd, args)
}

func (d offlineOr) Validate() error {
	if d.offline.set {
		return d.validateOffline()
	}
	if err := liveFormat(d.Output.Value); err != nil {
		return err
	}
	return d.Options.Validate()
}

func (d offlineOr) Run(ctx context.Context) error {
	if d.offline.set {
		return d.runOffline(ctx)
	}
	return d.Options.Run(ctx)
}

// validateOffline checks the offline comparison's flags: it reads folders only, so
// the live diff's selection, clone and revision have no place in it.
func (o *Options) validateOffline() error {
	f := o.offline
	switch {
	case o.Dir == "":
		return exitcode.New(exitcode.Usage, "--base, --base-dir, --path and --source compare a repository offline: give its folder with --dir, e.g. '%s'", o.name.Command("diff --dir . --base main"))
	case f.Base != "" && f.BaseDir != "":
		return exitcode.New(exitcode.Usage, "--base and --base-dir cannot be used together: a commit of --dir's repository or another folder")
	case f.Base == "" && f.BaseDir == "":
		return exitcode.New(exitcode.Usage, "--path and --source are for the offline comparison: give the base with --base REF or --base-dir DIR")
	case len(o.Names) > 0 || o.Selector != "" || o.AllNamespaces:
		return exitcode.New(exitcode.Usage, "--base and --base-dir compare every cluster of --dir: no names, -l or -A (--path picks one cluster)")
	case o.gitDirSet || o.Revision != "":
		return exitcode.New(exitcode.Usage, "--git-dir and --revision pick what the live diff compares: with --base, --dir is the head and --base the commit")
	case o.Remote.Context != "" || o.Remote.UseSecret:
		return exitcode.New(exitcode.Usage, "--remote-context and --use-kubeconfig-secret open clusters: --base compares offline")
	}
	for _, ref := range slices.Sorted(maps.Keys(f.sources)) {
		if checkout := f.sources[ref]; !isDir(checkout) {
			return exitcode.New(exitcode.Usage, "--source %s: %s is not a folder", ref, checkout)
		}
	}
	for flag, path := range map[string]string{"--dir": o.Dir, "--base-dir": f.BaseDir} {
		if path == "" {
			continue
		}
		if !isDir(path) {
			return exitcode.New(exitcode.Usage, "%s %s is not a folder", flag, path)
		}
	}
	var err error
	o.printer, err = o.Output.ToPrinter(o.streams.ErrOut)
	return err
}

func isDir(path string) bool {
	fi, err := os.Stat(path)
	return err == nil && fi.IsDir()
}

// runOffline compares the repository's clusters and prints the Diff document; the exit
// code is the live diff's: 7 when anything changed.
func (o *Options) runOffline(ctx context.Context) error {
	doc, err := diff.Offline(ctx, diff.OfflineOptions{Dir: o.Dir, Base: o.offline.Base, BaseDir: o.offline.BaseDir, Path: o.offline.Path, Sources: o.offline.sources})
	if err != nil {
		return err
	}
	if err := o.printer.Print(o.streams.Out, doc); err != nil {
		return err
	}
	switch {
	case doc.HeadFailed():
		// As the live diff on a Kustomization it cannot build: the error is in the view.
		return command.Silent(exitcode.Failure)
	case doc.ClustersDiffer():
		return command.Silent(exitcode.ProblemFound)
	}
	return nil
}

const offlineLong = `

Offline, with --base REF (or --base-dir DIR), no cluster is read: every cluster of the
repository at --dir (each sync path flux bootstrap writes, or a FluxInstance syncs;
--path picks one) is rendered twice as 'kubectl gitops deps --dir' renders it, at the
commit REF (read from Git objects with git archive, never checked out) and in --dir as
it is, and compared: per cluster and per Kustomization, the objects added, removed and
changed (with unified diffs; a Secret's values are never shown, only the keys that
change), the dependsOn edges added and removed, and the dependency problems (cycles,
missing dependencies, deadlocks, files that do not build) the head has and the base
had not. What did not change is counted, not listed. Each HelmRelease's chart is
rendered at both sides (a chart of this repository, or fetched from a HelmRepository
once per run; values from spec.values and the valuesFrom ConfigMaps and Secrets the
side renders) and the objects it installs compared under it; one that cannot be
rendered is listed as not rendered, with why. A Kustomization reading another source
(a tenant's OCIRepository) is listed as not rendered too, unless --source maps that
source to a local checkout: it is then rendered from it at both sides, and what this
repository changes in it (path, substitutions, patches) shows. -o markdown writes a pull request comment
(summary tables, then the diffs folded per Kustomization, cut at 60,000 characters);
-o github writes GitHub Actions annotations (an error per new problem, a notice per
changed Kustomization); -o sarif a SARIF 2.1.0 log of the new problems, for code
scanning. The exit code is 7 when anything changed, 0 when nothing did,
1 when a Kustomization cannot be built at the head.`

// liveFormat rejects the offline comparison's own formats for the live diff.
func liveFormat(format string) error {
	if format == diff.FormatMarkdown || format == diff.FormatGitHub || format == diff.FormatSARIF {
		return exitcode.New(exitcode.Usage, "-o %s is the offline comparison's (a pull request's diff): give --dir and --base REF", format)
	}
	return nil
}
