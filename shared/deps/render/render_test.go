package render

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/kubectl-gitops/kubectl-gitops/shared/deps"
	. "github.com/kubectl-gitops/kubectl-gitops/shared/deps/depstest"
	"github.com/kubectl-gitops/kubectl-gitops/shared/output"
	"github.com/kubectl-gitops/kubectl-gitops/shared/output/outputtest"
	"github.com/kubectl-gitops/kubectl-gitops/shared/status"
)

var update = flag.Bool("update", false, "rewrite testdata/*.golden from the current output")

// clusterFixture is a small but complete cluster: a healthy base, a failing
// layer with two victims, a suspended node, a cycle, a typo in another
// namespace and a HelmRelease chain.
func clusterFixture() []deps.Node {
	const rev = "main@sha1:5f2c7e9d8c3b4a1f0e9d8c7b6a5f4e3d2c1b0a99"
	git := func(n deps.Node) deps.Node { return FromGit(rev, rev, n) }
	return []deps.Node{
		git(KS("flux-system")),
		git(KS("infra-controllers", "flux-system")),
		git(Failing("HealthCheckFailed", "timeout waiting for: [ClusterIssuer/letsencrypt status: 'InProgress']",
			KS("infra-configs", "infra-controllers"))),
		git(Waiting(KS("apps", "infra-configs"))),
		git(Waiting(KS("tenants", "apps"))),
		git(Suspended(KS("monitoring", "infra-controllers"))),
		git(Waiting(KS("loop-a", "loop-b"))),
		git(Waiting(KS("loop-b", "loop-a"))),
		git(Waiting(KSIn("team-a", "web", "flux-system/infra-config"))),
		inHR("monitoring", HR("kube-prometheus-stack")),
		inHR("monitoring", HR("loki", "kube-prometheus-stack")),
	}
}

func inHR(ns string, n deps.Node) deps.Node {
	n.Namespace = ns
	for i := range n.DependsOn {
		n.DependsOn[i].Namespace = ns
	}
	return n
}

func offlineFixture() []deps.Node {
	return []deps.Node{
		Offline("clusters/prod/flux-system/gotk-sync.yaml", 12, KS("flux-system")),
		Offline("clusters/prod/infrastructure.yaml", 1, KS("infrastructure", "flux-system", "apps")),
		Offline("clusters/prod/apps.yaml", 1, KS("apps", "infrastructure")),
		Offline("clusters/prod/apps.yaml", 19, KS("tenants", "app")),
	}
}

// docsFixture is a typical multi-stage fleet: cert-manager and crossplane on the root, their dependents below.
func docsFixture() []deps.Node {
	return []deps.Node{
		KS("flux-system"),
		KS("cert-manager", "flux-system"),
		KS("external-secrets", "cert-manager"),
		KS("aws-lb-controller", "cert-manager"),
		KS("crossplane", "flux-system"),
		KS("aws-accounts", "crossplane"),
	}
}

// deadlockFixture is the cross-kind deadlock of Flux's RFC, live: infra waits for the
// cert-manager release it applies, which needs the crds release, which the crds
// Kustomization applies only after infra is Ready.
func deadlockFixture() []deps.Node {
	by := func(parent string, n deps.Node) deps.Node {
		n.AppliedBy = deps.NodeID{Kind: deps.KindKustomization, Namespace: "flux-system", Name: parent}
		return n
	}
	infra := Failing("HealthCheckFailed", "timeout waiting for: [HelmRelease/flux-system/cert-manager status: 'InProgress']", KS("infra"))
	infra.WaitsAll = true
	return []deps.Node{
		KS("flux-system"),
		by("flux-system", infra),
		by("flux-system", Waiting(KS("crds", "infra"))),
		by("infra", Waiting(HR("cert-manager", "crds"))),
		by("crds", HR("crds")),
	}
}

