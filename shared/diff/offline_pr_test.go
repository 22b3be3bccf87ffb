package diff

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"testing"
)

// appKs is an app's Flux Kustomization in the layout home-ops repositories use:
// apps/<name>/ks.yaml builds apps/<name>/app; dependsOn, when given, is one name.
func appKs(name, dependsOn string) string {
	s := "---\napiVersion: kustomize.toolkit.fluxcd.io/v1\nkind: Kustomization\nmetadata:\n  name: " + name + "\n  namespace: flux-system\nspec:\n"
	if dependsOn != "" {
		s += "  dependsOn:\n    - name: " + dependsOn + "\n"
	}
	return s + "  interval: 30m\n  path: ./apps/" + name + "/app\n  prune: true\n  sourceRef:\n    kind: GitRepository\n    name: flux-system\n  targetNamespace: shop\n"
}

// prFleet is one cluster in the flux bootstrap layout: flux-system applies
// infrastructure and apps (apps waits for infrastructure), apps applies one Flux
// Kustomization per app; web installs the repository's own chart, legacy is plain
// objects.
func prFleet() map[string]string {
	files := map[string]string{
		"clusters/production/flux-system/gotk-sync.yaml": "apiVersion: source.toolkit.fluxcd.io/v1\nkind: GitRepository\nmetadata:\n  name: flux-system\n  namespace: flux-system\nspec:\n  interval: 1m\n  url: https://example.com/fleet.git\n  ref:\n    branch: main\n---\n" +
			fleetKs("flux-system", "./clusters/production"),
		"clusters/production/flux-system/kustomization.yaml": "apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nresources:\n  - gotk-sync.yaml\n",
		"clusters/production/kustomization.yaml":             "apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nresources:\n  - flux-system\n  - infrastructure.yaml\n  - apps.yaml\n",
		"clusters/production/infrastructure.yaml":            fleetKs("infrastructure", "./infrastructure"),
		"clusters/production/apps.yaml":                      fleetKs("apps", "./apps") + "  dependsOn:\n    - name: infrastructure\n",
		"infrastructure/kustomization.yaml":                  "apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nresources:\n  - namespace.yaml\n",
		"infrastructure/namespace.yaml":                      "apiVersion: v1\nkind: Namespace\nmetadata:\n  name: shop\n",
		"apps/kustomization.yaml":                            "apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nresources:\n  - web/ks.yaml\n  - legacy/ks.yaml\n",
		"apps/web/ks.yaml":                                   appKs("web", "infrastructure"),
		"apps/web/app/kustomization.yaml":                    "apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nresources:\n  - release.yaml\n",
		"apps/web/app/release.yaml":                          helmRelease("web", "  chart:\n    spec:\n      chart: ./charts/web\n      sourceRef:\n        kind: GitRepository\n        name: flux-system\n        namespace: flux-system\n  values:\n    color: blue\n"),
		"apps/legacy/ks.yaml":                                appKs("legacy", "infrastructure"),
		"apps/legacy/app/kustomization.yaml":                 "apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nresources:\n  - config.yaml\n",
		"apps/legacy/app/config.yaml":                        configMap("legacy-config", "mode", "classic") + "---\n" + configMap("legacy-flags", "beta", "'false'"),
	}
	for p, c := range webChart("charts/web", "1.0.0", "") {
		files[p] = c
	}
	return files
}

// prChanges is the pull request: the chart's version bumped, an app added whose
// dependsOn has a typo, and legacy removed.
func prChanges() map[string]string {
	head := map[string]string{
		"apps/kustomization.yaml":             "apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nresources:\n  - web/ks.yaml\n  - billing/ks.yaml\n",
		"apps/billing/ks.yaml":                appKs("billing", "infrastucture"),
		"apps/billing/app/kustomization.yaml": "apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nresources:\n  - config.yaml\n",
		"apps/billing/app/config.yaml":        configMap("billing-config", "currency", "EUR"),
		"apps/legacy/ks.yaml":                 "",
		"apps/legacy/app/kustomization.yaml":  "",
		"apps/legacy/app/config.yaml":         "",
	}
	for p, c := range webChart("charts/web", "1.1.0", "") {
		head[p] = c
	}
	return head
}

