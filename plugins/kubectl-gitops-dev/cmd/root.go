// Package cmd wires the dev plugin's flags to the shared library.
package cmd

import (
	"github.com/spf13/cobra"
	"k8s.io/cli-runtime/pkg/genericiooptions"

	"github.com/kubectl-gitops/kubectl-gitops/shared/command"
	"github.com/kubectl-gitops/kubectl-gitops/shared/exitcode"
)

// New returns the `kubectl gitops dev` command.
func New(streams genericiooptions.IOStreams, version string) *cobra.Command {
	root, f := command.NewRoot(command.Root{
		Name:  "kubectl gitops dev",
		Short: "Pause Flux, try changes live, checkpoint, and hand back to Flux with nothing left behind",
		Long: `The development session of the GitOps workflow guide, recorded in the cluster.

'start' creates the branch dev/<id> from the branch Flux applies, in your clone, and
suspends the Kustomizations you work on (with the reason, your name and the time).
'test' applies manifests to try them live, only objects those Kustomizations apply or
new ones, and records each; 'diff' shows what a manifest changes in the cluster and how
it differs from Git; 'checkpoint' commits on the session branch. 'finish' squashes the
checkpoints into one commit, pushes the branch (never forced) and prints the command
that opens the pull request; then it hands the cluster back: resumes what was paused,
waits until Flux applied the tracked branch again, gives the fields the session wrote
back to Git and deletes what the session created that Git does not declare. 'abort'
hands back without pushing. 'status' lists every open session, for everyone.

The session is a ConfigMap gitops-dev-<id> beside the GitRepository: it survives the
terminal closing; 'status' and 'abort' work from any shell.`,
		Example: `  # Plan a session on what apps applies, from your clone of the fleet: nothing changes
  kubectl gitops dev start "implementing feature X" -k apps -n flux-system --dry-run

  # Every open session, whoever started it
  kubectl gitops dev status`,
		Version:   version,
		ExitCodes: []exitcode.Code{exitcode.Failure, exitcode.Usage, exitcode.NotFound, exitcode.Forbidden, exitcode.Timeout, exitcode.FluxNotInstalled},
	}, streams)
	root.Args = command.NoArgs()
	root.RunE = func(cmd *cobra.Command, args []string) error { return cmd.Help() }
	root.AddCommand(newStartCommand(f, streams), newTestCommand(f, streams, false), newTestCommand(f, streams, true),
		newCheckpointCommand(f, streams), newStatusCommand(f, streams),
		newHandBackCommand(f, streams, "finish"), newHandBackCommand(f, streams, "abort"))
	return root
}
