package diff

import (
	"fmt"
	"io"
	"strings"

	"github.com/kubectl-gitops/kubectl-gitops/shared/output"
)

// The formats of the offline comparison beside text, json and yaml.
const (
	// FormatMarkdown is a pull request comment's body.
	FormatMarkdown = "markdown"
	// FormatGitHub is GitHub Actions workflow commands: annotations on the files.
	FormatGitHub = "github"
)

// MaxMarkdown bounds the comment -o markdown writes: GitHub refuses a comment over
// 65,536 characters, and the summary tables come first so that they are never cut.
const MaxMarkdown = 60000

// WriteFormat writes an offline comparison as a pull request comment (markdown) or
// as GitHub workflow commands (github).
func (d Diff) WriteFormat(w io.Writer, format string) error {
	out := &output.Writer{W: w}
	switch format {
	case FormatMarkdown:
		// Line by line: each goes through the writer's masking, and keeps its newline.
		for _, line := range strings.Split(strings.TrimSuffix(d.Markdown(MaxMarkdown), "\n"), "\n") {
			out.Printf("%s\n", line)
		}
	case FormatGitHub:
		d.writeGitHub(out)
	case FormatSARIF:
		d.writeSARIF(out)
	default:
		return fmt.Errorf("output: unsupported format %q", format)
	}
	return out.Err
}

// Markdown is the comment body: a summary table per changed cluster, its dependency
// changes, then each changed Kustomization's diffs folded in <details>. Past max
// characters the remaining diffs are left out, and the comment says how many.
func (d Diff) Markdown(max int) string {
	var head strings.Builder
	head.WriteString("### kubectl gitops diff\n\n")
	if !d.ClustersDiffer() {
		base, dir := "the base", "the head"
		if len(d.Clusters) > 0 {
			base, dir = d.Clusters[0].Base, d.Clusters[0].Head
		}
		fmt.Fprintf(&head, "No changes: %s compared, rendered the same at `%s` and in `%s`.\n", output.Count(len(d.Clusters), "cluster", "clusters"), base, dir)
		return head.String()
	}
	changed, unchanged := 0, 0
	for _, c := range d.Clusters {
		if c.Change == Same {
			unchanged++
		} else {
			changed++
		}
	}
	fmt.Fprintf(&head, "%s changed, %d unchanged, from `%s` to `%s`.\n", output.Count(changed, "cluster", "clusters"), unchanged, d.Clusters[0].Base, d.Clusters[0].Head)
	var details []string
	var notes []string
	for _, c := range d.Clusters {
		for _, n := range c.Notes {
			if !contains(notes, n) {
				notes = append(notes, n)
			}
		}
		if c.Change == Same {
			continue
		}
		s := c.Summary
		fmt.Fprintf(&head, "\n#### Cluster `%s` (%s)\n\n", c.Path, c.Change)
		if len(c.Kustomizations) > 0 {
			head.WriteString("| Kustomization | Change | Added | Changed | Removed | Unchanged |\n|---|---|---:|---:|---:|---:|\n")
			for _, k := range c.Kustomizations {
				fmt.Fprintf(&head, "| `%s` | %s | %d | %d | %d | %d |\n", kustomizationName(k), k.Change, k.Summary.Added, k.Summary.Changed, k.Summary.Removed, k.Summary.Unchanged)
				for _, h := range k.HelmReleases {
					if h.Change == NotRendered {
						// Nothing was compared: no count, the why is in its diffs.
						fmt.Fprintf(&head, "| ↳ HelmRelease `%s/%s` | %s | – | – | – | – |\n", h.Namespace, h.Name, h.Change)
						continue
					}
					fmt.Fprintf(&head, "| ↳ HelmRelease `%s/%s`%s | %s | %d | %d | %d | %d |\n", h.Namespace, h.Name, h.charts(), h.Change, h.Summary.Added, h.Summary.Changed, h.Summary.Removed, h.Summary.Unchanged)
				}
			}
		}
		fmt.Fprintf(&head, "\n%s unchanged, %s unchanged.\n", output.Count(s.KustomizationsUnchanged, "Kustomization", "Kustomizations"), output.Count(s.Unchanged, "object", "objects"))
		dc := c.Dependencies
		if len(dc.Added)+len(dc.Removed)+len(dc.Problems)+len(dc.Latency) > 0 {
			head.WriteString("\nDependencies:\n\n")
			for _, l := range dc.Latency {
				fmt.Fprintf(&head, "- :hourglass: %s\n", l)
			}
			for _, pr := range dc.Problems {
				fmt.Fprintf(&head, "- :x: new problem: %s%s\n", pr.Message, fileRef(pr.File, pr.Line))
			}
			for _, e := range dc.Added {
				fmt.Fprintf(&head, "- dependsOn added: `%s` → `%s`\n", e.Dependent, e.Dependency)
			}
			for _, e := range dc.Removed {
				fmt.Fprintf(&head, "- dependsOn removed: `%s` → `%s`\n", e.Dependent, e.Dependency)
			}
		}
		for _, k := range c.Kustomizations {
			details = append(details, kustomizationDetails(c, k))
		}
	}
	var tail strings.Builder
	for _, n := range notes {
		fmt.Fprintf(&tail, "\n> note: %s\n", n)
	}
	body := head.String()
	if len(details) > 0 {
		body += "\n#### Diffs\n"
	}
	cut := 0
	for i, dt := range details {
		if len(body)+len(dt)+len(tail.String()) > max-200 {
			cut = len(details) - i
			break
		}
		body += dt
	}
	if cut > 0 {
		body += fmt.Sprintf("\n**%s not shown**: the comment is cut at %d characters; run `kubectl gitops diff --base` (or `-o json`) for everything.\n", output.Count(cut, "more Kustomization's diffs", "more Kustomizations' diffs"), max)
	}
	return body + tail.String()
}

