package command

import (
	"io"
	"runtime"

	"github.com/spf13/cobra"
	"k8s.io/cli-runtime/pkg/genericiooptions"

	"github.com/kubectl-gitops/kubectl-gitops/shared/output"
)

// VersionDocument is what `kubectl gitops version -o json|yaml` prints: kind Version.
type VersionDocument struct {
	output.TypeMeta `json:",inline"`
	Version         string `json:"version"`
	GoVersion       string `json:"goVersion"`
	Platform        string `json:"platform"`
	// Name is the suite as the user typed it, for the text view only.
	Name string `json:"-"`
}

// WriteText is the human view: one line, "kubectl gitops v0.1.0 (go1.26.0, linux/amd64)".
func (d VersionDocument) WriteText(out io.Writer, _ output.TextOptions) error {
	w := &output.Writer{W: out}
	w.Printf("%s %s (%s, %s)\n", d.Name, d.Version, d.GoVersion, d.Platform)
	return w.Err
}

func newVersionCommand(streams genericiooptions.IOStreams, version string) *cobra.Command {
	var format output.Format
	cmd := &cobra.Command{
		Use:   "version",
		Short: "Print the suite's version",
		Example: `  kubectl gitops version
  kubectl gitops version -o json`,
		Args: NoArgs(),
		RunE: func(cmd *cobra.Command, args []string) error {
			printer, err := format.ToPrinter(streams.ErrOut)
			if err != nil {
				return err
			}
			return printer.Print(streams.Out, VersionDocument{TypeMeta: output.NewTypeMeta(output.KindVersion), Version: version,
				GoVersion: runtime.Version(), Platform: runtime.GOOS + "/" + runtime.GOARCH, Name: DisplayName(cmd.Root())})
		},
	}
	format.AddFlag(cmd)
	return cmd
}
