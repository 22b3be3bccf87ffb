package trace

import (
	"bufio"
	"fmt"
	"io"
	"strings"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/kubectl-gitops/kubectl-gitops/shared/flux"
	"github.com/kubectl-gitops/kubectl-gitops/shared/output"
)

// Reports are what one trace prints: one Trace document per object, and in text one
// table per object, separated by a blank line.
type Reports []*Report

// Items implements output.List.
func (rs Reports) Items() []any { return output.Items(rs) }

// WriteText renders reports as the human view: one table per object that reads
// top-down from the object to its source, then the commit and any findings.
//
// Reports without any hop (an object that does not exist) print nothing here: their
// error goes to stderr through WriteErrors, like every other error.
func (rs Reports) WriteText(w io.Writer, opts output.TextOptions) error {
	// Buffered: a view writes line by line, and 10,000 reports on a terminal or pipe
	// were 100,000 write calls.
	buf := bufio.NewWriterSize(w, 64<<10)
	out := &output.Writer{W: buf}
	v := view{w: out, p: opts.Palette, now: opts.Now}
	first := true
	for _, r := range rs {
		if len(r.Hops) == 0 {
			continue
		}
		if !first {
			out.Printf("\n")
		}
		first = false
		v.report(r)
	}
	if err := buf.Flush(); out.Err == nil {
		out.Err = err
	}
	return out.Err
}

// WriteErrors prints one "error: ..." line per report that did not trace fully.
func WriteErrors(w io.Writer, reports []*Report) {
	out := &output.Writer{W: w}
	for _, r := range reports {
		if r.Result != ResultTraced {
			out.Printf("error: %s\n", r.Error)
		}
	}
}

// view is the human rendering of one report: the title, the hop table, the commit
// block and the findings, each in its own method.
type view struct {
	w   *output.Writer
	p   output.Palette
	now time.Time
}

func (v view) report(r *Report) {
	v.w.Printf("%s\n", v.p.Bold(r.Object.String()))
	v.hops(r.Hops)
	v.remote(r.Hops)
	v.events(r.Hops)
	v.alerts(r.Hops)
	v.state(r.Hops[0])
	v.secrets(r)
	if r.Commit != nil {
		said := ""
		if h := r.Hops[0].Health; h != nil {
			said = h.Message
		}
		v.commit(r.Commit, said)
	}
	if r.Timeline != nil {
		r.Timeline.WriteText(v.w)
	}
	v.findings(r)
}

// hops writes the table of the chain, one row per hop.
func (v view) hops(hops []Hop) {
	if len(hops) == 0 {
		return
	}
	// The CLUSTER column only when the chain crosses clusters: a single-cluster trace
	// reads as before.
	clusters := spansClusters(hops)
	// RECONCILED, not AGE: the time is since the hop last reconciled, and kubectl
	// users read AGE as the time since the object was created.
	header := []any{"HOP", "KIND", "NAME", "READY", "RECONCILED", "DETAILS"}
	if clusters {
		header = append([]any{"CLUSTER"}, header...)
	}
	table := output.NewTable(v.w, header...)
	for _, h := range hops {
		age := ""
		if h.Health != nil && h.Health.LastReconciled != nil {
			age = output.Age(v.now, *h.Health.LastReconciled)
		}
		row := []any{strings.ToLower(h.Role), h.Ref.Kind, name(h.Ref), v.ready(h), age, details(h)}
		if clusters {
			row = append([]any{h.Cluster}, row...)
		}
		if err := table.Append(row...); err != nil {
			v.w.Err = err
			return
		}
	}
	if err := table.Render(); err != nil && v.w.Err == nil {
		v.w.Err = err
	}
}

// spansClusters reports whether the hops live in more than one cluster.
func spansClusters(hops []Hop) bool {
	for _, h := range hops {
		if h.Cluster != hops[0].Cluster {
			return true
		}
	}
	return false
}

