package main_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/fluxcd/pkg/apis/meta"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"

	"github.com/kubectl-gitops/kubectl-gitops/shared/deps/render"
	"github.com/kubectl-gitops/kubectl-gitops/shared/output"
	"github.com/kubectl-gitops/kubectl-gitops/shared/output/outputtest"
	"github.com/kubectl-gitops/kubectl-gitops/shared/status"
	"github.com/kubectl-gitops/kubectl-gitops/shared/testbed"
)

// Every dependency problem deps must name, as one fleet. Every case has its own namespace (two for
// the cross-namespace one) so the cases cannot explain each other's problems.
//
//	cycle2   a -> b -> a                          two-node cycle
//	cycle3   p -> q -> r -> p, s -> p             three-node cycle with a victim outside
//	missing  app -> databse (typo), database      dependency on a name that does not exist
//	failing  broken (path not in Git) <- d1, d2;  one root cause, four victims
//	         d1 <- d3; d2 <- d4
//	cross-a  app -> cross-b/platform              cross-namespace dependency, healthy
//	helm     HelmReleases web -> api -> db         HelmRelease chain, healthy
//	lag      top -> base, base suspended, then    suspended dependency whose shared
//	         the shared source moves on            source moves on
//
// Kustomizations of the cycles read GitRepository "cycles": kustomize-controller's
// dependency sort fails on a cycle and then drops event-driven reconciles for every
// Kustomization of that source (kustomize-controller issue 1712), which must not slow
// the other cases. The lag case has its own repository and GitRepository because it
// pushes a second commit.
const (
	srcDeps   = "deps"
	srcCycles = "cycles"
	srcLag    = "lag"
)

// ksAt is a Kustomization of namespace ns applying ./ns/name of a GitRepository in
// flux-system.
func ksAt(ns, name, source string, deps ...string) testbed.Kustomization {
	return testbed.Kustomization{
		Namespace: ns, Name: name, Path: "./" + ns + "/" + name,
		Source: source, SourceNamespace: testbed.FluxNamespace, DependsOn: deps,
	}
}

type helmRelease struct {
	ns, name  string
	dependsOn []string
}

// depsFleet is the whole fixture: what goes into Git and what is applied.
type depsFleet struct {
	kustomizations []testbed.Kustomization
	helmReleases   []helmRelease
}

func newDepsFleet() depsFleet {
	broken := ksAt("failing", "broken", srcDeps)
	broken.Path = "./failing/does-not-exist"
	return depsFleet{
		kustomizations: []testbed.Kustomization{
			ksAt("cycle2", "a", srcCycles, "b"),
			ksAt("cycle2", "b", srcCycles, "a"),
			ksAt("cycle3", "p", srcCycles, "q"),
			ksAt("cycle3", "q", srcCycles, "r"),
			ksAt("cycle3", "r", srcCycles, "p"),
			ksAt("cycle3", "s", srcCycles, "p"),
			ksAt("missing", "database", srcDeps),
			ksAt("missing", "app", srcDeps, "databse"),
			broken,
			ksAt("failing", "d1", srcDeps, "broken"),
			ksAt("failing", "d2", srcDeps, "broken"),
			ksAt("failing", "d3", srcDeps, "d1"),
			ksAt("failing", "d4", srcDeps, "d2"),
			ksAt("cross-b", "platform", srcDeps),
			ksAt("cross-a", "app", srcDeps, "cross-b/platform"),
			ksAt("lag", "base", srcLag),
			ksAt("lag", "top", srcLag, "base"),
		},
		helmReleases: []helmRelease{
			{"helm", "db", nil},
			{"helm", "api", []string{"db"}},
			{"helm", "web", []string{"api"}},
		},
	}
}

func (f depsFleet) namespaces() []string {
	seen := map[string]bool{}
	var out []string
	add := func(ns string) {
		if !seen[ns] {
			seen[ns] = true
			out = append(out, ns)
		}
	}
	for _, k := range f.kustomizations {
		add(k.Namespace)
	}
	for _, h := range f.helmReleases {
		add(h.ns)
	}
	return out
}

// repoFiles returns the files of the Git repository behind source: one ConfigMap per
// Kustomization path (the broken one's path is absent on purpose) and, for the main
// repository, the chart of the HelmReleases.
func (f depsFleet) repoFiles(source, commit string) map[string]string {
	files := map[string]string{}
	for _, k := range f.kustomizations {
		if k.Source != source || k.Name == "broken" {
			continue
		}
		files[strings.TrimPrefix(k.Path, "./")+"/cm.yaml"] = testbed.ConfigMapYAML(k.Namespace, k.Name, "commit", commit)
	}
	if source == srcDeps {
		for k, v := range testbed.ChartFiles("charts/app", "app", "0.1.0") {
			files[k] = v
		}
	}
	return files
}

func (f depsFleet) helmReleaseYAML(h helmRelease) string {
	return testbed.HelmReleaseYAML(h.ns, h.name, "./charts/app", testbed.FluxNamespace, srcDeps, h.dependsOn...)
}

// objectFiles returns every Kustomization and HelmRelease as a manifest file, by path:
// the form the offline tests read and the live test applies.
func (f depsFleet) objectFiles() map[string]string {
	files := map[string]string{}
	for _, k := range f.kustomizations {
		files[k.Namespace+"/"+k.Name+".yaml"] = testbed.KustomizationYAML(k)
	}
	for _, h := range f.helmReleases {
		files[h.ns+"/hr-"+h.name+".yaml"] = f.helmReleaseYAML(h)
	}
	return files
}