func kustomizationName(k KustomizationChange) string {
	if k.Name == "" {
		return "(the sync path)"
	}
	return k.Namespace + "/" + k.Name
}

func fileRef(file string, line int) string {
	switch {
	case file == "":
		return ""
	case line > 0:
		return fmt.Sprintf(" (`%s:%d`)", file, line)
	}
	return fmt.Sprintf(" (`%s`)", file)
}

// kustomizationDetails is one Kustomization's objects and diffs, folded.
func kustomizationDetails(c Cluster, k KustomizationChange) string {
	var b strings.Builder
	fmt.Fprintf(&b, "\n<details><summary>%s: Kustomization <code>%s</code> %s: %s</summary>\n\n", c.Path, kustomizationName(k), k.Change, k.Summary)
	if k.Error != "" {
		fmt.Fprintf(&b, "error: %s\n\n", k.Error)
	}
	if k.Note != "" {
		fmt.Fprintf(&b, "note: %s\n\n", k.Note)
	}
	var text strings.Builder
	for _, o := range k.Objects {
		fmt.Fprintf(&text, "# %s %s\n", o.Change, o.String())
		if len(o.ChangedKeys) > 0 {
			fmt.Fprintf(&text, "# changed keys (values hidden): %s\n", strings.Join(o.ChangedKeys, ", "))
		}
		text.WriteString(o.Diff)
	}
	for _, h := range k.HelmReleases {
		fmt.Fprintf(&text, "# HelmRelease %s/%s %s%s%s\n", h.Namespace, h.Name, h.Change, h.charts(), h.counts())
		if h.Why != "" {
			fmt.Fprintf(&text, "# not rendered: %s\n", h.Why)
		}
		for _, n := range h.Notes {
			fmt.Fprintf(&text, "# note: %s\n", n)
		}
		for _, o := range h.Objects {
			fmt.Fprintf(&text, "# %s %s\n", o.Change, o.String())
			if len(o.ChangedKeys) > 0 {
				fmt.Fprintf(&text, "# changed keys (values hidden): %s\n", strings.Join(o.ChangedKeys, ", "))
			}
			text.WriteString(o.Diff)
		}
	}
	fence := "```"
	for strings.Contains(text.String(), fence) {
		fence += "`"
	}
	fmt.Fprintf(&b, "%sdiff\n%s%s\n\n</details>\n", fence, text.String(), fence)
	return b.String()
}

// writeGitHub prints GitHub Actions workflow commands: an error on the file of each
// new dependency problem, a notice on the file of each changed Kustomization and
// HelmRelease. What the pull request removes is declared in a file of the base only
// (often deleted with it): its notice names that file in its message and carries no
// file property, so that GitHub never places it on a line of the head.
func (d Diff) writeGitHub(out *output.Writer) {
	for _, c := range d.Clusters {
		for _, pr := range c.Dependencies.Problems {
			out.Printf("::error%s::%s\n", annotationProps(pr.File, pr.Line), escapeData(c.Path+": "+pr.Message))
		}
		for _, k := range c.Kustomizations {
			msg := fmt.Sprintf("%s: Kustomization %s %s: %s", c.Path, kustomizationName(k), k.Change, k.Summary)
			out.Printf("::notice%s::%s\n", annotationOf(k.Change, k.File, k.Line, &msg), escapeData(msg))
			for _, h := range k.HelmReleases {
				msg := fmt.Sprintf("%s: HelmRelease %s/%s %s%s%s", c.Path, h.Namespace, h.Name, h.Change, h.charts(), h.counts())
				if h.Why != "" {
					msg += " (" + h.Why + ")"
				}
				out.Printf("::notice%s::%s\n", annotationOf(h.Change, h.File, h.Line, &msg), escapeData(msg))
			}
		}
	}
}

// annotationOf is the properties of a notice on an object declared at file:line, and
// for one the change removes, none: the place is added to msg instead.
func annotationOf(change Change, file string, line int, msg *string) string {
	if change != Dropped {
		return annotationProps(file, line)
	}
	if file != "" {
		*msg += " (declared at the base in " + file
		if line > 0 {
			*msg += fmt.Sprintf(":%d", line)
		}
		*msg += ")"
	}
	return ""
}

// annotationProps is a workflow command's " file=…,line=…", or nothing without a file.
func annotationProps(file string, line int) string {
	if file == "" {
		return ""
	}
	props := " file=" + escapeProperty(file)
	if line > 0 {
		props += fmt.Sprintf(",line=%d", line)
	}
	return props
}

// escapeData and escapeProperty escape a workflow command's message and properties
// as the GitHub Actions toolkit does, so that no file name or message ends the
// command early or forges another.
func escapeData(s string) string {
	return strings.NewReplacer("%", "%25", "\r", "%0D", "\n", "%0A").Replace(s)
}

func escapeProperty(s string) string {
	return strings.NewReplacer("%", "%25", "\r", "%0D", "\n", "%0A", ":", "%3A", ",", "%2C").Replace(s)
}