func TestRenderGolden(t *testing.T) {
	cluster := deps.Analyze(context.Background(), clusterFixture())
	tests := []struct {
		file   string
		render func(*bytes.Buffer) error
	}{
		{"tree.golden", func(b *bytes.Buffer) error { return Tree(b, cluster, false) }},
		{"tree-color.golden", func(b *bytes.Buffer) error { return Tree(b, cluster, true) }},
		{"tree-offline.golden", func(b *bytes.Buffer) error {
			return Tree(b, deps.Analyze(context.Background(), offlineFixture()), false)
		}},
		{"tree-healthy.golden", func(b *bytes.Buffer) error { return Tree(b, deps.Analyze(context.Background(), docsFixture()), false) }},
		{"tree-deadlock.golden", func(b *bytes.Buffer) error {
			return Tree(b, deps.Analyze(context.Background(), deadlockFixture()), false)
		}},
		{"dot.golden", func(b *bytes.Buffer) error { return DOT(b, cluster) }},
		{"mermaid.golden", func(b *bytes.Buffer) error { return Mermaid(b, cluster) }},
		{"mermaid-docs.golden", func(b *bytes.Buffer) error { return Mermaid(b, deps.Analyze(context.Background(), docsFixture())) }},
		{"json.golden", func(b *bytes.Buffer) error { return output.Write(b, output.FormatJSON, Document(cluster)) }},
	}
	for _, tc := range tests {
		t.Run(tc.file, func(t *testing.T) {
			var buf bytes.Buffer
			if err := tc.render(&buf); err != nil {
				t.Fatal(err)
			}
			outputtest.Golden(t, filepath.Join("testdata", tc.file), buf.Bytes(), *update)
		})
	}
}

func TestRenderTreeWithoutColorHasNoEscapes(t *testing.T) {
	var buf bytes.Buffer
	if err := Tree(&buf, deps.Analyze(context.Background(), clusterFixture()), false); err != nil {
		t.Fatal(err)
	}
	if strings.Contains(buf.String(), "\x1b") {
		t.Error("color=false output contains an ANSI escape")
	}
}

// TestRenderTreeTrustsNoString puts line breaks and escape sequences into every string
// the tree shows (names, reasons, messages): each stays on its line, made visible.
func TestRenderTreeTrustsNoString(t *testing.T) {
	for _, color := range []bool{false, true} {
		var buf bytes.Buffer
		evil := KSIn("ns\x1b]0;owned\a", "infra\nKustomization forged  Ready")
		r := deps.Analyze(context.Background(), []deps.Node{
			Failing("Build\x1b[31mFailed", "kustomize build failed:\nline two\x1b[2J", evil),
			Waiting(KSIn("ns\x1b]0;owned\a", "app", "dep\x1b[2J")),
		})
		if err := Tree(&buf, r, color); err != nil {
			t.Fatal(err)
		}
		out := buf.String()
		for _, raw := range []string{"\x1b]0;", "\x1b[2J", "\x1b[31mFailed", "\nKustomization forged", "\nline two"} {
			if strings.Contains(out, raw) {
				t.Errorf("color=%v: %q reached the terminal raw:\n%s", color, raw, out)
			}
		}
		for _, shown := range []string{`kustomize build failed:\nline two\x1b[2J`, `infra\nKustomization forged  Ready`} {
			if !strings.Contains(out, shown) {
				t.Errorf("color=%v: %q not shown escaped:\n%s", color, shown, out)
			}
		}
	}
}

func TestRenderJSONSchema(t *testing.T) {
	var buf bytes.Buffer
	if err := output.Write(&buf, output.FormatJSON, Document(deps.Analyze(context.Background(), nil))); err != nil {
		t.Fatal(err)
	}
	var doc map[string]any
	if err := json.Unmarshal(buf.Bytes(), &doc); err != nil {
		t.Fatal(err)
	}
	if doc["apiVersion"] != "gitops.kubectl.io/v1alpha1" || doc["kind"] != "DependencyReport" {
		t.Errorf("identity = %v %v", doc["apiVersion"], doc["kind"])
	}
	for _, k := range []string{"nodes", "edges", "cycles", "missing", "rootCauses", "duplicates"} {
		if _, ok := doc[k].([]any); !ok {
			t.Errorf("%s is %T, want an array even when empty", k, doc[k])
		}
	}
}

func TestMermaidLabel(t *testing.T) {
	tests := []struct{ in, want string }{
		{"flux-system", "flux-system"},
		{"cert_manager2", "cert_manager2"},
		{"flux-system/apps", `"flux-system/apps"`},
		{`a"b#c<d>`, `"a#quot;b#35;c#lt;d#gt;"`},
		{"", `""`},
	}
	for _, tc := range tests {
		if got := mermaidLabel(tc.in); got != tc.want {
			t.Errorf("mermaidLabel(%q) = %s, want %s", tc.in, got, tc.want)
		}
	}
}