// TestOfflinePullRequest diffs a pull request against its base and asserts every count
// a reviewer reads: which Kustomizations changed and how, the chart's objects, the
// dependency graph's new problem with its file and line, and the GitHub annotations.
func TestOfflinePullRequest(t *testing.T) {
	repo := gitRepo(t, prFleet())
	writeFiles(t, repo, prChanges())
	doc, err := Offline(context.Background(), OfflineOptions{Dir: repo, Base: "main"})
	if err != nil {
		t.Fatal(err)
	}
	if len(doc.Clusters) != 1 {
		t.Fatalf("%d clusters, want 1", len(doc.Clusters))
	}
	c := doc.Clusters[0]
	if c.Path != "clusters/production" || c.Change != Modified {
		t.Errorf("cluster %s %s, want clusters/production changed", c.Path, c.Change)
	}
	got := map[string]string{}
	for _, k := range c.Kustomizations {
		line := fmt.Sprintf("%s %s +%d -%d ~%d =%d", k.Change, k.Name, k.Summary.Added, k.Summary.Removed, k.Summary.Changed, k.Summary.Unchanged)
		for _, o := range k.Objects {
			line += fmt.Sprintf(" [%s %s]", o.Change, o.String())
		}
		for _, h := range k.HelmReleases {
			line += fmt.Sprintf(" {HelmRelease %s/%s %s %s->%s +%d -%d ~%d =%d", h.Namespace, h.Name, h.Change, h.BaseChart, h.HeadChart, h.Summary.Added, h.Summary.Removed, h.Summary.Changed, h.Summary.Unchanged)
			for _, o := range h.Objects {
				line += fmt.Sprintf(" [%s %s]", o.Change, o.String())
			}
			line += "}"
		}
		got[k.Name] = line
	}
	want := map[string]string{
		"apps":    "changed apps +1 -1 ~0 =1 [added Kustomization flux-system/billing] [removed Kustomization flux-system/legacy]",
		"billing": "added billing +1 -0 ~0 =0 [added ConfigMap shop/billing-config]",
		"legacy":  "removed legacy +0 -2 ~0 =0 [removed ConfigMap shop/legacy-config] [removed ConfigMap shop/legacy-flags]",
		"web":     "changed web +0 -0 ~0 =1 {HelmRelease shop/web changed web@1.0.0->web@1.1.0 +0 -0 ~1 =2 [changed ConfigMap shop/web-settings]}",
	}
	for name, w := range want {
		if got[name] != w {
			t.Errorf("Kustomization %s:\n got %s\nwant %s", name, got[name], w)
		}
	}
	for name := range got {
		if _, ok := want[name]; !ok {
			t.Errorf("Kustomization %s listed, want it counted as unchanged: %s", name, got[name])
		}
	}
	// Unchanged: flux-system's 4 objects, the Namespace, the web Kustomization and
	// HelmRelease, and the chart's Secret and ClusterRole.
	wantSummary := ClusterSummary{KustomizationsChanged: 4, KustomizationsUnchanged: 2, Added: 2, Removed: 3, Changed: 1, Unchanged: 9}
	if c.Summary != wantSummary {
		t.Errorf("cluster summary %+v, want %+v", c.Summary, wantSummary)
	}
	deps := c.Dependencies
	if len(deps.Problems) != 1 {
		t.Fatalf("problems %+v, want exactly the missing dependency", deps.Problems)
	}
	p := deps.Problems[0]
	if p.Kind != "missing" || p.File != "apps/billing/ks.yaml" || p.Line != 2 || !strings.Contains(p.Message, "flux-system/infrastucture, which does not exist") {
		t.Errorf("problem %+v, want billing's missing infrastucture at apps/billing/ks.yaml:2", p)
	}
	edges := func(es []Edge) string {
		var s []string
		for _, e := range es {
			s = append(s, e.Dependent+" -> "+e.Dependency)
		}
		return strings.Join(s, ", ")
	}
	if a := edges(deps.Added); a != "Kustomization flux-system/billing -> Kustomization flux-system/infrastucture" {
		t.Errorf("edges added %q", a)
	}
	if r := edges(deps.Removed); r != "Kustomization flux-system/legacy -> Kustomization flux-system/infrastructure" {
		t.Errorf("edges removed %q", r)
	}

	var gh bytes.Buffer
	if err := doc.WriteFormat(&gh, FormatGitHub); err != nil {
		t.Fatal(err)
	}
	lines := checkWorkflowCommands(t, repo, gh.String())
	sort.Strings(lines)
	wantLines := []string{
		"error apps/billing/ks.yaml:2",
		"notice apps/billing/ks.yaml:2",
		"notice removed (declared at the base in apps/legacy/ks.yaml:2)",
		"notice apps/web/app/release.yaml:1",
		"notice apps/web/ks.yaml:2",
		"notice clusters/production/apps.yaml:1",
	}
	sort.Strings(wantLines)
	if strings.Join(lines, "\n") != strings.Join(wantLines, "\n") {
		t.Errorf("annotations:\n%s\nwant:\n%s\noutput:\n%s", strings.Join(lines, "\n"), strings.Join(wantLines, "\n"), gh.String())
	}
}

