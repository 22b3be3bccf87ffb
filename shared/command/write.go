package command

import (
	"time"

	"github.com/spf13/cobra"
	"k8s.io/cli-runtime/pkg/genericiooptions"

	"github.com/kubectl-gitops/kubectl-gitops/shared/exitcode"
	"github.com/kubectl-gitops/kubectl-gitops/shared/write"
)

// Write is the flags every writer of the suite takes, spelled and checked one way:
// --dry-run, --yes, and, for those that wait for Flux, --wait and --timeout.
type Write struct {
	DryRun  bool
	Yes     bool
	Wait    bool
	Timeout time.Duration
}

// AddFlags adds --dry-run and --yes, and --wait and --timeout when waitFor (what the
// command waits for, for the help text) is set.
func (w *Write) AddFlags(cmd *cobra.Command, dryRun, waitFor string) {
	cmd.Flags().BoolVar(&w.DryRun, "dry-run", false, dryRun)
	cmd.Flags().BoolVar(&w.Yes, "yes", false, "Do not ask for confirmation (needed without a terminal).")
	w.Timeout = time.Minute
	if waitFor != "" {
		cmd.Flags().BoolVar(&w.Wait, "wait", true, "Wait until "+waitFor+".")
		cmd.Flags().DurationVar(&w.Timeout, "timeout", 5*time.Minute, "How long to wait for Flux.")
	}
}

// Hooks are the writer's hooks these flags ask for: a dry run, the confirmation (none
// with --yes; without a terminal to ask on, a refusal), progress lines on a terminal,
// who writes, and the wall clock.
func (w *Write) Hooks(streams genericiooptions.IOStreams, user string) write.Hooks {
	return write.Hooks{User: user, DryRun: w.DryRun, Confirm: Confirm(streams, w.Yes), Progress: Progress(streams), Now: time.Now}
}

// Validate refuses a timeout that is not positive.
func (w *Write) Validate() error {
	if w.Timeout <= 0 {
		return exitcode.New(exitcode.Usage, "--timeout must be positive, e.g. --timeout 5m")
	}
	return nil
}

// ServerDryRun is the --dry-run help of a writer whose change the API server validates.
const ServerDryRun = "Print the change, validated by a server-side dry run; change nothing."

// AddPreviewFlag adds --preview (on by default) to a command that lets Flux apply a new
// revision, or shows what would (resume, branch set, rollback pin and revert, dev diff):
// one flag, one help, wherever the suite previews.
func AddPreviewFlag(cmd *cobra.Command, preview *bool) {
	cmd.Flags().BoolVar(preview, "preview", true, "Say what each Kustomization's apply will change, before asking: the commit read with your git and dry-run as 'diff' does (nothing written). --preview=false skips it.")
}