// Conditions Flux itself writes, waited for before the tool looks.

// readyCond is the Ready condition as Flux wrote it.
func readyCond(u *unstructured.Unstructured) (ready, reason, message string) {
	c := status.Of(u).Ready
	return string(c.Status), c.Reason, c.Message
}

// dependencyNotReady holds once Flux reports Ready=False DependencyNotReady with a
// message containing want.
func dependencyNotReady(want string) func(*unstructured.Unstructured) bool {
	return func(u *unstructured.Unstructured) bool {
		s, r, m := readyCond(u)
		return s == "False" && r == meta.DependencyNotReadyReason && strings.Contains(m, want)
	}
}

// failingWith holds once Flux reports Ready=False for a reason of the object's own.
func failingWith(want string) func(*unstructured.Unstructured) bool {
	return func(u *unstructured.Unstructured) bool {
		s, r, m := readyCond(u)
		return s == "False" && r != meta.DependencyNotReadyReason && strings.Contains(m, want)
	}
}

type waitFor struct {
	kind, ns, name string
	cond           func(*unstructured.Unstructured) bool
}

// TestDepsLive runs `kubectl gitops deps` against real kustomize- and
// helm-controllers: each broken graph is left in the state Flux really puts it in,
// then the tool must name the cause Flux does not.
func TestDepsLive(t *testing.T) {
	if testing.Short() {
		t.Skip("needs the test bed")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 8*time.Minute)
	defer cancel()
	bed := testbed.Start(t, testbed.Options{Flux: true})
	fleet := newDepsFleet()

	// Git first, so every Kustomization finds its artifact on its first reconcile.
	deps, err := bed.Git.CreateRepo(ctx, "deps")
	if err != nil {
		t.Fatal(err)
	}
	depsFiles := fleet.repoFiles(srcDeps, "first")
	for k, v := range fleet.repoFiles(srcCycles, "first") {
		depsFiles[k] = v
	}
	depsSHA, err := deps.Commit(ctx, "deps fixture", depsFiles)
	if err != nil {
		t.Fatal(err)
	}
	lagRepo, err := bed.Git.CreateRepo(ctx, "lag")
	if err != nil {
		t.Fatal(err)
	}
	lagFirst, err := lagRepo.Commit(ctx, "lag fixture", fleet.repoFiles(srcLag, "first"))
	if err != nil {
		t.Fatal(err)
	}
	var setup []string
	for _, ns := range fleet.namespaces() {
		setup = append(setup, "apiVersion: v1\nkind: Namespace\nmetadata:\n  name: "+ns+"\n")
	}
	setup = append(setup,
		testbed.GitRepositoryYAML(testbed.FluxNamespace, srcDeps, deps.URL, "main"),
		testbed.GitRepositoryYAML(testbed.FluxNamespace, srcCycles, deps.URL, "main"),
		testbed.GitRepositoryYAML(testbed.FluxNamespace, srcLag, lagRepo.URL, "main"))
	if err := bed.Apply(ctx, strings.Join(setup, "---\n")); err != nil {
		t.Fatal(err)
	}
	for src, sha := range map[string]string{srcDeps: depsSHA, srcCycles: depsSHA, srcLag: lagFirst} {
		if _, err := bed.WaitSourceRevision(ctx, "GitRepository", testbed.FluxNamespace, src, sha); err != nil {
			t.Fatal(err)
		}
	}
	objs := fleet.objectFiles()
	paths := make([]string, 0, len(objs))
	for p := range objs {
		paths = append(paths, p)
	}
	sort.Strings(paths)
	var all []string
	for _, p := range paths {
		all = append(all, objs[p])
	}
	if err := bed.Apply(ctx, strings.Join(all, "---\n")); err != nil {
		t.Fatal(err)
	}

	// The suspended case: base and top apply the first commit, base is suspended, the
	// shared source moves on, and Flux blocks top on base's stale revision.
	for _, name := range []string{"base", "top"} {
		if _, err := bed.WaitApplied(ctx, "lag", name, lagFirst); err != nil {
			t.Fatal(err)
		}
	}
	base := ksAt("lag", "base", srcLag)
	base.Suspend = true
	if err := bed.Apply(ctx, testbed.KustomizationYAML(base)); err != nil {
		t.Fatal(err)
	}
	// Suspending bumps the generation; the controller records it while base stays
	// Ready, which is what lets base keep passing the dependency check for now.
	if _, err := bed.WaitFor(ctx, 90*time.Second, "Kustomization", "lag", "base", func(u *unstructured.Unstructured) bool {
		s, _, _ := unstructured.NestedBool(u.Object, "spec", "suspend")
		return s && testbed.IsReady(u)
	}); err != nil {
		t.Fatal(err)
	}
	lagSecond, err := lagRepo.Commit(ctx, "move on", fleet.repoFiles(srcLag, "second"))
	if err != nil {
		t.Fatal(err)
	}
	if err := bed.Reconcile(ctx, "GitRepository", testbed.FluxNamespace, srcLag); err != nil {
		t.Fatal(err)
	}
	if _, err := bed.WaitSourceRevision(ctx, "GitRepository", testbed.FluxNamespace, srcLag, lagSecond); err != nil {
		t.Fatal(err)
	}
	// top would notice on the source event; ask at once so the test does not depend on it.
	if err := bed.Reconcile(ctx, "Kustomization", "lag", "top"); err != nil {
		t.Fatal(err)
	}

	// Everything else settles in parallel in the controllers; wait for each state as
	// Flux writes it.
	waits := []waitFor{
		{"Kustomization", "lag", "top", dependencyNotReady("dependency 'lag/base' revision is not up to date")},
		{"Kustomization", "cycle2", "a", dependencyNotReady("dependency 'cycle2/b' is not ready")},
		{"Kustomization", "cycle2", "b", dependencyNotReady("dependency 'cycle2/a' is not ready")},
		{"Kustomization", "cycle3", "p", dependencyNotReady("dependency 'cycle3/q' is not ready")},
		{"Kustomization", "cycle3", "q", dependencyNotReady("dependency 'cycle3/r' is not ready")},
		{"Kustomization", "cycle3", "r", dependencyNotReady("dependency 'cycle3/p' is not ready")},
		{"Kustomization", "cycle3", "s", dependencyNotReady("dependency 'cycle3/p' is not ready")},
		{"Kustomization", "missing", "database", testbed.IsReady},
		{"Kustomization", "missing", "app", dependencyNotReady("dependency 'missing/databse' not found")},
		{"Kustomization", "failing", "broken", failingWith("kustomization path not found")},
		{"Kustomization", "failing", "d1", dependencyNotReady("dependency 'failing/broken' is not ready")},
		{"Kustomization", "failing", "d2", dependencyNotReady("dependency 'failing/broken' is not ready")},
		{"Kustomization", "failing", "d3", dependencyNotReady("dependency 'failing/d1' is not ready")},
		{"Kustomization", "failing", "d4", dependencyNotReady("dependency 'failing/d2' is not ready")},
		{"Kustomization", "cross-b", "platform", testbed.IsReady},
		{"Kustomization", "cross-a", "app", testbed.IsReady},
		{"HelmRelease", "helm", "db", testbed.IsReady},
		{"HelmRelease", "helm", "api", testbed.IsReady},
		{"HelmRelease", "helm", "web", testbed.IsReady},
	}
	for _, w := range waits {
		if _, err := bed.WaitFor(ctx, 2*time.Minute, w.kind, w.ns, w.name, w.cond); err != nil {
			t.Fatal(err)
		}
	}

	kc := bed.Kubeconfig
	rep, raw := settledReport(ctx, t, bed.Assets, kc)

	t.Run("json", func(t *testing.T) { checkLiveReport(t, rep, raw) })

	t.Run("flux still hides the cycles", func(t *testing.T) {
		// The tool read the state; Flux has not moved: cycle members wait forever and
		// no status anywhere names the cycle.
		for _, id := range [][2]string{{"cycle2", "a"}, {"cycle2", "b"}, {"cycle3", "p"}, {"cycle3", "q"}, {"cycle3", "r"}} {
			u, err := bed.Get(ctx, "Kustomization", id[0], id[1])
			if err != nil {
				t.Fatal(err)
			}
			s, r, m := readyCond(u)
			if s != "False" || r != meta.DependencyNotReadyReason || strings.Contains(strings.ToLower(m), "circular") {
				t.Errorf("%s/%s: Ready=%s reason=%s message=%q, want False DependencyNotReady without any word of the cycle", id[0], id[1], s, r, m)
			}
		}
	})

	t.Run("a check that cannot read everything does not pass", func(t *testing.T) {
		// A user who may list Kustomizations and HelmReleases but no source: the
		// revision check cannot run, so --check may not say "no problem" (exit 5), and
		// -A never quietly narrows to one namespace.
		if err := bed.Apply(ctx, testbed.ReadOnlyUserYAML("flux-lister", []string{"kustomize.toolkit.fluxcd.io", "helm.toolkit.fluxcd.io"}, []string{"kustomizations", "helmreleases"})); err != nil {
			t.Fatal(err)
		}
		run := runDeps(ctx, t, bed.Assets, kc, "-n", "cross-a", "--check", "--as", "flux-lister")
		if run.Code != 5 || !strings.Contains(run.Stderr, "the check is incomplete") || !strings.Contains(run.Stderr, "warning: cannot list GitRepository objects") {
			t.Errorf("want exit 5, the check is incomplete, with the warning:\n%s", run)
		}
		run = runDeps(ctx, t, bed.Assets, kc, "-A", "--as", "nobody")
		if run.Code != 5 || strings.Contains(run.Stderr, "namespace default") {
			t.Errorf("-A without rights: want exit 5 and no fallback to namespace default:\n%s", run)
		}
	})

	t.Run("trace deps points at deps", func(t *testing.T) {
		// trace reads "deps" as a resource type now; the cluster says no such type, and
		// the error names the command that was meant.
		testbed.CheckKubectl(t, ctx, bed.Assets, bed.Kubeconfig, []testbed.KubectlCase{
			{Args: []string{"gitops", "trace", "deps"}, Code: 2, Stderr: "did you mean 'kubectl gitops deps'?"},
			{Args: []string{"gitops", "trace", "dpes", "-A"}, Code: 2, Stderr: "did you mean 'kubectl gitops deps'?"},
		})
	})

	t.Run("commands", func(t *testing.T) {
		tests := []struct {
			name     string
			args     []string
			code     int
			stdout   []string
			noStdout []string
			stderr   []string
			check    func(t *testing.T, out string)
		}{
			{
				name: "check all namespaces", args: []string{"-A", "--check"}, code: 7,
				stdout: []string{
					"Kustomization cycle: cycle2/a -> cycle2/b -> cycle2/a",
					"Kustomization cycle: cycle3/q -> cycle3/r -> cycle3/p -> cycle3/q",
					`fix: remove "a" from the dependsOn of Kustomization cycle2/b`,
					"Kustomization missing/app depends on missing/databse, which does not exist",
					"did you mean: Kustomization missing/database",
					"[failing] Kustomization failing/broken",
					"blocks 4:",
					"[suspended] Kustomization lag/base",
					"Blocked (5 root causes, 7 blocked):",
				},
			},
			{name: "tree without check exits 0", args: []string{"-A"}, code: 0, stdout: []string{"cycle2/a -> cycle2/b -> cycle2/a"},
				check: func(t *testing.T, out string) {
					if testing.Verbose() {
						t.Logf("kubectl gitops deps -A:\n%s", out)
					}
				}},
			{name: "json with check exits 7", args: []string{"-A", "-o", "json", "--check"}, code: 7, check: func(t *testing.T, out string) {
				r := decodeReport(t, out)
				if !r.Summary.HasProblems || r.Summary.Cycles != 2 {
					t.Errorf("summary = %+v, want hasProblems and 2 cycles", r.Summary)
				}
			}},
			{name: "one name keeps its chain, not its siblings", args: []string{"d1", "-n", "failing", "-o", "json"}, code: 0, check: func(t *testing.T, out string) {
				r := decodeReport(t, out)
				want := []string{"Kustomization/failing/broken", "Kustomization/failing/d1", "Kustomization/failing/d3"}
				if got := nodeIDs(r); !slices.Equal(got, want) {
					t.Errorf("nodes = %v, want %v", got, want)
				}
				if len(r.RootCauses) != 1 || r.RootCauses[0].Node != "Kustomization/failing/broken" ||
					!slices.Equal(r.RootCauses[0].Victims, []string{"Kustomization/failing/d1", "Kustomization/failing/d3"}) {
					t.Errorf("rootCauses = %+v, want broken blocking d1 and d3 only", r.RootCauses)
				}
			}},
			{name: "yaml is the same typed document", args: []string{"-A", "-o", "yaml"}, code: 0, check: func(t *testing.T, out string) {
				err := outputtest.Decode(output.FormatYAML, []byte(out), output.KindDependencyReport, func() any { return &render.DependencyReport{} }, nil)
				if err != nil {
					t.Errorf("-o yaml: %v\n%s", err, out)
				}
			}},
			{name: "one name with check", args: []string{"d1", "-n", "failing", "--check"}, code: 7, stdout: []string{"[failing] Kustomization failing/broken"}},
			{name: "healthy cross-namespace view passes the check", args: []string{"-n", "cross-a", "--check"}, code: 0,
				stdout: []string{"Kustomization cross-b/platform  Ready", "Kustomization cross-a/app  Ready", "No cycles, no missing dependencies, nothing blocked."}},
			{name: "healthy HelmRelease chain passes the check", args: []string{"-n", "helm", "--check"}, code: 0,
				stdout: []string{"HelmRelease helm/db  Ready", "└── HelmRelease helm/api  Ready", "    └── HelmRelease helm/web  Ready"}},
			{name: "namespace view of a cycle", args: []string{"-n", "cycle3", "-o", "json"}, code: 0, check: func(t *testing.T, out string) {
				r := decodeReport(t, out)
				if len(r.Cycles) != 1 || len(r.RootCauses) != 1 || r.RootCauses[0].Kind != "cycle" {
					t.Errorf("cycle3 view: cycles %+v, rootCauses %+v", r.Cycles, r.RootCauses)
				}
			}},
			{name: "unknown name", args: []string{"nosuch", "-n", "failing"}, code: 3, stderr: []string{"nosuch", "namespace failing"}},
			{name: "mermaid draws the cycle", args: []string{"-n", "cycle2", "-o", "mermaid"}, code: 0, stdout: []string{
				"graph TD", "n0[a]", "n1[b]", "n1 --> n0", "n0 --> n1", "linkStyle 0,1 stroke:#cc0000", "class n0,n1 cycle",
			}},
			{name: "dot draws the cycle and the edge to remove", args: []string{"-n", "cycle3", "-o", "dot"}, code: 0, stdout: []string{
				"digraph dependencies {",
				`"Kustomization/cycle3/p" -> "Kustomization/cycle3/r" [color="#cc0000", penwidth=2];`,
				`"Kustomization/cycle3/r" -> "Kustomization/cycle3/q" [color="#cc0000", penwidth=2];`,
				`"Kustomization/cycle3/q" -> "Kustomization/cycle3/p" [color="#cc0000", penwidth=2, label="remove?"`,
			}, noStdout: []string{`"Kustomization/cycle3/p" -> "Kustomization/cycle3/s" [color`}},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				run := runDeps(ctx, t, bed.Assets, kc, tt.args...)
				if run.Code != tt.code {
					t.Fatalf("deps %v: exit %d, want %d\n%s", tt.args, run.Code, tt.code, run)
				}
				for _, w := range tt.stdout {
					if !strings.Contains(run.Stdout, w) {
						t.Errorf("deps %v: stdout lacks %q:\n%s", tt.args, w, run.Stdout)
					}
				}
				for _, w := range tt.noStdout {
					if strings.Contains(run.Stdout, w) {
						t.Errorf("deps %v: stdout has %q:\n%s", tt.args, w, run.Stdout)
					}
				}
				for _, w := range tt.stderr {
					if !strings.Contains(run.Stderr, w) {
						t.Errorf("deps %v: stderr lacks %q:\n%s", tt.args, w, run.Stderr)
					}
				}
				if tt.check != nil {
					tt.check(t, run.Stdout)
				}
			})
		}
	})
}