func TestDotQuote(t *testing.T) {
	if got, want := dotQuote("a\"b\\c\nd"), `"a\"b\\c\nd"`; got != want {
		t.Errorf("dotQuote = %s, want %s", got, want)
	}
}

type failWriter struct{}

func (failWriter) Write([]byte) (int, error) { return 0, os.ErrClosed }

func TestRenderersReportWriteErrors(t *testing.T) {
	r := deps.Analyze(context.Background(), clusterFixture())
	for name, err := range map[string]error{
		"tree":    Tree(failWriter{}, r, false),
		"dot":     DOT(failWriter{}, r),
		"mermaid": Mermaid(failWriter{}, r),
		"json":    output.Write(failWriter{}, output.FormatJSON, Document(r)),
	} {
		if err == nil {
			t.Errorf("%s: write error was swallowed", name)
		}
	}
}

// TestTreeShowsSuspensions: a suspension recorded by `rollback suspend` is shown on its
// object with its reason and end, OVERDUE past it, even when nothing is blocked.
func TestTreeShowsSuspensions(t *testing.T) {
	now := time.Date(2026, 12, 3, 12, 0, 0, 0, time.UTC)
	at, past, future := now.Add(-3*time.Hour), now.Add(-time.Hour), now.Add(time.Hour)
	suspend := func(reason string, until time.Time, n deps.Node) deps.Node {
		n = Suspended(n)
		n.Suspension = &status.Suspension{Reason: reason, By: "alice", At: &at, Until: &until}
		return n
	}
	r := deps.Analyze(context.Background(), []deps.Node{
		suspend("INC-42: bad migration", past, KS("apps")),
		suspend("INC-43: noisy alerts", future, KS("monitoring")),
		Suspended(KS("legacy")),
	})
	var buf bytes.Buffer
	if err := TreeWith(&buf, r, TreeOptions{Now: now}); err != nil {
		t.Fatal(err)
	}
	out := buf.String()
	for _, want := range []string{
		"Kustomization flux-system/apps  Suspended, Ready: INC-42: bad migration (by alice, since 2026-12-03T09:00:00Z, until 2026-12-03T11:00:00Z, OVERDUE)\n",
		"Kustomization flux-system/monitoring  Suspended, Ready: INC-43: noisy alerts (by alice, since 2026-12-03T09:00:00Z, until 2026-12-03T13:00:00Z)\n",
		"Kustomization flux-system/legacy  Suspended, Ready\n",
		"No cycles, no missing dependencies, nothing blocked.",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("tree lacks %q:\n%s", want, out)
		}
	}
	buf.Reset()
	if err := TreeWith(&buf, r, TreeOptions{Now: now, Color: true}); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(buf.String(), "\x1b[31mINC-42: bad migration (by alice, since 2026-12-03T09:00:00Z, until 2026-12-03T11:00:00Z, OVERDUE)\x1b[0m") {
		t.Errorf("an overdue suspension is not red:\n%q", buf.String())
	}
	doc := Document(r)
	if s := doc.Nodes[0].Suspension; s == nil || s.Reason != "INC-42: bad migration" || !s.Until.Equal(past) {
		t.Errorf("json node %s: suspension %+v", doc.Nodes[0].ID, s)
	}
}

// TestSummaryLineCounts: every count agrees with its noun ("1 dependency").
func TestSummaryLineCounts(t *testing.T) {
	for _, tc := range []struct {
		nodes []deps.Node
		want  string
	}{
		{[]deps.Node{KS("a"), KS("b", "a")}, "2 objects, 1 dependency: no problems."},
		{[]deps.Node{KS("a", "b")}, "1 object, 1 dependency: 1 missing dependency."},
		{[]deps.Node{KS("a"), KS("b", "a"), KS("c", "a")}, "3 objects, 2 dependencies: no problems."},
	} {
		if got := summaryLine(deps.Analyze(context.Background(), tc.nodes)); got != tc.want {
			t.Errorf("summary %q, want %q", got, tc.want)
		}
	}
}