// workflowCommand is GitHub Actions' workflow-command syntax for annotations:
// ::error|warning|notice, optional comma-separated key=value properties after one
// space, "::", then the message. Properties and message are escaped (% as %25, CR as
// %0D, LF as %0A; in properties also : and , as %3A and %2C).
var workflowCommand = regexp.MustCompile(`^::(error|warning|notice)(?: ((?:file|line|endLine|col|endColumn|title)=[^,:]*(?:,(?:file|line|endLine|col|endColumn|title)=[^,:]*)*))?::(.*)$`)

// checkWorkflowCommands checks every line of out against the workflow-command
// syntax, its escapes, and that file= names a file of repo with at least line= lines;
// it returns "command file:line" for each.
func checkWorkflowCommands(t *testing.T, repo, out string) []string {
	t.Helper()
	if !strings.HasSuffix(out, "\n") {
		t.Errorf("output does not end with a newline: %q", out)
	}
	badEscape := regexp.MustCompile(`%(?:[^20]|2[^5C]|0[^AD]|$)`)
	var got []string
	for i, line := range strings.Split(strings.TrimSuffix(out, "\n"), "\n") {
		m := workflowCommand.FindStringSubmatch(line)
		if m == nil {
			t.Errorf("line %d is not a workflow command: %q", i+1, line)
			continue
		}
		if strings.ContainsAny(line, "\r") || badEscape.MatchString(m[2]) || badEscape.MatchString(m[3]) {
			t.Errorf("line %d is not escaped as the toolkit escapes: %q", i+1, line)
		}
		props := map[string]string{}
		if m[2] != "" {
			for _, kv := range strings.Split(m[2], ",") {
				k, v, _ := strings.Cut(kv, "=")
				if _, dup := props[k]; dup {
					t.Errorf("line %d repeats %s: %q", i+1, k, line)
				}
				props[k] = v
			}
		}
		file, lineNo := props["file"], props["line"]
		if file == "" && m[1] == "notice" && strings.Contains(m[3], " removed: ") {
			// Removed at the head: placed on no line, the base's file named.
			got = append(got, m[1]+" removed"+m[3][strings.LastIndex(m[3], " ("):])
			continue
		}
		if file == "" || lineNo == "" {
			t.Errorf("line %d has no file and line: %q", i+1, line)
			continue
		}
		n, err := strconv.Atoi(lineNo)
		if err != nil || n < 1 {
			t.Errorf("line %d: line=%q is not a line number", i+1, lineNo)
			continue
		}
		if filepath.IsAbs(file) || strings.HasPrefix(file, "..") {
			t.Errorf("line %d: file=%q is not relative to the repository", i+1, file)
		}
		b, err := os.ReadFile(filepath.Join(repo, file))
		if err != nil {
			t.Errorf("line %d: file=%s: %v", i+1, file, err)
		} else if strings.Count(string(b), "\n") < n {
			t.Errorf("line %d: %s has fewer than %d lines", i+1, file, n)
		}
		if !strings.HasPrefix(m[3], "clusters/production: ") {
			t.Errorf("line %d: the message does not name its cluster: %q", i+1, m[3])
		}
		got = append(got, m[1]+" "+file+":"+lineNo)
	}
	return got
}

