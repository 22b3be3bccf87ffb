package output

import (
	"fmt"
	"slices"
	"strings"

	"github.com/spf13/cobra"
)

// FormatText names the human view for -o. As kubectl's, the human view is the default
// and needs no -o at all; "text" is its one name in every command's help.
const FormatText = "text"

// humanAliases are the names the human view had in some commands before it had one
// name (trace's "table", deps' "tree"): still accepted, so that scripts keep working,
// but never shown.
func humanAliases() []string { return []string{"table", "tree"} }

// Format is the -o flag of a command: the human view by default ("" or text), json and
// yaml for every command, and any extra formats a command adds (deps draws dot and
// mermaid).
type Format struct {
	Value string
	extra []string
}

// AddFlag binds -o/--output to f and completes it; extra are the command's own
// formats beside text, json and yaml.
func (f *Format) AddFlag(cmd *cobra.Command, extra ...string) {
	f.extra = extra
	usage := fmt.Sprintf("Output format: %s. Default: %s, the human view. json and yaml print versioned documents (apiVersion %s).",
		strings.Join(f.names(), ", "), FormatText, APIVersion)
	cmd.Flags().StringVarP(&f.Value, "output", "o", "", usage)
	_ = cmd.RegisterFlagCompletionFunc("output", func(*cobra.Command, []string, string) ([]string, cobra.ShellCompDirective) {
		return f.names(), cobra.ShellCompDirectiveNoFileComp
	})
}

func (f *Format) names() []string {
	return append([]string{FormatText, FormatJSON, FormatYAML}, f.extra...)
}

// Validate rejects an unknown format. Naming the human view, by its name or an old
// alias, is the same as omitting it: Value is then "".
func (f *Format) Validate() error {
	if f.Value == FormatText || slices.Contains(humanAliases(), f.Value) {
		f.Value = ""
		return nil
	}
	return Check(f.Value, f.names()...)
}

// Document reports whether a versioned document (json or yaml) is asked for.
func (f *Format) Document() bool { return f.Value == FormatJSON || f.Value == FormatYAML }
