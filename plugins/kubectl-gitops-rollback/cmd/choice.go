package cmd

import (
	"strings"

	"github.com/spf13/cobra"

	"github.com/kubectl-gitops/kubectl-gitops/shared/exitcode"
	"github.com/kubectl-gitops/kubectl-gitops/shared/flux"
	"github.com/kubectl-gitops/kubectl-gitops/shared/history"
)

// addChoiceFlags adds --to, --steps and --to-last-good: how pin and revert name the
// revision to go back to.
func addChoiceFlags(cmd *cobra.Command, c *history.Choice) {
	cmd.Flags().StringVar(&c.To, "to", "", "The commit to go back to (a SHA or its prefix, from 'rollback history').")
	cmd.Flags().IntVar(&c.Steps, "steps", 0, "Go back this many commits from the one Flux tried last (never forward past it).")
	cmd.Flags().BoolVar(&c.LastGood, "to-last-good", false, "Go back to the newest commit, older than the one Flux tried last, that applied successfully: the running one when the newest never applied.")
}

// validateChoice wants exactly one of the three.
func validateChoice(c history.Choice, example string) error {
	n := 0
	for _, set := range []bool{c.To != "", c.Steps != 0, c.LastGood} {
		if set {
			n++
		}
	}
	switch {
	case n == 0:
		return exitcode.New(exitcode.Usage, "say where to go back to with --to SHA, --steps N or --to-last-good, e.g. '%s'", example)
	case n > 1:
		return exitcode.New(exitcode.Usage, "--to, --steps and --to-last-good name the target in different ways: give one")
	case c.Steps < 0:
		return exitcode.New(exitcode.Usage, "--steps must be positive, e.g. --steps 1")
	}
	return nil
}

// kustomizationArg reads NAME or kustomization/NAME. A HelmRelease is refused with
// helmReason: why the command works on the Kustomization that applies it instead.
func kustomizationArg(arg, helmReason string) (string, error) {
	kind, name, ok := strings.Cut(arg, "/")
	if !ok {
		return arg, nil
	}
	switch strings.ToLower(kind) {
	case "kustomization", "kustomizations", "ks":
		return name, nil
	}
	if isHelmRelease(kind) {
		return "", exitcode.New(exitcode.Usage, "%s", helmReason)
	}
	return "", exitcode.New(exitcode.Usage, "%q is not a %s: name a Kustomization (NAME or kustomization/NAME)", arg, flux.KindKustomization)
}
