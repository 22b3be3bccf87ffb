package diff

import (
	"fmt"

	"github.com/kubectl-gitops/kubectl-gitops/shared/output"
)

// writeHelmReleases prints each HelmRelease as WriteText prints a Kustomization: the
// release and the chart compared, the objects that differ, notes and a count.
// separate: something was printed before.
func writeHelmReleases(out *output.Writer, p output.Palette, hrs []HelmRelease, separate bool) {
	for i, h := range hrs {
		if i > 0 || separate {
			out.Printf("\n")
		}
		title := p.Bold("HelmRelease") + " " + p.Bold(h.Namespace+"/"+h.Name)
		if h.Skipped != "" {
			out.Printf("%s %s\n", title, p.Dim("not compared"))
			out.Printf("  %s %s\n", p.Yellow("skipped:"), h.Skipped)
			continue
		}
		release := "release " + h.Release
		if h.ReleaseVersion > 0 {
			release += fmt.Sprintf(" v%d", h.ReleaseVersion)
		}
		if h.Chart != "" {
			release += " (chart " + h.Chart + ")"
		}
		switch h.RevisionFrom {
		case RevisionApplied:
			out.Printf("%s, %s: drift from the deployed release\n", title, release)
		case RevisionHistory:
			out.Printf("%s, release %s versions %s (chart %s): from Helm's storage\n", title, h.Release, h.Revision, h.Chart)
		default:
			from := map[string]string{"source": "what the source holds", "flag": "--revision", "dir": "--dir"}[h.RevisionFrom]
			at := ""
			if h.Revision != "" {
				at = " at " + h.Revision
			}
			out.Printf("%s, %s: chart from %s%s (%s)\n", title, release, h.Source, at, from)
		}
		if h.Error != "" {
			out.Printf("  %s %s\n", p.Red("error:"), h.Error)
			continue
		}
		writeObjects(out, p, h.Objects, helmController)
		if h.Values != "" {
			out.Printf("  values:\n")
			writeUnified(out, p, h.Values)
		}
		for _, n := range h.Notes {
			out.Printf("  note: %s\n", n)
		}
		out.Printf("  %s\n", h.Summary)
	}
}
