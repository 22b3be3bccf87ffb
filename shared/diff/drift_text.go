package diff

import (
	"strings"
	"time"

	"github.com/kubectl-gitops/kubectl-gitops/shared/output"
)

// writeFields prints one line per field a changed object's apply changes (drift with
// who wrote it, pending, or changed when unknown), then one per conflict with the ways
// out Flux offers.
func writeFields(out *output.Writer, p output.Palette, o Object, ctl controller) {
	for _, f := range o.Fields {
		switch f.Origin {
		case Drift:
			out.Printf("            %s %s%s\n", p.Yellow("drift:"), f.Path, by(f.Managers))
		case Pending:
			out.Printf("            %s %s\n", p.Green("pending:"), f.Path)
		default:
			out.Printf("            changed: %s%s\n", f.Path, by(f.Managers))
		}
	}
	for _, c := range o.Conflicts {
		names := make([]string, len(c.Managers))
		for i, m := range c.Managers {
			names[i] = m.Manager
		}
		who := strings.Join(names, ", ")
		how := ctl.IgnoreField + " path " + c.IgnorePath
		if ctl.Annotation != "" {
			how += ", or annotate the object " + ctl.Annotation
		}
		out.Printf("            %s %s  owned by %s, taken over by the apply; to leave it to %s: %s\n",
			p.Red("conflict:"), c.Path, who, who, how)
	}
}

// by names the managers of a field with their operation and time:
// "  by kubectl-edit (Update) 2026-12-04T20:31:05Z".
func by(ms []Manager) string {
	if len(ms) == 0 {
		return ""
	}
	parts := make([]string, len(ms))
	for i, m := range ms {
		parts[i] = m.Manager + " (" + m.Operation
		if m.Subresource != "" {
			parts[i] += " " + m.Subresource
		}
		parts[i] += ")"
		if m.Time != nil {
			parts[i] += " " + m.Time.UTC().Format(time.RFC3339)
		}
	}
	return "  by " + strings.Join(parts, ", ")
}
