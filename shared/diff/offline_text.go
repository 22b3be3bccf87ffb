package diff

import (
	"fmt"
	"strings"

	"github.com/kubectl-gitops/kubectl-gitops/shared/output"
)

// writeClustersText is the human view of an offline comparison: per changed cluster,
// each changed Kustomization with its objects added, removed and changed (and their
// diffs), then what changed in the dependsOn graph; what did not change is counted.
// Notes said by several clusters are said once, at the end.
func (d Diff) writeClustersText(out *output.Writer, p output.Palette) {
	var notes []string
	unchanged, shown := 0, 0
	ks, objects := 0, 0
	for _, c := range d.Clusters {
		ks += c.Summary.KustomizationsChanged + c.Summary.KustomizationsUnchanged
		objects += c.Summary.Added + c.Summary.Removed + c.Summary.Changed + c.Summary.Unchanged
		for _, n := range c.Notes {
			if !contains(notes, n) {
				notes = append(notes, n)
			}
		}
		if c.Change == Same {
			unchanged++
			continue
		}
		if shown > 0 {
			out.Printf("\n")
		}
		shown++
		writeClusterText(out, p, c)
	}
	if !d.ClustersDiffer() {
		base, head := "the base", "the head"
		if len(d.Clusters) > 0 {
			base, head = d.Clusters[0].Base, d.Clusters[0].Head
		}
		out.Printf("no changes: %s, %s and %s render the same at %s and in %s\n",
			output.Count(len(d.Clusters), "cluster", "clusters"), output.Count(ks, "Kustomization", "Kustomizations"), output.Count(objects, "object", "objects"), base, head)
	} else if unchanged > 0 {
		out.Printf("\n%s unchanged\n", output.Count(unchanged, "cluster", "clusters"))
	}
	for _, n := range notes {
		out.Printf("note: %s\n", n)
	}
}

func contains(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}

func writeClusterText(out *output.Writer, p output.Palette, c Cluster) {
	out.Printf("%s %s %s (base %s, head %s)\n", p.Bold("Cluster"), p.Bold(c.Path), c.Change, c.Base, c.Head)
	for _, k := range c.Kustomizations {
		name := k.Namespace + "/" + k.Name
		if k.Name == "" {
			name = "(the sync path)"
		}
		out.Printf("  %s %s %s, path %s: %s\n", p.Bold("Kustomization"), p.Bold(name), k.Change, k.Path, k.Summary)
		if k.Error != "" {
			out.Printf("    %s %s\n", p.Red("error:"), k.Error)
		}
		if k.Note != "" {
			out.Printf("    note: %s\n", k.Note)
		}
		for _, o := range k.Objects {
			writeObjectChange(out, p, o, "    ")
		}
		for _, h := range k.HelmReleases {
			writeReleaseText(out, p, h)
		}
	}
	dc := c.Dependencies
	if len(dc.Added)+len(dc.Removed)+len(dc.Problems)+len(dc.Latency) > 0 {
		out.Printf("  %s\n", p.Bold("Dependencies"))
		for _, l := range dc.Latency {
			out.Printf("    %s %s\n", p.Yellow("latency:"), l)
		}
		for _, e := range dc.Added {
			out.Printf("    %s %s -> %s\n", p.Green("dependsOn added:  "), e.Dependent, e.Dependency)
		}
		for _, e := range dc.Removed {
			out.Printf("    %s %s -> %s\n", p.Red("dependsOn removed:"), e.Dependent, e.Dependency)
		}
		for _, pr := range dc.Problems {
			where := ""
			if pr.File != "" {
				where = " (" + pr.File
				if pr.Line > 0 {
					where += fmt.Sprintf(":%d", pr.Line)
				}
				where += ")"
			}
			out.Printf("    %s %s%s\n", p.Red("new problem:"), pr.Message, where)
		}
	}
	s := c.Summary
	out.Printf("  %s changed, %d unchanged; objects: %d added, %d changed, %d removed, %d unchanged\n",
		output.Count(s.KustomizationsChanged, "Kustomization", "Kustomizations"), s.KustomizationsUnchanged, s.Added, s.Changed, s.Removed, s.Unchanged)
}

