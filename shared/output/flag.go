package output

import (
	"fmt"
	"strings"

	"github.com/spf13/cobra"
)

// Format is the -o flag of a command: "" for the human view, json and yaml for every
// command, and any extra formats a command adds (deps draws dot and mermaid).
type Format struct {
	Value string
	// human names the default view in help and errors ("table", "tree", "text").
	human string
	extra []string
}

// AddFlag binds -o/--output to f and completes it. human names the default view.
func (f *Format) AddFlag(cmd *cobra.Command, human string, extra ...string) {
	f.human, f.extra = human, extra
	usage := fmt.Sprintf("Output format: %s. Default: %s. json and yaml print versioned documents (apiVersion %s).",
		strings.Join(f.names(), ", "), human, APIVersion)
	cmd.Flags().StringVarP(&f.Value, "output", "o", "", usage)
	_ = cmd.RegisterFlagCompletionFunc("output", func(*cobra.Command, []string, string) ([]string, cobra.ShellCompDirective) {
		return f.names(), cobra.ShellCompDirectiveNoFileComp
	})
}

func (f *Format) names() []string {
	return append([]string{f.human, FormatJSON, FormatYAML}, f.extra...)
}

// Validate rejects an unknown format; naming the default view is the same as omitting it.
func (f *Format) Validate() error { return Check(f.Value, f.names()...) }

// Document reports whether a versioned document (json or yaml) is asked for.
func (f *Format) Document() bool { return f.Value == FormatJSON || f.Value == FormatYAML }
