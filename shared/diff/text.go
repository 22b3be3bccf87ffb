package diff

import (
	"fmt"
	"io"
	"strings"

	"github.com/kubectl-gitops/kubectl-gitops/shared/output"
)

// WriteText prints the human view: per Kustomization (then per HelmRelease), the revision compared, each
// object the apply would create, change, recreate, prune, skip or fail on (with the
// diff of a changed one, coloured on a terminal), and a count; unchanged objects are
// only counted.
func (d Diff) WriteText(w io.Writer, opts output.TextOptions) error {
	p := opts.Palette
	out := &output.Writer{W: w}
	if d.Clusters != nil {
		d.writeClustersText(out, p) // the offline comparison (offline_text.go)
		return out.Err
	}
	for i, k := range d.Kustomizations {
		if i > 0 {
			out.Printf("\n")
		}
		if k.Skipped != "" {
			writeSkipped(out, p, k)
			continue
		}
		from := map[string]string{"source": "what the source holds", "applied": "last applied", "flag": "--revision", "dir": "--dir"}[k.RevisionFrom]
		out.Printf("%s %s at %s (%s), path %s\n", p.Bold("Kustomization"), p.Bold(k.Namespace+"/"+k.Name), k.Revision, from, k.Path)
		if k.Error != "" {
			out.Printf("  %s %s\n", p.Red("error:"), k.Error)
			continue
		}
		writeObjects(out, p, k.Objects, kustomizeController)
		for _, n := range k.Notes {
			out.Printf("  note: %s\n", n)
		}
		out.Printf("  %s", k.Summary)
		out.Printf("\n")
	}
	writeHelmReleases(out, p, d.HelmReleases, len(d.Kustomizations) > 0)
	return out.Err
}

// writeSkipped prints a Kustomization not compared, and why, in place of its objects.
func writeSkipped(out *output.Writer, p output.Palette, k Kustomization) {
	out.Printf("%s %s %s\n", p.Bold("Kustomization"), p.Bold(k.Namespace+"/"+k.Name), p.Dim("not compared"))
	out.Printf("  %s %s\n", p.Yellow("skipped:"), k.Skipped)
}

// writeObjects prints each object that differs, with its reason, changed keys,
// fields and diff; unchanged ones are only counted.
func writeObjects(out *output.Writer, p output.Palette, objects []Object, ctl controller) {
	for _, o := range objects {
		if o.Action == Unchanged {
			continue
		}
		label := fmt.Sprintf("%-9s", o.Action)
		switch o.Action {
		case Created:
			out.Printf("  %s %s\n", p.Green(label), o.String())
		case Changed, Recreated:
			out.Printf("  %s %s\n", p.Yellow(label), o.String())
		case Pruned, Removed, Failed:
			out.Printf("  %s %s\n", p.Red(label), o.String())
		default:
			out.Printf("  %s %s\n", p.Dim(label), o.String())
		}
		if o.Reason != "" {
			out.Printf("            %s\n", o.Reason)
		}
		if len(o.ChangedKeys) > 0 {
			out.Printf("            changed keys (values hidden): %s\n", strings.Join(o.ChangedKeys, ", "))
		}
		writeFields(out, p, o, ctl)
		writeUnified(out, p, o.Diff)
	}
}

// writeUnified prints a unified diff indented under its object, coloured on a TTY.
func writeUnified(out *output.Writer, p output.Palette, diff string) {
	if diff == "" {
		return
	}
	for _, line := range strings.Split(strings.TrimSuffix(diff, "\n"), "\n") {
		switch {
		case strings.HasPrefix(line, "+++") || strings.HasPrefix(line, "---"):
			out.Printf("    %s\n", p.Bold(line))
		case strings.HasPrefix(line, "+"):
			out.Printf("    %s\n", p.Green(line))
		case strings.HasPrefix(line, "-"):
			out.Printf("    %s\n", p.Red(line))
		case strings.HasPrefix(line, "@@"):
			out.Printf("    %s\n", p.Dim(line))
		default:
			out.Printf("    %s\n", line)
		}
	}
}