// runDeps runs `kubectl gitops deps ARGS` through the real kubectl.
func runDeps(ctx context.Context, t *testing.T, assets testbed.Assets, kubeconfig string, args ...string) testbed.Run {
	t.Helper()
	ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	run, err := testbed.Kubectl(ctx, assets, kubeconfig, append([]string{"gitops", "deps"}, args...)...)
	if err != nil {
		t.Fatalf("kubectl gitops deps %v: %v", args, err)
	}
	return run
}

// decodeReport decodes a -o json report strictly: a field the Go type lacks fails.
func decodeReport(t *testing.T, out string) render.DependencyReport {
	t.Helper()
	var r render.DependencyReport
	err := outputtest.Decode(output.FormatJSON, []byte(out), output.KindDependencyReport,
		func() any { return &render.DependencyReport{} }, func(d any) { r = *d.(*render.DependencyReport) })
	if err != nil {
		t.Fatalf("output is not a DependencyReport: %v\n%s", err, out)
	}
	return r
}

func nodeIDs(r render.DependencyReport) []string {
	var ids []string
	for _, n := range r.Nodes {
		ids = append(ids, n.ID)
	}
	return ids
}

// settled is the state of every object in one snapshot that the waits above
// established. Flux marks an object Ready=Unknown while it reconciles (broken retries
// every 5 s, healthy ones every interval), so one snapshot of the cluster can catch an
// object mid-reconcile; the tool must then report that as it saw it. The checks below
// want the settled state, so the snapshot is taken again until it shows it.
var settled = map[string]string{
	"Kustomization/cycle2/a": "False", "Kustomization/cycle2/b": "False",
	"Kustomization/cycle3/s": "False", "Kustomization/cycle3/p": "False",
	"Kustomization/cycle3/q": "False", "Kustomization/cycle3/r": "False",
	"Kustomization/missing/app": "False", "Kustomization/missing/database": "True",
	"Kustomization/failing/broken": "False", "Kustomization/failing/d1": "False",
	"Kustomization/failing/d2": "False", "Kustomization/failing/d3": "False",
	"Kustomization/failing/d4": "False", "Kustomization/cross-a/app": "True",
	"Kustomization/cross-b/platform": "True", "Kustomization/lag/base": "True",
	"Kustomization/lag/top": "False", "HelmRelease/helm/db": "True",
	"HelmRelease/helm/api": "True", "HelmRelease/helm/web": "True",
}

