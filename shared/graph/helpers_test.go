package graph

import (
	"fmt"
	"strings"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// Builders for test nodes. Every node starts Ready at generation 1 in
// flux-system; the modifiers below return changed copies so cases read as
// one expression each.

const testNS = "flux-system"

func ks(name string, deps ...string) Node { return node(KindKustomization, testNS, name, deps) }
func hr(name string, deps ...string) Node { return node(KindHelmRelease, testNS, name, deps) }

// ksIn builds a Kustomization in namespace ns; unqualified deps default to
// ns, as Flux defaults them.
func ksIn(ns, name string, deps ...string) Node { return node(KindKustomization, ns, name, deps) }

func node(kind Kind, ns, name string, deps []string) Node {
	n := Node{
		Kind:               kind,
		Namespace:          ns,
		Name:               name,
		Ready:              ReadyCondition{Status: metav1.ConditionTrue, Reason: "ReconciliationSucceeded"},
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

func waiting(n Node) Node {
	n.Ready = ReadyCondition{Status: metav1.ConditionFalse, Reason: DependencyNotReadyReason,
		Message: "dependency is not ready"}
	return n
}

func failing(reason, msg string, n Node) Node {
	n.Ready = ReadyCondition{Status: metav1.ConditionFalse, Reason: reason, Message: msg}
	return n
}

func suspended(n Node) Node {
	n.Suspended = true
	return n
}

func generations(gen, observed int64, n Node) Node {
	n.Generation, n.ObservedGeneration = gen, observed
	return n
}

// fromGit puts the node on the shared flux-system GitRepository, which is at
// sourceRev, with applied as its lastAppliedRevision.
func fromGit(sourceRev, applied string, n Node) Node {
	n.SourceRef = SourceRef{Kind: "GitRepository", Namespace: testNS, Name: "flux-system"}
	n.SourceRevision = sourceRev
	n.LastAppliedRevision = applied
	return n
}

func offline(file string, line int, n Node) Node {
	n.Offline = true
	n.Ready = ReadyCondition{}
	n.Generation, n.ObservedGeneration = 0, 0
	n.File, n.Line = file, line
	return n
}

// summary flattens a report into comparable strings.
type summary struct {
	Cycles  []string
	Missing []string
	Causes  []string
}

func summarize(r *Report) summary {
	var s summary
	for _, c := range r.Cycles {
		s.Cycles = append(s.Cycles, fmt.Sprintf("%s | %s", pathString(c.Path), c.Suggestion))
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