// String is a Kustomization's count of objects: "1 added, 2 changed; 4 unchanged".
func (s ObjectSummary) String() string {
	var parts []string
	for _, c := range []struct {
		n    int
		what string
	}{{s.Added, "added"}, {s.Changed, "changed"}, {s.Removed, "removed"}} {
		if c.n > 0 {
			parts = append(parts, fmt.Sprintf("%d %s", c.n, c.what))
		}
	}
	if len(parts) == 0 {
		return fmt.Sprintf("no object changed; %d unchanged", s.Unchanged)
	}
	return fmt.Sprintf("%s; %d unchanged", strings.Join(parts, ", "), s.Unchanged)
}

// writeDiffLines prints a unified diff, indented and coloured as the live diff's.
func writeDiffLines(out *output.Writer, p output.Palette, diff, indent string) {
	if diff == "" {
		return
	}
	for _, line := range strings.Split(strings.TrimSuffix(diff, "\n"), "\n") {
		switch {
		case strings.HasPrefix(line, "+++") || strings.HasPrefix(line, "---"):
			out.Printf("%s%s\n", indent, p.Bold(line))
		case strings.HasPrefix(line, "+"):
			out.Printf("%s%s\n", indent, p.Green(line))
		case strings.HasPrefix(line, "-"):
			out.Printf("%s%s\n", indent, p.Red(line))
		case strings.HasPrefix(line, "@@"):
			out.Printf("%s%s\n", indent, p.Dim(line))
		default:
			out.Printf("%s%s\n", indent, line)
		}
	}
}

// writeReleaseText prints a HelmRelease's chart render change under its Kustomization.
func writeReleaseText(out *output.Writer, p output.Palette, h HelmReleaseChange) {
	out.Printf("    %s %s %s%s%s\n", p.Bold("HelmRelease"), p.Bold(h.Namespace+"/"+h.Name), h.Change, h.charts(), h.counts())
	if h.Why != "" {
		out.Printf("      %s %s\n", p.Yellow("not rendered:"), h.Why)
	}
	for _, n := range h.Notes {
		out.Printf("      note: %s\n", n)
	}
	for _, o := range h.Objects {
		writeObjectChange(out, p, o, "      ")
	}
}

// charts is " (chart web@1.0.0 -> web@1.1.0)", or the one chart rendered.
func (h HelmReleaseChange) charts() string {
	switch {
	case h.BaseChart != "" && h.HeadChart != "" && h.BaseChart != h.HeadChart:
		return " (chart " + h.BaseChart + " -> " + h.HeadChart + ")"
	case h.HeadChart != "":
		return " (chart " + h.HeadChart + ")"
	case h.BaseChart != "":
		return " (chart " + h.BaseChart + ")"
	}
	return ""
}

// counts is ": 1 added; 3 unchanged", nothing for a HelmRelease not rendered at a
// side (Why says which): no object of it was compared, and "no object changed; 0
// unchanged" would claim it installs nothing.
func (h HelmReleaseChange) counts() string {
	if h.Change == NotRendered || h.Why != "" {
		return ""
	}
	return ": " + h.Summary.String()
}

// writeObjectChange prints one object added, removed or changed, at indent: its change
// coloured, a Secret's changed keys, then its diff two columns further in.
func writeObjectChange(out *output.Writer, p output.Palette, o ObjectChange, indent string) {
	label := fmt.Sprintf("%-9s", o.Change)
	colour := p.Yellow
	switch o.Change {
	case Added:
		colour = p.Green
	case Dropped:
		colour = p.Red
	}
	out.Printf("%s%s %s\n", indent, colour(label), o.String())
	if len(o.ChangedKeys) > 0 {
		out.Printf("%s          changed keys (values hidden): %s\n", indent, strings.Join(o.ChangedKeys, ", "))
	}
	writeDiffLines(out, p, o.Diff, indent+"  ")
}