func settledReport(ctx context.Context, t *testing.T, assets testbed.Assets, kubeconfig string) (render.DependencyReport, string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(ctx, time.Minute)
	defer cancel()
	var last testbed.Run
	for attempt := 1; ; attempt++ {
		last = runDeps(ctx, t, assets, kubeconfig, "-A", "-o", "json")
		if last.Code != 0 {
			t.Fatalf("deps -A -o json: %s", last)
		}
		r := decodeReport(t, last.Stdout)
		if unsettled := unsettledNodes(r); len(unsettled) == 0 {
			t.Logf("settled snapshot after %d attempt(s)", attempt)
			return r, last.Stdout
		} else if ctx.Err() != nil {
			t.Fatalf("no settled snapshot within a minute; last one had %v:\n%s", unsettled, last.Stdout)
		}
		select {
		case <-ctx.Done():
		case <-time.After(200 * time.Millisecond):
		}
	}
}

func unsettledNodes(r render.DependencyReport) []string {
	var out []string
	seen := 0
	for _, n := range r.Nodes {
		want, ok := settled[n.ID]
		if !ok {
			continue
		}
		seen++
		// kustomize-controller records observedGeneration only with Ready=True.
		if n.Ready == nil || n.Ready.Status != want || (want == "True" && n.Generation != n.ObservedGeneration) {
			out = append(out, n.ID)
		}
	}
	if seen != len(settled) {
		out = append(out, fmt.Sprintf("%d of %d expected nodes listed", seen, len(settled)))
	}
	return out
}

