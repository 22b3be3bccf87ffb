// Package depstest builds dependency-graph nodes for tests: every node starts Ready at
// generation 1 in flux-system, and the modifiers return changed copies so that a test
// case reads as one expression.
package depstest

//lint:file-ignore ST1001 the fixtures read in the vocabulary of the deps package they build for

import (
	"fmt"
	"strings"

	"github.com/fluxcd/pkg/apis/meta"

	"github.com/kubectl-gitops/kubectl-gitops/shared/flux"
	"github.com/kubectl-gitops/kubectl-gitops/shared/status"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	. "github.com/kubectl-gitops/kubectl-gitops/shared/deps"
)

const TestNS = "flux-system"

func KS(name string, deps ...string) Node { return node(KindKustomization, TestNS, name, deps) }
func HR(name string, deps ...string) Node { return node(KindHelmRelease, TestNS, name, deps) }

// KSIn builds a Kustomization in namespace ns; unqualified deps default to
// ns, as Flux defaults them.
func KSIn(ns, name string, deps ...string) Node { return node(KindKustomization, ns, name, deps) }

func node(kind Kind, ns, name string, deps []string) Node {
	n := Node{
		Kind:               kind,
		Namespace:          ns,
		Name:               name,
		Ready:              status.Condition{Status: metav1.ConditionTrue, Reason: "ReconciliationSucceeded"},
		Generation:         1,
		ObservedGeneration: 1,
	}
	for _, d := range deps {
		dns, nm := ns, d
		if i := strings.IndexByte(d, '/'); i >= 0 {
			dns, nm = d[:i], d[i+1:]
		}
		n.DependsOn = append(n.DependsOn, DependencyRef{Namespace: dns, Name: nm})
	}
	return n
}

func Waiting(n Node) Node {
	n.Ready = status.Condition{Status: metav1.ConditionFalse, Reason: meta.DependencyNotReadyReason,
		Message: "dependency is not ready"}
	return n
}

func Failing(reason, msg string, n Node) Node {
	n.Ready = status.Condition{Status: metav1.ConditionFalse, Reason: reason, Message: msg}
	return n
}

func Suspended(n Node) Node {
	n.Suspended = true
	return n
}

func Generations(gen, observed int64, n Node) Node {
	n.Generation, n.ObservedGeneration = gen, observed
	return n
}

// FromGit puts the node on the shared flux-system GitRepository, which is at
// sourceRev, with applied as its lastAppliedRevision.
func FromGit(sourceRev, applied string, n Node) Node {
	n.SourceRef = SourceRef{Kind: flux.KindGitRepository, Namespace: TestNS, Name: "flux-system"}
	n.SourceRevision = sourceRev
	n.LastAppliedRevision = applied
	return n
}

// SourceFailing puts the node on GitRepository flux-system/name, whose Ready
// condition is False with msg.
func SourceFailing(name, msg string, n Node) Node {
	n.SourceRef = SourceRef{Kind: flux.KindGitRepository, Namespace: TestNS, Name: name}
	n.SourceReady = status.Condition{Status: metav1.ConditionFalse, Reason: "GitOperationFailed", Message: msg}
	return n
}

func Offline(file string, line int, n Node) Node {
	n.Offline = true
	n.Ready = status.Condition{}
	n.Generation, n.ObservedGeneration = 0, 0
	n.File, n.Line = file, line
	return n
}

// Summary flattens a report into comparable strings.
type Summary struct {
	Cycles  []string
	Missing []string
	Causes  []string
}

func Summarize(r *Report) Summary {
	var s Summary
	for _, c := range r.Cycles {
		s.Cycles = append(s.Cycles, fmt.Sprintf("%s | %s", PathString(c.Path), c.Suggestion))
	}
	for _, m := range r.Missing {
		line := fmt.Sprintf("%s -> %s", m.Dependent, m.Target)
		if len(m.Suggestions) > 0 {
			line += " ? " + joinIDs(m.Suggestions)
		}
		if len(m.OtherKind) > 0 {
			line += " ! " + joinIDs(m.OtherKind)
		}
		s.Missing = append(s.Missing, line)
	}
	for _, c := range r.RootCauses {
		s.Causes = append(s.Causes, fmt.Sprintf("%s %s victims=[%s]", c.Kind, c.Node, joinShort(c.Victims)))
	}
	return s
}

func joinIDs(ids []NodeID) string { return join(ids, NodeID.String) }

func joinShort(ids []NodeID) string { return join(ids, NodeID.Short) }

func join(ids []NodeID, f func(NodeID) string) string {
	parts := make([]string, len(ids))
	for i, id := range ids {
		parts[i] = f(id)
	}
	return strings.Join(parts, ", ")
}