// remote writes, under a Kustomization that applies to another cluster, the objects
// it applied there: present or missing, and their health.
func (v view) remote(hops []Hop) {
	for _, h := range hops {
		tg := h.Target
		if tg == nil {
			continue
		}
		where := orNone(tg.Server, "")
		if tg.Server == "" {
			where = tg.ServerNote
		}
		ref := "Secret " + tg.Secret
		if tg.ConfigMap != "" {
			ref = "ConfigMap " + tg.ConfigMap
		}
		v.w.Printf("%s %s applies to a remote cluster: %s (%s)\n", h.Ref.Kind, name(h.Ref), where, ref)
		if tg.ObjectsNote != "" {
			v.w.Printf("  %s\n", tg.ObjectsNote)
		}
		if len(tg.Objects) == 0 {
			continue
		}
		v.w.Printf("Objects in %s (%d, %d missing):\n", tg.Cluster, len(tg.Objects), tg.Missing)
		table := output.NewTable(v.w, "KIND", "NAME", "PRESENT", "STATUS", "MESSAGE")
		for _, o := range tg.Objects {
			present := v.p.Green("yes")
			if !o.Present {
				present = v.p.Red("MISSING")
				if o.Error != "" {
					present = v.p.Yellow("unknown")
				}
			}
			msg := o.Message
			if o.Error != "" {
				msg = o.Error
			}
			if err := table.Append(o.Ref.Kind, name(o.Ref), present, o.Status, msg); err != nil {
				v.w.Err = err
				return
			}
		}
		if err := table.Render(); err != nil && v.w.Err == nil {
			v.w.Err = err
		}
	}
}

// events writes each hop's Warning events under the table, when they were read.
func (v view) events(hops []Hop) {
	for _, h := range hops {
		for _, e := range h.Events {
			count := ""
			if e.Count > 1 {
				count = fmt.Sprintf(", x%d", e.Count)
			}
			v.w.Printf("  %s %s: %s: %s (%s ago%s)\n", v.p.Yellow("warning"), name(h.Ref), e.Reason, e.Message, output.Age(v.now, e.Last), count)
		}
	}
}

// ready is the READY cell: green when Ready, yellow while waiting or suspended, red on
// failure.
func (v view) ready(h Hop) output.Styled {
	switch {
	case h.Forbidden:
		return v.p.Red("Forbidden")
	case h.Error != "":
		return v.p.Red("Error")
	case h.Health == nil:
		return ""
	case h.Health.Ready == metav1.ConditionFalse:
		return v.p.Red(readyText(h.Health))
	case h.Health.Suspended || h.Health.Ready != metav1.ConditionTrue:
		return v.p.Yellow(readyText(h.Health))
	}
	return v.p.Green(readyText(h.Health))
}

// field writes one "Label:     value" line of the summary.
func (v view) field(label, format string, args ...any) {
	v.w.Printf("%-11s "+format+"\n", append([]any{output.Styled(label + ":")}, args...)...)
}

// state writes, for a traced Flux object, its own state first: what the person asked
// about, before where its definition came from.
func (v view) state(h Hop) {
	if h.Health == nil {
		return
	}
	var st output.Styled
	switch {
	case h.Health.Ready == metav1.ConditionTrue:
		st = v.p.Green("ready")
	case h.Health.Ready == metav1.ConditionFalse:
		st = v.p.Red("not ready")
	case h.Health.Ready == "":
		st = v.p.Yellow("not reconciled yet")
	default:
		st = v.p.Yellow("reconciling")
	}
	if h.Health.Suspended {
		st = v.p.Yellow("suspended") + ", " + st
	}
	if h.Health.Reason != "" {
		st += output.Styled(": " + output.Safe(h.Health.Reason))
	}
	// Flux's messages may end in a newline, which would show as a trailing \n.
	if msg := strings.TrimSpace(h.Health.Message); msg != "" {
		v.field("State", "%s: %s", st, msg)
		return
	}
	v.field("State", "%s", st)
}

