package deps

import (
	"fmt"
	"sort"
	"time"
)

// Budget is how long a push can take to be applied by one Kustomization or
// HelmRelease, from the settings on its way: its source's poll, each dependsOn level's
// requeue, each apply with its health checks. Worst is every wait at its longest (a
// push just after a poll, a dependency ready just after a look, health checks until
// their timeout); Typical is half of each interval and each apply as long as it took
// last (the timeout when unknown offline is not typical: the last duration, or 0).
type Budget struct {
	Node    NodeID
	Worst   time.Duration
	Typical time.Duration
	// Path is the critical path's terms, from the push to this node's apply.
	Path []Term
	// Shorten is the setting whose terms weigh most on the critical path: what to
	// change first.
	Shorten *Term
	// Unknown lists what the budget could not count (a source's interval not known).
	Unknown []string
	// Never says it never applies: it is in a dependency cycle, or waits on one.
	Never bool
}

// Term is one wait on the way, with the setting that bounds it.
type Term struct {
	// What waits: "source poll", "chart poll", "dependency requeue", "apply".
	What string
	// Of is the object whose wait it is (its own ID, or the node waiting).
	Of NodeID
	// Setting is what bounds it: "GitRepository flux-system/fleet spec.interval=10m".
	Setting string
	// Detail says how else to shorten it.
	Detail  string
	Worst   time.Duration
	Typical time.Duration
}

// Latency computes the budget of every Kustomization and HelmRelease of nodes.
// requeue is kustomize- and helm-controller's --requeue-dependency. A node waits for
// its source (or chart), then for each dependency to apply plus one requeue, the
// longest of them; then applies. Nodes in a dependency cycle never apply: their
// budget says so.
func Latency(nodes []Node, requeue time.Duration) []Budget {
	l := latency{byID: map[NodeID]*Node{}, memo: map[NodeID]*Budget{}, requeue: requeue, visiting: map[NodeID]bool{}}
	for i := range nodes {
		if nodes[i].Kind == KindKustomization || nodes[i].Kind == KindHelmRelease {
			l.byID[nodes[i].ID()] = &nodes[i]
		}
	}
	var out []Budget
	for i := range nodes {
		if b := l.budget(nodes[i].ID()); b != nil {
			out = append(out, *b)
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Node.Key() < out[j].Node.Key() })
	return out
}

type latency struct {
	byID     map[NodeID]*Node
	memo     map[NodeID]*Budget
	visiting map[NodeID]bool
	requeue  time.Duration
}

func (l *latency) budget(id NodeID) *Budget {
	if b, ok := l.memo[id]; ok {
		return b
	}
	n, ok := l.byID[id]
	if !ok {
		return nil
	}
	if l.visiting[id] {
		return &Budget{Node: id, Never: true}
	}
	l.visiting[id] = true
	defer delete(l.visiting, id)

	b := &Budget{Node: id}
	path := []Term{l.start(n, b)}
	// The dependency whose own way plus one requeue is longest holds this one back.
	for _, d := range n.DependsOn {
		kind := d.Kind
		if kind == "" {
			kind = n.Kind
		}
		db := l.budget(NodeID{Kind: kind, Namespace: d.Namespace, Name: d.Name})
		if db == nil {
			b.Unknown = append(b.Unknown, fmt.Sprintf("dependency %s/%s is not in the fleet", d.Namespace, d.Name))
			continue
		}
		if db.Never {
			// In a cycle, or waiting on one: Flux never applies it.
			b.Never, b.Path, b.Worst, b.Typical = true, nil, 0, 0
			l.memo[id] = b
			return b
		}
		b.Unknown = append(b.Unknown, db.Unknown...)
		dpath := append(append([]Term(nil), db.Path...), Term{What: "dependency requeue", Of: id,
			Setting: fmt.Sprintf("controllers' --requeue-dependency=%s", l.requeue), Worst: l.requeue, Typical: l.requeue / 2})
		if worst(dpath) > worst(path) {
			path = dpath
		}
	}
	path = append(path, l.apply(n))
	b.Path = path
	for _, t := range path {
		b.Worst += t.Worst
		b.Typical += t.Typical
	}
	b.Shorten = heaviest(path)
	l.memo[id] = b
	return b
}

// start is the wait for the push to reach the node: its source's poll (a
// Kustomization), or its chart's (a HelmRelease).
func (l *latency) start(n *Node, b *Budget) Term {
	if n.Kind == KindHelmRelease {
		return Term{What: "chart poll", Of: n.ID(), Setting: fmt.Sprintf("%s spec.chart.spec.interval=%s", n.ID(), n.ChartInterval),
			Worst: n.ChartInterval, Typical: n.ChartInterval / 2}
	}
	src := NodeID{Kind: Kind(n.SourceRef.Kind), Namespace: n.SourceRef.Namespace, Name: n.SourceRef.Name}
	if n.SourceInterval == 0 {
		b.Unknown = append(b.Unknown, fmt.Sprintf("the interval of %s is not known", src))
	}
	t := Term{What: "source poll", Of: src, Setting: fmt.Sprintf("%s spec.interval=%s", src, n.SourceInterval),
		Detail: "a webhook Receiver makes it seconds", Worst: n.SourceInterval, Typical: n.SourceInterval / 2}
	if n.SourceReceiver != "" {
		// The webhook asks for the fetch on the push: typically seconds; a call that
		// never comes (the Git server's webhook failed) falls back to the poll.
		t.What, t.Typical = "webhook (else source poll)", 0
		t.Detail = "Receiver " + n.SourceReceiver + " triggers it on a push; the poll is the fallback"
	}
	return t
}

// apply is the node's own apply: with health checks (spec.wait, healthChecks; a
// HelmRelease always waits by default) it may take up to its timeout.
func (l *latency) apply(n *Node) Term {
	t := Term{What: "apply", Of: n.ID(), Worst: n.LastDuration, Typical: n.LastDuration}
	if n.Kind == KindHelmRelease || n.WaitsAll || len(n.WaitsFor) > 0 {
		t.What, t.Worst = "apply and health checks", n.Timeout
		t.Setting = fmt.Sprintf("%s spec.timeout=%s", n.ID(), n.Timeout)
	}
	return t
}

func worst(path []Term) time.Duration {
	var d time.Duration
	for _, t := range path {
		d += t.Worst
	}
	return d
}

// heaviest is the setting whose terms add up to the most on the path (a requeue
// counts once per dependsOn level it is paid on).
func heaviest(path []Term) *Term {
	sums := map[string]*Term{}
	var order []string
	for _, t := range path {
		if t.Setting == "" {
			continue
		}
		s, ok := sums[t.Setting]
		if !ok {
			c := t
			c.Worst, c.Typical = 0, 0
			s = &c
			sums[t.Setting] = s
			order = append(order, t.Setting)
		}
		s.Worst += t.Worst
		s.Typical += t.Typical
	}
	var best *Term
	for _, k := range order {
		if best == nil || sums[k].Worst > best.Worst {
			best = sums[k]
		}
	}
	return best
}
