package output

import "github.com/spf13/cobra"

// AddFlag binds -o/--output to target and completes it with formats.
func AddFlag(cmd *cobra.Command, target *string, usage string, formats ...string) {
	cmd.Flags().StringVarP(target, "output", "o", "", usage)
	_ = cmd.RegisterFlagCompletionFunc("output", func(*cobra.Command, []string, string) ([]string, cobra.ShellCompDirective) {
		return formats, cobra.ShellCompDirectiveNoFileComp
	})
}
