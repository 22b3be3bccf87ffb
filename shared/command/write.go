package command

import (
	"time"

	"github.com/spf13/cobra"

	"github.com/kubectl-gitops/kubectl-gitops/shared/exitcode"
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

// Validate refuses a timeout that is not positive.
func (w *Write) Validate() error {
	if w.Timeout <= 0 {
		return exitcode.New(exitcode.Usage, "--timeout must be positive, e.g. --timeout 5m")
	}
	return nil
}

// ServerDryRun is the --dry-run help of a writer whose change the API server validates.
const ServerDryRun = "Print the change, validated by a server-side dry run; change nothing."
