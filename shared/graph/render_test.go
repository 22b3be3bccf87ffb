package graph

import (
	"bytes"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

var update = flag.Bool("update", false, "rewrite testdata/*.golden from the current output")

// clusterFixture is a small but complete cluster: a healthy base, a failing
// layer with two victims, a suspended node, a cycle, a typo in another
// namespace and a HelmRelease chain.
func clusterFixture() []Node {
	const rev = "main@sha1:5f2c7e9d8c3b4a1f0e9d8c7b6a5f4e3d2c1b0a99"
	git := func(n Node) Node { return fromGit(rev, rev, n) }
	return []Node{
		git(ks("flux-system")),
		git(ks("infra-controllers", "flux-system")),
		git(failing("HealthCheckFailed", "timeout waiting for: [ClusterIssuer/letsencrypt status: 'InProgress']",
			ks("infra-configs", "infra-controllers"))),
		git(waiting(ks("apps", "infra-configs"))),
		git(waiting(ks("tenants", "apps"))),
		git(suspended(ks("monitoring", "infra-controllers"))),
		git(waiting(ks("loop-a", "loop-b"))),
		git(waiting(ks("loop-b", "loop-a"))),
		git(waiting(ksIn("team-a", "web", "flux-system/infra-config"))),
		inHR("monitoring", hr("kube-prometheus-stack")),
		inHR("monitoring", hr("loki", "kube-prometheus-stack")),
	}
}

func inHR(ns string, n Node) Node {
	n.Namespace = ns
	for i := range n.DependsOn {
		n.DependsOn[i].Namespace = ns
	}
	return n
}

func offlineFixture() []Node {
	return []Node{
		offline("clusters/prod/flux-system/gotk-sync.yaml", 12, ks("flux-system")),
		offline("clusters/prod/infrastructure.yaml", 1, ks("infrastructure", "flux-system", "apps")),
		offline("clusters/prod/apps.yaml", 1, ks("apps", "infrastructure")),
		offline("clusters/prod/apps.yaml", 19, ks("tenants", "app")),
	}
}

// docsFixture is the graph drawn in the team's GitOps workflow guide.
func docsFixture() []Node {
	return []Node{
		ks("flux-system"),
		ks("cert-manager", "flux-system"),
		ks("external-secrets", "cert-manager"),
		ks("aws-lb-controller", "cert-manager"),
		ks("crossplane", "flux-system"),
		ks("aws-accounts", "crossplane"),
	}
}

func TestRenderGolden(t *testing.T) {
	cluster := Analyze(clusterFixture())
	tests := []struct {
		file   string
		render func(*bytes.Buffer) error
	}{
		{"tree.golden", func(b *bytes.Buffer) error { return RenderTree(b, cluster, false) }},
		{"tree-color.golden", func(b *bytes.Buffer) error { return RenderTree(b, cluster, true) }},
		{"tree-offline.golden", func(b *bytes.Buffer) error { return RenderTree(b, Analyze(offlineFixture()), false) }},
		{"tree-healthy.golden", func(b *bytes.Buffer) error { return RenderTree(b, Analyze(docsFixture()), false) }},
		{"dot.golden", func(b *bytes.Buffer) error { return RenderDOT(b, cluster) }},
		{"mermaid.golden", func(b *bytes.Buffer) error { return RenderMermaid(b, cluster) }},
		{"mermaid-docs.golden", func(b *bytes.Buffer) error { return RenderMermaid(b, Analyze(docsFixture())) }},
		{"json.golden", func(b *bytes.Buffer) error { return RenderJSON(b, cluster) }},
	}
	for _, tc := range tests {
		t.Run(tc.file, func(t *testing.T) {
			var buf bytes.Buffer
			if err := tc.render(&buf); err != nil {
				t.Fatal(err)
			}
			path := filepath.Join("testdata", tc.file)
			if *update {
				if err := os.WriteFile(path, buf.Bytes(), 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}
			want, err := os.ReadFile(path)
			if err != nil {
				t.Fatalf("%v (run with -update to create it)", err)
			}
			if got := buf.String(); got != string(want) {
				t.Errorf("%s differs from the output (run with -update after checking):\n--- got\n%s\n--- want\n%s", path, got, want)
			}
		})
	}
}

func TestRenderTreeWithoutColorHasNoEscapes(t *testing.T) {
	var buf bytes.Buffer
	if err := RenderTree(&buf, Analyze(clusterFixture()), false); err != nil {
		t.Fatal(err)
	}
	if strings.Contains(buf.String(), "\x1b") {
		t.Error("color=false output contains an ANSI escape")
	}
}

func TestRenderTreeIndentsMultiLineMessages(t *testing.T) {
	var buf bytes.Buffer
	r := Analyze([]Node{failing("BuildFailed", "kustomize build failed:\nline two", ks("infra"))})
	if err := RenderTree(&buf, r, false); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(buf.String(), "kustomize build failed:\n    line two\n") {
		t.Errorf("continuation line not indented:\n%s", buf.String())
	}
}

func TestRenderJSONSchema(t *testing.T) {
	var buf bytes.Buffer
	if err := RenderJSON(&buf, Analyze(nil)); err != nil {
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
	r := Analyze(clusterFixture())
	for name, err := range map[string]error{
		"tree":    RenderTree(failWriter{}, r, false),
		"dot":     RenderDOT(failWriter{}, r),
		"mermaid": RenderMermaid(failWriter{}, r),
		"json":    RenderJSON(failWriter{}, r),
	} {
		if err == nil {
			t.Errorf("%s: write error was swallowed", name)
		}
	}
}