// TestGitHubEscapes writes annotations for names a repository may hold (a colon, a
// comma, a percent sign, a newline from a message) and reads each line back with the
// toolkit's unescaping: one command per line, every value as it was.
func TestGitHubEscapes(t *testing.T) {
	unescapeData := strings.NewReplacer("%0D", "\r", "%0A", "\n", "%25", "%").Replace
	unescapeProperty := strings.NewReplacer("%0D", "\r", "%0A", "\n", "%3A", ":", "%2C", ",", "%25", "%").Replace
	cases := []struct {
		name, file, message string
	}{
		{"plain", "apps/web/ks.yaml", "fails"},
		{"colon and comma in the file", "apps/a:b,c.yaml", "fails"},
		{"percent", "apps/100%/ks.yaml", "50% of %0A"},
		{"newline in the message", "apps/x.yaml", "first\nsecond\r\n::error::forged"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			d := Diff{Clusters: []Cluster{{Path: "clusters/c", Dependencies: DependencyChanges{Problems: []Problem{{Kind: "file", Message: tc.message, File: tc.file, Line: 3}}}}}}
			var b bytes.Buffer
			if err := d.WriteFormat(&b, FormatGitHub); err != nil {
				t.Fatal(err)
			}
			out := strings.TrimSuffix(b.String(), "\n")
			if strings.Contains(out, "\n") {
				t.Fatalf("one problem, several lines: %q", out)
			}
			m := workflowCommand.FindStringSubmatch(out)
			if m == nil {
				t.Fatalf("not a workflow command: %q", out)
			}
			if got := unescapeProperty(strings.TrimSuffix(strings.TrimPrefix(m[2], "file="), ",line=3")); got != tc.file {
				t.Errorf("file read back %q, want %q", got, tc.file)
			}
			if got := unescapeData(m[3]); got != "clusters/c: "+tc.message {
				t.Errorf("message read back %q", got)
			}
		})
	}
}

// TestOfflineSARIF reads the pull request's SARIF log as code scanning does: version
// 2.1.0, one run, every result naming a rule of the driver by id and index, at a file
// of the repository and a line in it.
func TestOfflineSARIF(t *testing.T) {
	repo := gitRepo(t, prFleet())
	writeFiles(t, repo, prChanges())
	doc, err := Offline(context.Background(), OfflineOptions{Dir: repo, Base: "main"})
	if err != nil {
		t.Fatal(err)
	}
	var b bytes.Buffer
	if err := doc.WriteFormat(&b, FormatSARIF); err != nil {
		t.Fatal(err)
	}
	var log struct {
		Version string `json:"version"`
		Runs    []struct {
			Tool struct {
				Driver struct {
					Name  string `json:"name"`
					Rules []struct {
						ID string `json:"id"`
					} `json:"rules"`
				} `json:"driver"`
			} `json:"tool"`
			Results []struct {
				RuleID    string `json:"ruleId"`
				RuleIndex int    `json:"ruleIndex"`
				Level     string `json:"level"`
				Message   struct {
					Text string `json:"text"`
				} `json:"message"`
				Locations []struct {
					PhysicalLocation struct {
						ArtifactLocation struct {
							URI       string `json:"uri"`
							URIBaseID string `json:"uriBaseId"`
						} `json:"artifactLocation"`
						Region struct {
							StartLine int `json:"startLine"`
						} `json:"region"`
					} `json:"physicalLocation"`
				} `json:"locations"`
			} `json:"results"`
		} `json:"runs"`
	}
	var raw map[string]json.RawMessage
	if err := json.Unmarshal(b.Bytes(), &raw); err != nil {
		t.Fatalf("not JSON: %v\n%s", err, b.String())
	}
	if err := json.Unmarshal(b.Bytes(), &log); err != nil {
		t.Fatal(err)
	}
	if log.Version != "2.1.0" || len(log.Runs) != 1 || log.Runs[0].Tool.Driver.Name != "kubectl-gitops" {
		t.Fatalf("log %+v", log)
	}
	run := log.Runs[0]
	if len(run.Results) != 1 {
		t.Fatalf("%d results, want the one new problem:\n%s", len(run.Results), b.String())
	}
	r := run.Results[0]
	loc := r.Locations[0].PhysicalLocation
	if r.RuleID != "gitops/missing-dependency" || run.Tool.Driver.Rules[r.RuleIndex].ID != r.RuleID || r.Level != "error" ||
		loc.ArtifactLocation.URI != "apps/billing/ks.yaml" || loc.ArtifactLocation.URIBaseID != "%SRCROOT%" || loc.Region.StartLine != 2 ||
		!strings.HasPrefix(r.Message.Text, "clusters/production: Kustomization flux-system/billing depends on flux-system/infrastucture") {
		t.Errorf("result %+v", r)
	}
}