func checkLiveReport(t *testing.T, r render.DependencyReport, raw string) {
	defer func() {
		if t.Failed() {
			t.Logf("report:\n%s", raw)
		}
	}()
	checkCycles(t, r)
	checkMissing(t, r)
	checkCommonEdges(t, r)

	type cause struct {
		kind, node string
		victims    []string
		message    []string
		nextStep   string
	}
	want := []cause{
		{"cycle", "Kustomization/cycle2/a", []string{},
			[]string{"Kustomization cycle cycle2/a -> cycle2/b -> cycle2/a"},
			`remove "a" from the dependsOn of Kustomization cycle2/b`},
		{"cycle", "Kustomization/cycle3/q", []string{"Kustomization/cycle3/s"},
			[]string{"Kustomization cycle cycle3/q -> cycle3/r -> cycle3/p -> cycle3/q"},
			`remove "q" from the dependsOn of Kustomization cycle3/p`},
		{"failing", "Kustomization/failing/broken",
			[]string{"Kustomization/failing/d1", "Kustomization/failing/d2", "Kustomization/failing/d3", "Kustomization/failing/d4"},
			[]string{"Ready=False (ArtifactFailed)", "kustomization path not found"},
			"kubectl describe kustomization broken -n failing"},
		{"suspended", "Kustomization/lag/base", []string{"Kustomization/lag/top"},
			[]string{"is suspended and its source GitRepository flux-system/lag moved on", "revision is not up to date"},
			"kubectl gitops rollback resume kustomization/base -n lag --yes"},
		{"missing", "Kustomization/missing/databse", []string{"Kustomization/missing/app"},
			[]string{"Kustomization missing/databse does not exist", "Kustomization missing/app"},
			"fix the name in the dependsOn of Kustomization missing/app (did you mean Kustomization missing/database?)"},
	}
	if len(r.RootCauses) != len(want) {
		t.Errorf("%d root causes, want %d: %+v", len(r.RootCauses), len(want), r.RootCauses)
	}
	for i, w := range want {
		if i >= len(r.RootCauses) {
			break
		}
		got := r.RootCauses[i]
		if got.Kind != w.kind || got.Node != w.node || !slices.Equal(got.Victims, w.victims) || got.NextStep != w.nextStep {
			t.Errorf("rootCauses[%d] = %+v\nwant kind %s node %s victims %v nextStep %q", i, got, w.kind, w.node, w.victims, w.nextStep)
		}
		for _, m := range w.message {
			if !strings.Contains(got.Message, m) {
				t.Errorf("rootCauses[%d].message = %q, lacks %q", i, got.Message, m)
			}
		}
	}
	if s := r.Summary; !s.HasProblems || s.Cycles != 2 || s.Missing != 1 || s.RootCauses != 5 || s.Blocked != 7 {
		t.Errorf("summary = %+v", s)
	}

	// Every node points at its own root cause; the sound ones point nowhere.
	causeOf := map[string]string{
		"Kustomization/failing/d4":  "Kustomization/failing/broken",
		"Kustomization/lag/top":     "Kustomization/lag/base",
		"Kustomization/cycle3/s":    "Kustomization/cycle3/q",
		"Kustomization/missing/app": "Kustomization/missing/databse",
	}
	for _, n := range r.Nodes {
		if want, ok := causeOf[n.ID]; ok {
			if n.RootCause == nil || r.RootCauses[*n.RootCause].Node != want {
				t.Errorf("node %s rootCause = %v, want the cause at %s", n.ID, n.RootCause, want)
			}
		}
		if settled[n.ID] == "True" && n.RootCause != nil && n.ID != "Kustomization/lag/base" {
			t.Errorf("healthy node %s has rootCause %d", n.ID, *n.RootCause)
		}
	}
	if n := findNode(r, "Kustomization/lag/top"); n == nil || n.SourceRevision == n.LastAppliedRevision || !strings.HasPrefix(n.SourceRevision, "main@sha1:") {
		t.Errorf("lag/top should show its source ahead of what it applied: %+v", n)
	}
	if n := findNode(r, "Kustomization/lag/base"); n == nil || !n.Suspended || n.State != "Suspended" {
		t.Errorf("lag/base should be Suspended: %+v", n)
	}
	if n := findNode(r, "Kustomization/cycle2/a"); n == nil || !n.InCycle || n.Ready == nil || n.Ready.Reason != meta.DependencyNotReadyReason {
		t.Errorf("cycle2/a should be in a cycle and DependencyNotReady: %+v", n)
	}
}