// secrets writes where a Secret's data comes from, for each hop that says so.
func (v view) secrets(r *Report) {
	var git *GitLocation
	if r.Commit != nil {
		git = r.Commit.Git
	}
	for _, h := range r.Hops {
		if h.Secret != nil {
			v.field("Data", "%s", h.Secret.line(h.Ref, git, v.now))
		}
	}
}

// commit writes what was applied and whether it is what the source holds now.
// said is a message the State line gave already, not repeated as the Reason.
func (v view) commit(c *Commit, said string) {
	field := v.field
	if c.Status == CommitNotInInventory {
		// Not applied by that Kustomization at its revision: no commit to claim.
		field("Inventory", "not listed by %s, whose labels it carries", c.By)
		field("Status", "%s", v.p.Red(c.Status))
		field("Reason", "%s", c.Reason)
		v.git(c.Git)
		return
	}
	if c.Chart != "" {
		field("Chart", "%s %s installed by %s", c.Chart, orNone(c.ChartVersion, ""), c.By)
	}
	if c.Chart == "" || c.SHA != "" {
		// A chart from a Helm repository carries no commit.
		field("Commit", "%s", orNone(c.SHA, c.Applied))
	}
	if c.Chart == "" || c.Applied != "" {
		field("Applied", "%s by %s", orNone(c.Applied, ""), c.By)
	}
	if c.Attempted != "" {
		field("Attempted", "%s (not applied)", c.Attempted)
	}
	field("Source", "%s", orNone(c.Source, ""))
	var st output.Styled
	switch c.Status {
	case CommitCurrent:
		st = v.p.Green(c.Status) + " (the source holds the applied commit)"
		if c.By.Kind == flux.KindHelmRelease {
			st = v.p.Green(c.Status) + " (the HelmChart holds the installed chart version)"
		}
	case CommitApplying, CommitSuspended, CommitUnknown:
		st = v.p.Yellow(c.Status)
	default:
		st = v.p.Red(c.Status)
	}
	field("Status", "%s", st)
	if c.BlockedBy != "" {
		field("Blocked by", "%s", c.BlockedBy)
	}
	if c.Cycle != "" {
		field("Cycle", "%s", c.Cycle)
		field("Next step", "%s", c.NextStep)
	}
	if c.Reason != "" && c.Reason != said {
		field("Reason", "%s", c.Reason)
	}
	v.git(c.Git)
}

// git writes where the object is defined in the clone given by --git-dir.
func (v view) git(g *GitLocation) {
	if g == nil {
		return
	}
	enc := ""
	if g.Encrypted == EncryptedSOPS {
		enc = " (encrypted with " + strings.ToUpper(g.Encrypted) + ")"
	}
	switch {
	case g.File != "" && g.Line > 0:
		v.field("Defined", "%s:%d%s", g.File, g.Line, enc)
	case g.File != "":
		// From the origin annotation without --git-dir: the file, no line.
		v.field("Defined", "%s%s", g.File, enc)
	}
	if g.Note != "" {
		v.field("Git", "%s", g.Note)
	}
	if g.Subject != "" {
		v.field("Message", "%s (%s): the applied commit's subject", g.Subject, g.Author)
	}
	if c := g.LastChange; c != nil {
		v.field("Changed in", "%s %s (%s): the last commit to change %s", shortSHA(c.SHA), c.Subject, c.Author, g.File)
	}
}

// shortSHA abbreviates a commit to 12 characters, as revisions are shown.
func shortSHA(sha string) string {
	if len(sha) > 12 {
		return sha[:12]
	}
	return sha
}

