package alerting

import (
	"io"
	"strings"

	"github.com/kubectl-gitops/kubectl-gitops/shared/output"
)

// WriteText is the human view: a table of the objects whose failures notify nobody,
// then one of the Alerts that cannot deliver, then one summary line.
func (c *Coverage) WriteText(w io.Writer, opts output.TextOptions) error {
	out := &output.Writer{W: w}
	p := opts.Palette
	if c.Path != "" {
		out.Printf("Cluster %s:\n", c.Path)
	}
	if !c.NotificationInstalled {
		out.Printf("%s\n", p.Red("notification-controller's API (notification.toolkit.fluxcd.io) is not served: no failure notifies anyone"))
	}
	if len(c.Uncovered) > 0 {
		out.Printf("Failures notify nobody (no Alert that can deliver covers them):\n")
		t := output.NewTable(out, "KIND", "NAME", "COVERED BY (CANNOT DELIVER)")
		for _, u := range c.Uncovered {
			_ = t.Append(u.Ref.Kind, u.Ref.Namespace+"/"+u.Ref.Name, strings.Join(u.Alerts, ", "))
		}
		if err := t.Render(); err != nil {
			return err
		}
	}
	if len(c.Undeliverable) > 0 {
		if len(c.Uncovered) > 0 {
			out.Printf("\n")
		}
		out.Printf("Alerts that cannot deliver:\n")
		t := output.NewTable(out, "ALERT", "PROVIDER", "WHY")
		for _, u := range c.Undeliverable {
			_ = t.Append(u.Ref.Namespace+"/"+u.Ref.Name, u.Provider, u.Reason)
		}
		if err := t.Render(); err != nil {
			return err
		}
	}
	if len(c.Uncovered) > 0 || len(c.Undeliverable) > 0 {
		out.Printf("\n")
	}
	if c.Checked == 0 {
		out.Printf("%s\n", p.Red("nothing to check: no Kustomization, HelmRelease or source here (use -A, or -n NAMESPACE)"))
	}
	summary := p.Green("ok")
	if c.HasProblems {
		summary = p.Red("problems")
	}
	out.Printf("%s: %d of %d Flux objects notify nobody on failure, %d Alerts cannot deliver\n",
		summary, len(c.Uncovered), c.Checked, len(c.Undeliverable))
	for _, s := range c.Unknown {
		out.Printf("%s\n", p.Yellow("not in the repository: Secret "+s+", which a Provider reads (offline cannot tell whether it exists in the cluster; --strict counts it as missing)"))
	}
	if c.Partial {
		out.Printf("%s\n", p.Yellow("incomplete: some Alerts, Providers or Flux objects could not be read"))
	}
	return out.Err
}