// checkCycles, checkMissing and checkCommonEdges hold both live and offline.

func checkCycles(t *testing.T, r render.DependencyReport) {
	t.Helper()
	want := []render.ReportCycle{
		{
			Kind:       "Kustomization",
			Path:       []string{"Kustomization/cycle2/a", "Kustomization/cycle2/b", "Kustomization/cycle2/a"},
			Members:    []string{"Kustomization/cycle2/a", "Kustomization/cycle2/b"},
			Break:      render.ReportEdge{Dependent: "Kustomization/cycle2/b", Dependency: "Kustomization/cycle2/a", InCycle: true},
			Suggestion: `remove "a" from the dependsOn of Kustomization cycle2/b`,
		},
		{
			Kind:       "Kustomization",
			Path:       []string{"Kustomization/cycle3/q", "Kustomization/cycle3/r", "Kustomization/cycle3/p", "Kustomization/cycle3/q"},
			Members:    []string{"Kustomization/cycle3/p", "Kustomization/cycle3/q", "Kustomization/cycle3/r"},
			Break:      render.ReportEdge{Dependent: "Kustomization/cycle3/p", Dependency: "Kustomization/cycle3/q", InCycle: true},
			Suggestion: `remove "q" from the dependsOn of Kustomization cycle3/p`,
		},
	}
	if len(r.Cycles) != len(want) {
		t.Errorf("cycles = %+v, want %d", r.Cycles, len(want))
		return
	}
	for i := range want {
		g, w := r.Cycles[i], want[i]
		if g.Kind != w.Kind || !slices.Equal(g.Path, w.Path) || !slices.Equal(g.Members, w.Members) || g.Break != w.Break || g.Suggestion != w.Suggestion {
			t.Errorf("cycles[%d] = %+v\nwant %+v", i, g, w)
		}
	}
	if n := findNode(r, "Kustomization/cycle3/s"); n == nil || n.InCycle {
		t.Errorf("cycle3/s depends on the cycle but is not in it: %+v", n)
	}
}