// findings writes the notes, failure messages and errors of every hop, one per line,
// then where a Kustomization was looked for across clusters.
func (v view) findings(r *Report) {
	defer func() {
		for _, p := range r.Discovery {
			line := fmt.Sprintf("context %s: %s", p.Context, p.Result)
			if p.Error != "" {
				line += ": " + p.Error
			}
			mark := v.p.Yellow("?")
			if p.Result == ProbeFound {
				mark = v.p.Green("+")
			}
			v.w.Printf("%s %s\n", mark, line)
		}
	}()
	for i, h := range r.Hops {
		if h.Health != nil && h.Health.Suspended {
			why := "no reason recorded"
			if h.Health.Suspension != nil {
				why = h.Health.Suspension.String(v.now)
			}
			v.w.Printf("%s %s %s: suspended: %s\n", v.p.Yellow("!"), h.Ref.Kind, name(h.Ref), why)
		}
		for _, n := range h.Notes {
			v.w.Printf("%s %s %s: %s\n", v.p.Yellow("!"), h.Ref.Kind, name(h.Ref), n)
		}
		// The object's own message is in the State line already.
		if i > 0 && h.Health != nil && h.Health.Ready == metav1.ConditionFalse && h.Health.Message != "" && (r.Commit == nil || r.Commit.Reason != h.Health.Message) {
			v.w.Printf("%s %s %s: %s\n", v.p.Red("!"), h.Ref.Kind, name(h.Ref), h.Health.Message)
		}
		if h.Error != "" {
			v.w.Printf("%s %s %s: %s\n", v.p.Red("!"), h.Ref.Kind, name(h.Ref), h.Error)
		}
	}
}

// readyText is the READY cell: the Ready status and, unless it is True, the reason
// (DependencyNotReady, ReconciliationFailed, …), which tells a failure from a wait.
func readyText(h *Health) string {
	s := string(h.Ready)
	if s == "" {
		s = string(metav1.ConditionUnknown)
	}
	var why []string
	if h.Ready != metav1.ConditionTrue && h.Reason != "" {
		why = append(why, h.Reason)
	}
	if h.Suspended {
		why = append(why, "suspended")
	}
	if len(why) > 0 {
		s += " (" + strings.Join(why, ", ") + ")"
	}
	return s
}

func name(ref output.ObjectRef) string {
	if ref.Namespace == "" {
		return ref.Name
	}
	return ref.Namespace + "/" + ref.Name
}

// details is the hop's one-line summary for the DETAILS column.
func details(h Hop) string {
	var parts []string
	add := func(format string, args ...any) { parts = append(parts, fmt.Sprintf(format, args...)) }
	if h.Path != "" {
		add("path %s", h.Path)
	}
	if h.Chart != "" {
		if h.ChartVersion != "" {
			add("chart %s %s", h.Chart, h.ChartVersion)
		} else {
			add("chart %s", h.Chart)
		}
	}
	if h.ReleaseName != "" {
		add("release %s", h.ReleaseName)
	}
	if h.LastAppliedRevision != "" && h.Ref.Kind == flux.KindKustomization {
		add("applied %s", shortRev(h.LastAppliedRevision))
	}
	if h.LastAttemptedRevision != "" && h.LastAttemptedRevision != h.LastAppliedRevision {
		add("attempted %s", shortRev(h.LastAttemptedRevision))
	}
	if h.URL != "" {
		add("%s", h.URL)
	}
	if h.Tracks != "" {
		add("%s", h.Tracks)
	}
	if h.Revision != "" {
		add("at %s", shortRev(h.Revision))
	}
	if h.OriginURL != "" || h.OriginRevision != "" {
		add("origin %s %s", h.OriginURL, h.OriginRevision)
	}
	switch h.Inventory {
	case InventoryNotListed:
		add("NOT in its inventory")
	case InventoryUnknown:
		add("no inventory")
	}
	if h.Via != "" && h.Role == RoleOwner {
		add("via %s", h.Via)
	}
	return strings.Join(parts, ", ")
}

// shortRev abbreviates a digest to 12 characters, keeping the ref.
func shortRev(rev string) string {
	ref, digest, ok := strings.Cut(rev, "@")
	if !ok {
		digest, ref = rev, ""
	}
	algo, hex, ok := strings.Cut(digest, ":")
	if !ok || len(hex) <= 12 {
		return rev
	}
	if ref != "" {
		return ref + "@" + algo + ":" + hex[:12]
	}
	return algo + ":" + hex[:12]
}

func orNone(s, fallback string) string {
	if s != "" {
		return s
	}
	if fallback != "" {
		return fallback
	}
	return "<none>"
}
