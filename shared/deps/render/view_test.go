package render

import (
	"bytes"
	"strings"
	"testing"

	"github.com/spf13/cobra"

	"github.com/kubectl-gitops/kubectl-gitops/shared/deps"
	. "github.com/kubectl-gitops/kubectl-gitops/shared/deps/depstest"
	"github.com/kubectl-gitops/kubectl-gitops/shared/output"
)

// TestReportViews: the one printer draws a report in every -o format; the cluster
// heading, the blank line between clusters and the not-found line belong to the human
// views and the drawings, never to the json and yaml documents.
func TestReportViews(t *testing.T) {
	found := deps.Analyze(t.Context(), []deps.Node{KS("flux-system"), KS("apps", "flux-system")})
	none := deps.Analyze(t.Context(), nil)
	none.NothingChecked = true
	none.FileErrors = []deps.FileError{{File: "clusters/prod/apps.yaml", Line: 3, Message: "bad indent"}}
	for _, tc := range []struct {
		name, format string
		report       *deps.Report
		cluster      string
		view         View
		prefix       string // what the output starts with
		lacks        []string
	}{
		{name: "text", format: "", report: found, prefix: "2 objects, 1 dependency: no problems.\n", lacks: []string{"Cluster "}},
		{name: "text, a second cluster", format: "text", report: found, cluster: "clusters/prod", view: View{Follows: true},
			prefix: "\nCluster clusters/prod (rendered from its sync path, as its Flux does):\n2 objects, 1 dependency: no problems.\n"},
		{name: "text, nothing found", format: "text", report: none, view: View{NotFound: " in namespace shop (use -A for every namespace, or -n NAMESPACE)"},
			prefix: "No Kustomizations or HelmReleases found in namespace shop (use -A for every namespace, or -n NAMESPACE).\n" +
				"Nothing was checked: --check fails on it.\nUnreadable: clusters/prod/apps.yaml:3: bad indent\n"},
		{name: "dot, a second cluster", format: FormatDOT, report: found, cluster: "clusters/prod", view: View{Follows: true},
			prefix: "\n// cluster clusters/prod\n// Flux dependsOn graph"},
		{name: "mermaid", format: FormatMermaid, report: found, cluster: "clusters/prod", prefix: "%% cluster clusters/prod\n"},
		{name: "json", format: output.FormatJSON, report: found, cluster: "clusters/prod", view: View{Follows: true, NotFound: "x"},
			prefix: "{\n  \"apiVersion\"", lacks: []string{"Cluster clusters/prod (", "\"View\"", "\"report\""}},
		{name: "yaml", format: output.FormatYAML, report: found, view: View{Follows: true}, prefix: "---\napiVersion: "},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var f output.Format
			f.AddFlag(&cobra.Command{}, FormatDOT, FormatMermaid)
			f.Value = tc.format
			p, err := f.ToPrinter(nil)
			if err != nil {
				t.Fatal(err)
			}
			doc := Document(tc.report)
			doc.Cluster, doc.View = tc.cluster, tc.view
			var buf bytes.Buffer
			if err := p.Print(&buf, doc); err != nil {
				t.Fatal(err)
			}
			out := buf.String()
			if !strings.HasPrefix(out, tc.prefix) {
				t.Errorf("-o %q starts\n%q\nwant\n%q", tc.format, out[:min(len(out), len(tc.prefix)+40)], tc.prefix)
			}
			for _, l := range tc.lacks {
				if strings.Contains(out, l) {
					t.Errorf("-o %q holds %q:\n%s", tc.format, l, out)
				}
			}
		})
	}
}