func checkMissing(t *testing.T, r render.DependencyReport) {
	t.Helper()
	want := render.ReportMissing{
		Dependent:   "Kustomization/missing/app",
		Target:      "Kustomization/missing/databse",
		Ref:         render.ReportRef{Name: "databse", Namespace: "missing"},
		Suggestions: []string{"Kustomization/missing/database"},
		OtherKind:   []string{},
	}
	if len(r.Missing) != 1 {
		t.Errorf("missing = %+v, want only %+v", r.Missing, want)
		return
	}
	g := r.Missing[0]
	if g.Dependent != want.Dependent || g.Target != want.Target || g.Ref != want.Ref ||
		!slices.Equal(g.Suggestions, want.Suggestions) || !slices.Equal(g.OtherKind, want.OtherKind) {
		t.Errorf("missing[0] = %+v, want %+v", g, want)
	}
	if n := findNode(r, "Kustomization/missing/databse"); n == nil || n.State != "Missing" {
		t.Errorf("placeholder node for the missing target: %+v", n)
	}
}

func checkCommonEdges(t *testing.T, r render.DependencyReport) {
	t.Helper()
	tests := []struct {
		dependent, dependency string
		missing, inCycle      bool
	}{
		{"Kustomization/cross-a/app", "Kustomization/cross-b/platform", false, false},
		{"HelmRelease/helm/api", "HelmRelease/helm/db", false, false},
		{"HelmRelease/helm/web", "HelmRelease/helm/api", false, false},
		{"Kustomization/missing/app", "Kustomization/missing/databse", true, false},
		{"Kustomization/cycle3/r", "Kustomization/cycle3/p", false, true},
		{"Kustomization/cycle3/s", "Kustomization/cycle3/p", false, false},
		{"Kustomization/failing/d3", "Kustomization/failing/d1", false, false},
	}
	for _, tt := range tests {
		e, ok := findEdge(r, tt.dependent, tt.dependency)
		if !ok {
			t.Errorf("no edge %s -> %s", tt.dependent, tt.dependency)
			continue
		}
		if e.Missing != tt.missing || e.InCycle != tt.inCycle {
			t.Errorf("edge %+v: want missing=%v inCycle=%v", e, tt.missing, tt.inCycle)
		}
	}
	for _, m := range r.Missing {
		if strings.HasPrefix(m.Dependent, "Kustomization/cross-a/") || strings.HasPrefix(m.Dependent, "HelmRelease/") {
			t.Errorf("resolved dependency reported missing: %+v", m)
		}
	}
	if n := findNode(r, "HelmRelease/helm/web"); n == nil || !slices.Equal(n.DependsOn, []string{"HelmRelease/helm/api"}) {
		t.Errorf("HelmRelease/helm/web: %+v", n)
	}
}

func findNode(r render.DependencyReport, id string) *render.ReportNode {
	for i := range r.Nodes {
		if r.Nodes[i].ID == id {
			return &r.Nodes[i]
		}
	}
	return nil
}

func findEdge(r render.DependencyReport, dependent, dependency string) (render.ReportEdge, bool) {
	for _, e := range r.Edges {
		if e.Dependent == dependent && e.Dependency == dependency {
			return e, true
		}
	}
	return render.ReportEdge{}, false
}

// brokenYAML is a three-document file whose middle document does not parse (line 19
// is indented with a tab); the documents around it must still be read.
const brokenYAML = `apiVersion: kustomize.toolkit.fluxcd.io/v1
kind: Kustomization
metadata:
  name: before-break
  namespace: offline
spec:
  path: ./before
  sourceRef:
    kind: GitRepository
    name: deps
---
apiVersion: kustomize.toolkit.fluxcd.io/v1
kind: Kustomization
metadata:
  name: broken-doc
  namespace: offline
spec:
  path: ./broken
	interval: 1m
  sourceRef:
    kind: GitRepository
    name: deps
---
apiVersion: kustomize.toolkit.fluxcd.io/v1
kind: Kustomization
metadata:
  name: after-break
  namespace: offline
spec:
  dependsOn:
    - name: before-break
  path: ./after
  sourceRef:
    kind: GitRepository
    name: deps
`

const brokenLine = 19

