// Package invocation names the suite's commands the way the user typed them. Help texts
// are renamed once, at start (command.Rename); messages, next steps and undo commands
// are built deep in shared, at run time, and read the name from the context instead: a
// user of `flux gitops` pastes a next step that says `flux gitops …`, and a user of
// krew's per-plugin `kubectl gitops-rollback` one that says `kubectl gitops-rollback …`.
//
// Only the suite's own commands are renamed. What the suite wrote to Git (commit
// messages: "Made with kubectl gitops rollback revert.") and free text on cluster
// objects (descriptions other users read, whatever they invoke) stay canonical: they
// outlive this invocation. A command recorded on an object as a command (a pin's undo)
// is stored canonical too, and Rewrite names it for whoever reads it.
package invocation

import (
	"context"
	"strings"
)

// Canonical is the suite's name in documentation, records and Git: krew's plugin
// `gitops`, run by kubectl.
const Canonical = "kubectl gitops"

// Name is how the user invoked the suite. The zero value is Canonical.
type Name struct {
	// tool is the program that ran the plugin: "kubectl" or "flux"; "" is canonical.
	tool string
	// perPlugin is krew's per-plugin binary (kubectl-gitops_rollback, run as
	// `kubectl gitops-rollback`): the first word after "gitops" joins it with a dash.
	perPlugin bool
}

// Parse reads a name as command.Invoked returns it: "kubectl gitops", "flux gitops",
// "kubectl gitops rollback" (make build's per-plugin binary), "kubectl gitops-rollback"
// (krew's). Anything else is canonical: a test binary, a renamed copy.
func Parse(invoked string) Name {
	words := strings.Fields(invoked)
	if len(words) < 2 || (words[0] != "kubectl" && words[0] != "flux") {
		return Name{}
	}
	switch {
	case words[1] == "gitops":
		return Name{tool: words[0]}
	case strings.HasPrefix(words[1], "gitops-"):
		return Name{tool: words[0], perPlugin: true}
	}
	return Name{}
}

// Command names the suite command args ("rollback resume apps -n flux-system") as the
// user would type it.
func (n Name) Command(args string) string {
	tool := n.tool
	if tool == "" {
		tool = "kubectl"
	}
	sep := " "
	if n.perPlugin {
		sep = "-"
	}
	return tool + " gitops" + sep + args
}

// Suite names the suite itself, in a message that speaks of it as a tool ("switched by
// flux gitops"): "kubectl gitops" or "flux gitops", whichever program ran it.
func (n Name) Suite() string {
	if n.tool == "" {
		return Canonical
	}
	return n.tool + " gitops"
}

// Rewrite names a canonical suite command ("kubectl gitops rollback unpin apps -n x")
// as the user would type it; any other text is returned as it is.
func (n Name) Rewrite(command string) string {
	args, ok := strings.CutPrefix(command, Canonical+" ")
	if !ok {
		return command
	}
	return n.Command(args)
}

type key struct{}

// NewContext returns ctx carrying n, for every message built under it.
func NewContext(ctx context.Context, n Name) context.Context {
	return context.WithValue(ctx, key{}, n)
}

// FromContext returns the name in ctx; canonical when there is none.
func FromContext(ctx context.Context) Name {
	n, _ := ctx.Value(key{}).(Name)
	return n
}

// Command is FromContext(ctx).Command(args).
func Command(ctx context.Context, args string) string {
	return FromContext(ctx).Command(args)
}

// Suite is FromContext(ctx).Suite().
func Suite(ctx context.Context) string {
	return FromContext(ctx).Suite()
}

// Rewrite is FromContext(ctx).Rewrite(command).
func Rewrite(ctx context.Context, command string) string {
	return FromContext(ctx).Rewrite(command)
}