// TestDepsOffline checks the same graphs from manifests on disk (--dir): cycles and
// missing dependencies are found without a cluster, a file that does not parse is
// named with its line while the rest is still checked, and --check fails on either.
func TestDepsOffline(t *testing.T) {
	assets := testbed.NeedAssets(t)
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	fleet := newDepsFleet()

	healthy := map[string]string{}
	for p, v := range fleet.objectFiles() {
		if strings.HasPrefix(p, "cross-") || strings.HasPrefix(p, "helm/") {
			healthy[p] = v
		}
	}
	withBroken := func(files map[string]string) map[string]string {
		out := map[string]string{"offline/broken.yaml": brokenYAML}
		for k, v := range files {
			out[k] = v
		}
		return out
	}

	tests := []struct {
		name   string
		files  map[string]string
		args   []string
		code   int
		broken bool // expect the warning for broken.yaml
		stdout []string
		check  func(t *testing.T, r render.DependencyReport)
	}{
		{name: "whole fleet as json", files: withBroken(fleet.objectFiles()), args: []string{"-o", "json"}, code: 0, broken: true,
			check: checkOfflineFleet},
		{name: "whole fleet with check", files: withBroken(fleet.objectFiles()), args: []string{"-o", "json", "--check"}, code: 7, broken: true,
			check: checkOfflineFleet},
		{name: "tree names the cycles", files: withBroken(fleet.objectFiles()), args: []string{"--check"}, code: 7, broken: true,
			stdout: []string{
				"Kustomization cycle: cycle2/a -> cycle2/b -> cycle2/a",
				"Kustomization cycle: cycle3/q -> cycle3/r -> cycle3/p -> cycle3/q",
				"did you mean: Kustomization missing/database",
				"Kustomization offline/after-break  ",
			}},
		{name: "healthy graphs pass", files: healthy, args: []string{"--check"}, code: 0,
			stdout: []string{"No cycles, no missing dependencies, nothing blocked."}},
		{name: "a broken file alone fails the check", files: withBroken(healthy), args: []string{"--check"}, code: 7, broken: true,
			stdout: []string{"Unreadable files (1): Flux fails on them too", "broken.yaml:19: invalid YAML"}},
		{name: "one name", files: withBroken(fleet.objectFiles()), args: []string{"s", "-o", "json", "--check"}, code: 7, broken: true,
			check: func(t *testing.T, r render.DependencyReport) {
				want := []string{"Kustomization/cycle3/p", "Kustomization/cycle3/q", "Kustomization/cycle3/r", "Kustomization/cycle3/s"}
				if got := nodeIDs(r); !slices.Equal(got, want) || len(r.Cycles) != 1 {
					t.Errorf("nodes %v cycles %d, want %v and the cycle", got, len(r.Cycles), want)
				}
			}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			for p, content := range tt.files {
				full := filepath.Join(dir, filepath.FromSlash(p))
				if err := os.MkdirAll(filepath.Dir(full), 0o755); err != nil {
					t.Fatal(err)
				}
				if err := os.WriteFile(full, []byte(content), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			// No kubeconfig at all: --dir must not need a cluster.
			run := runDeps(ctx, t, assets, "", append([]string{"--dir", dir}, tt.args...)...)
			if run.Code != tt.code {
				t.Fatalf("exit %d, want %d\n%s", run.Code, tt.code, run)
			}
			where := fmt.Sprintf("%s:%d: invalid YAML", filepath.Join(dir, "offline", "broken.yaml"), brokenLine)
			if got := strings.Contains(run.Stderr, where); got != tt.broken {
				t.Errorf("stderr names %q: %v, want %v\n%s", where, got, tt.broken, run.Stderr)
			}
			if tt.broken && strings.Count(run.Stderr, "\n") != 1 {
				t.Errorf("want exactly one warning line:\n%s", run.Stderr)
			}
			for _, w := range tt.stdout {
				if !strings.Contains(run.Stdout, w) {
					t.Errorf("stdout lacks %q:\n%s", w, run.Stdout)
				}
			}
			if tt.check != nil {
				tt.check(t, decodeReport(t, run.Stdout))
			}
		})
	}
}

func checkOfflineFleet(t *testing.T, r render.DependencyReport) {
	t.Helper()
	checkCycles(t, r)
	checkMissing(t, r)
	checkCommonEdges(t, r)
	// Offline there is no status: no root causes, every real node Unknown, and each
	// one says where it was defined.
	if len(r.RootCauses) != 0 {
		t.Errorf("offline rootCauses = %+v, want none", r.RootCauses)
	}
	for _, id := range []string{"Kustomization/offline/before-break", "Kustomization/offline/after-break"} {
		if findNode(r, id) == nil {
			t.Errorf("%s, around the broken document, was not read", id)
		}
	}
	if findNode(r, "Kustomization/offline/broken-doc") != nil {
		t.Errorf("the broken document became a node")
	}
	if n := findNode(r, "Kustomization/offline/after-break"); n != nil && n.Line != 24 {
		t.Errorf("after-break line = %d, want 24", n.Line)
	}
	for _, n := range r.Nodes {
		if n.State == "Missing" {
			continue
		}
		if n.State != "Unknown" || !n.Offline || n.File == "" || n.Line == 0 {
			t.Errorf("offline node %+v", n)
		}
	}
	if want := len(newDepsFleet().kustomizations) + len(newDepsFleet().helmReleases) + 2 + 1; len(r.Nodes) != want {
		t.Errorf("%d nodes, want %d (fleet, two readable documents of broken.yaml, one placeholder)", len(r.Nodes), want)
	}
}
