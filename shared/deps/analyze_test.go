package deps_test

import (
	"context"
	"fmt"
	"reflect"
	"strings"
	"testing"

	. "github.com/kubectl-gitops/kubectl-gitops/shared/deps"
	. "github.com/kubectl-gitops/kubectl-gitops/shared/deps/depstest"
)

func TestAnalyze(t *testing.T) {
	const (
		oldRev = "main@sha1:1111111111111111111111111111111111111111"
		newRev = "main@sha1:2222222222222222222222222222222222222222"
	)
	tests := []struct {
		name  string
		nodes []Node
		want  Summary
		// nextSteps and messages are checked by substring, in RootCauses order.
		nextSteps []string
		messages  []string
	}{
		{
			name: "no problems",
			nodes: []Node{
				KS("flux-system"), KS("infra", "flux-system"), KS("apps", "infra"),
			},
		},
		{
			name: "two-node cycle breaks the edge into the leaf",
			nodes: []Node{
				Waiting(KS("apps", "infra")), Waiting(KS("infra", "apps")),
				Waiting(KS("monitoring", "infra")),
			},
			want: Summary{
				Cycles: []string{`flux-system/apps -> flux-system/infra -> flux-system/apps | remove "apps" from the dependsOn of Kustomization flux-system/infra`},
				Causes: []string{"cycle Kustomization flux-system/apps victims=[flux-system/monitoring]"},
			},
			nextSteps: []string{`remove "apps" from the dependsOn of Kustomization flux-system/infra`},
			messages:  []string{"Kustomization cycle flux-system/apps -> flux-system/infra -> flux-system/apps"},
		},
		{
			name: "three-node cycle",
			nodes: []Node{
				Waiting(KS("a", "b")), Waiting(KS("b", "c")), Waiting(KS("c", "a")),
			},
			want: Summary{
				Cycles: []string{`flux-system/a -> flux-system/b -> flux-system/c -> flux-system/a | remove "a" from the dependsOn of Kustomization flux-system/c`},
				Causes: []string{"cycle Kustomization flux-system/a victims=[]"},
			},
		},
		{
			name: "a source that cannot fetch is the root cause of what is built from it",
			nodes: []Node{
				SourceFailing("apps-repo", "couldn't find remote ref refs/heads/nope", Failing("ArtifactFailed", "Source artifact not found", KS("apps"))),
				SourceFailing("apps-repo", "couldn't find remote ref refs/heads/nope", Failing("ArtifactFailed", "Source artifact not found", KS("apps-config"))),
				Waiting(KS("web", "apps")),
				KS("infra"),
			},
			want: Summary{
				Causes: []string{"source GitRepository flux-system/apps-repo victims=[flux-system/apps, flux-system/apps-config, flux-system/web]"},
			},
			nextSteps: []string{"kubectl describe gitrepository apps-repo -n flux-system (then 'flux reconcile source git apps-repo -n flux-system')"},
			messages:  []string{"GitRepository flux-system/apps-repo cannot fetch (Ready=False (GitOperationFailed): couldn't find remote ref refs/heads/nope)"},
		},
		{
			name: "a failing source whose consumers still apply its last artifact is a root cause too",
			nodes: []Node{
				SourceFailing("flux-system", "authentication required", KS("apps")),
			},
			want: Summary{
				Causes: []string{"source GitRepository flux-system/flux-system victims=[]"},
			},
		},
		{
			name:  "self-loop on a node still Ready is a cycle but blocks nothing yet",
			nodes: []Node{KS("a", "a"), KS("b", "a")},
			want: Summary{
				Cycles: []string{`flux-system/a -> flux-system/a | remove "a" from the dependsOn of Kustomization flux-system/a`},
			},
		},
		{
			name: "two separate cycles",
			nodes: []Node{
				KS("x", "y"), KS("y", "x"), KS("a", "b"), KS("b", "a"), KS("free"),
			},
			want: Summary{
				Cycles: []string{
					`flux-system/a -> flux-system/b -> flux-system/a | remove "a" from the dependsOn of Kustomization flux-system/b`,
					`flux-system/x -> flux-system/y -> flux-system/x | remove "x" from the dependsOn of Kustomization flux-system/y`,
				},
			},
		},
		{
			name: "missing dependency with a typo suggestion",
			nodes: []Node{
				KS("infrastructure"), KS("monitoring"), Waiting(KS("apps", "infrastucture")),
			},
			want: Summary{
				Missing: []string{"Kustomization flux-system/apps -> Kustomization flux-system/infrastucture ? Kustomization flux-system/infrastructure"},
				Causes:  []string{"missing Kustomization flux-system/infrastucture victims=[flux-system/apps]"},
			},
			nextSteps: []string{"fix the name in the dependsOn of Kustomization flux-system/apps (did you mean Kustomization flux-system/infrastructure?)"},
		},
		{
			name: "a dependent is never suggested to itself",
			nodes: []Node{
				KS("apps-0"), Waiting(KS("apps", "app")), Waiting(KS("apps-1", "apps-2")),
				Waiting(KS("apps-3", "apps-2")),
			},
			want: Summary{
				Missing: []string{
					"Kustomization flux-system/apps -> Kustomization flux-system/app",
					"Kustomization flux-system/apps-1 -> Kustomization flux-system/apps-2 ? Kustomization flux-system/apps-0, Kustomization flux-system/apps-3, Kustomization flux-system/apps",
					"Kustomization flux-system/apps-3 -> Kustomization flux-system/apps-2 ? Kustomization flux-system/apps-0, Kustomization flux-system/apps-1, Kustomization flux-system/apps",
				},
				Causes: []string{
					"missing Kustomization flux-system/app victims=[flux-system/apps]",
					"missing Kustomization flux-system/apps-2 victims=[flux-system/apps-1, flux-system/apps-3]",
				},
			},
			nextSteps: []string{
				"create Kustomization flux-system/app, or remove it from the dependsOn of Kustomization flux-system/apps",
				"fix the name in the dependsOn of Kustomization flux-system/apps-1, Kustomization flux-system/apps-3 (did you mean Kustomization flux-system/apps-0 or Kustomization flux-system/apps?)",
			},
		},
		{
			name: "missing dependency that exists in another namespace",
			nodes: []Node{
				KS("infra"), Waiting(KSIn("team-a", "apps", "infra")),
			},
			want: Summary{
				Missing: []string{"Kustomization team-a/apps -> Kustomization team-a/infra ? Kustomization flux-system/infra"},
				Causes:  []string{"missing Kustomization team-a/infra victims=[team-a/apps]"},
			},
		},
		{
			name: "missing dependency without any close match",
			nodes: []Node{
				KS("infra"), Waiting(KS("apps", "database")),
			},
			want: Summary{
				Missing: []string{"Kustomization flux-system/apps -> Kustomization flux-system/database"},
				Causes:  []string{"missing Kustomization flux-system/database victims=[flux-system/apps]"},
			},
			nextSteps: []string{"create Kustomization flux-system/database, or remove it from the dependsOn of Kustomization flux-system/apps"},
		},
		{
			name: "cross-namespace dependency resolves",
			nodes: []Node{
				KS("infra"), KSIn("team-a", "apps", "flux-system/infra"),
			},
		},
		{
			name: "suspended dependency that is not ready blocks for good",
			nodes: []Node{
				Suspended(Failing("BuildFailed", "kustomize build failed", KS("infra"))),
				Waiting(KS("apps", "infra")),
			},
			want: Summary{
				Causes: []string{"suspended Kustomization flux-system/infra victims=[flux-system/apps]"},
			},
			nextSteps: []string{"kubectl gitops rollback resume kustomization/infra -n flux-system --yes"},
			messages:  []string{"suspended while not Ready (Ready=False (BuildFailed): kustomize build failed)"},
		},
		{
			name: "suspended dependency whose shared source moved on",
			nodes: []Node{
				FromGit(newRev, oldRev, Suspended(KS("infra"))),
				FromGit(newRev, oldRev, Waiting(KS("apps", "infra"))),
			},
			want: Summary{
				Causes: []string{"suspended Kustomization flux-system/infra victims=[flux-system/apps]"},
			},
			nextSteps: []string{"kubectl gitops rollback resume kustomization/infra -n flux-system --yes"},
			messages:  []string{"revision is not up to date"},
		},
		{
			name: "dependency lagging behind the shared source",
			nodes: []Node{
				FromGit(newRev, oldRev, KS("infra")),
				FromGit(newRev, oldRev, Waiting(KS("apps", "infra"))),
			},
			want: Summary{
				Causes: []string{"revision-lag Kustomization flux-system/infra victims=[flux-system/apps]"},
			},
			nextSteps: []string{"flux reconcile kustomization infra -n flux-system --with-source"},
			messages:  []string{"applied " + oldRev + " but its source GitRepository flux-system/flux-system is at " + newRev},
		},
		{
			name: "revision check only applies to a shared source",
			nodes: []Node{
				KS("infra"), // no sourceRef: different source
				FromGit(newRev, oldRev, KS("apps", "infra")),
			},
		},
		{
			name: "failing dependency with four nodes downstream is one problem",
			nodes: []Node{
				Failing("BuildFailed", "kustomize build failed: accumulating resources", KS("infra")),
				Waiting(KS("a", "infra")), Waiting(KS("b", "infra")),
				Waiting(KS("c", "a")), Waiting(KS("d", "b", "c")),
				KS("unrelated"),
			},
			want: Summary{
				Causes: []string{"failing Kustomization flux-system/infra victims=[flux-system/a, flux-system/b, flux-system/c, flux-system/d]"},
			},
			nextSteps: []string{"kubectl describe kustomization infra -n flux-system"},
			messages:  []string{"Ready=False (BuildFailed): kustomize build failed: accumulating resources"},
		},
		{
			name: "first failing dependency in dependsOn order is blamed",
			nodes: []Node{
				Failing("BuildFailed", "x", KS("first")),
				Suspended(Failing("BuildFailed", "y", KS("second"))),
				Waiting(KS("apps", "first", "second")),
			},
			want: Summary{
				Causes: []string{
					"failing Kustomization flux-system/first victims=[flux-system/apps]",
					"suspended Kustomization flux-system/second victims=[]",
				},
			},
		},
		{
			name: "dependency not reconciled at its generation",
			nodes: []Node{
				Generations(3, 2, KS("infra")), Waiting(KS("apps", "infra")),
			},
			want: Summary{
				Causes: []string{"not-reconciled Kustomization flux-system/infra victims=[flux-system/apps]"},
			},
			nextSteps: []string{"flux reconcile kustomization infra -n flux-system"},
			messages:  []string{"has not reconciled generation 3 yet (observed 2)"},
		},
		{
			name: "dependent still waiting although its dependencies pass",
			nodes: []Node{
				KS("infra"), Waiting(KS("apps", "infra")),
			},
			want: Summary{
				Causes: []string{"not-reconciled Kustomization flux-system/apps victims=[]"},
			},
			messages: []string{"dependencies pass now"},
		},
		{
			name: "node failing on its own is its own root cause",
			nodes: []Node{
				KS("infra"), Failing("HealthCheckFailed", "timeout waiting for Deployment", KS("apps", "infra")),
			},
			want: Summary{
				Causes: []string{"failing Kustomization flux-system/apps victims=[]"},
			},
		},
		{
			name: "HelmRelease chain",
			nodes: []Node{
				Failing("InstallFailed", "Helm install failed: timed out", HR("operator")),
				Waiting(HR("db", "operator")), Waiting(HR("app", "db")),
			},
			want: Summary{
				Causes: []string{"failing HelmRelease flux-system/operator victims=[flux-system/app, flux-system/db]"},
			},
			nextSteps: []string{"kubectl describe helmrelease operator -n flux-system"},
		},
		{
			name: "HelmRelease depending on a Kustomization name is missing",
			nodes: []Node{
				KS("infra"), Waiting(HR("app", "infra")),
			},
			want: Summary{
				Missing: []string{"HelmRelease flux-system/app -> HelmRelease flux-system/infra ! Kustomization flux-system/infra"},
				Causes:  []string{"missing HelmRelease flux-system/infra victims=[flux-system/app]"},
			},
		},
		{
			name: "cycle member blocks nodes below it",
			nodes: []Node{
				Waiting(KS("a", "b")), Waiting(KS("b", "a")), Waiting(KS("c", "a")), Waiting(KS("d", "c")),
			},
			want: Summary{
				// a has a dependent outside the cycle (c), so it looks like the
				// base layer and b's place in a's dependsOn is the suspect.
				Cycles: []string{`flux-system/b -> flux-system/a -> flux-system/b | remove "b" from the dependsOn of Kustomization flux-system/a`},
				Causes: []string{"cycle Kustomization flux-system/b victims=[flux-system/c, flux-system/d]"},
			},
		},
		{
			name: "offline nodes report structure but never blocked chains",
			nodes: []Node{
				Offline("a.yaml", 1, KS("a", "b")), Offline("b.yaml", 1, KS("b", "a")),
				Offline("c.yaml", 3, KS("c", "nope")),
			},
			want: Summary{
				Cycles:  []string{`flux-system/a -> flux-system/b -> flux-system/a | remove "a" from the dependsOn of Kustomization flux-system/b`},
				Missing: []string{"Kustomization flux-system/c -> Kustomization flux-system/nope"},
			},
		},
		{
			name: "repeated dependsOn entries count once",
			nodes: []Node{
				KS("infra"), KS("apps", "infra", "infra", "gone", "gone"),
			},
			want: Summary{
				Missing: []string{"Kustomization flux-system/apps -> Kustomization flux-system/gone"},
			},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := Analyze(context.Background(), tc.nodes)
			got := Summarize(r)
			if !reflect.DeepEqual(got, tc.want) {
				t.Errorf("Summary mismatch\n got: %#v\nwant: %#v", got, tc.want)
			}
			wantProblems := len(tc.want.Cycles)+len(tc.want.Missing)+len(tc.want.Causes) > 0
			if r.HasProblems() != wantProblems {
				t.Errorf("HasProblems() = %v, want %v", r.HasProblems(), wantProblems)
			}
			for i, s := range tc.nextSteps {
				if i >= len(r.RootCauses) || !strings.Contains(r.RootCauses[i].NextStep, s) {
					t.Errorf("root cause %d next step: want substring %q in %+v", i, s, r.RootCauses)
				}
			}
			for i, s := range tc.messages {
				if i >= len(r.RootCauses) || !strings.Contains(r.RootCauses[i].Message, s) {
					t.Errorf("root cause %d message: want substring %q in %+v", i, s, r.RootCauses)
				}
			}
			checkConsistent(t, r)
		})
	}
}

// checkConsistent verifies the cross-references between entries and
// problems that renderers rely on.
func checkConsistent(t *testing.T, r *Report) {
	t.Helper()
	for i := range r.Entries {
		e := &r.Entries[i]
		if j, ok := r.Lookup(e.ID()); !ok || j != i {
			t.Errorf("index of %s = %d,%v want %d", e.ID(), j, ok, i)
		}
		for _, d := range e.Dependencies {
			found := false
			for _, back := range r.Entries[d].Dependents {
				found = found || back == i
			}
			if !found {
				t.Errorf("%s depends on %s but is not among its dependents", e.ID(), r.Entries[d].ID())
			}
		}
		if e.Cycle >= len(r.Cycles) || e.Cause >= len(r.RootCauses) {
			t.Errorf("%s: dangling cycle %d / cause %d", e.ID(), e.Cycle, e.Cause)
		}
	}
	for c, rc := range r.RootCauses {
		for _, v := range rc.Victims {
			i, ok := r.Lookup(v)
			if !ok || r.Entries[i].Cause != c {
				t.Errorf("victim %s of cause %d has Cause %d", v, c, r.Entries[i].Cause)
			}
		}
	}
	for _, cy := range r.Cycles {
		if cy.Path[0] != cy.Path[len(cy.Path)-1] {
			t.Errorf("cycle path %v does not return to its start", cy.Path)
		}
		for k := 0; k+1 < len(cy.Path); k++ {
			i, _ := r.Lookup(cy.Path[k])
			j, _ := r.Lookup(cy.Path[k+1])
			if !r.DependsOn(i, j) {
				t.Errorf("cycle path step %s -> %s is not an edge", cy.Path[k], cy.Path[k+1])
			}
		}
	}
}

func TestAnalyzeDuplicates(t *testing.T) {
	r := Analyze(context.Background(), []Node{
		Offline("clusters/a/apps.yaml", 4, KS("apps")),
		Offline("clusters/b/apps.yaml", 9, KS("apps", "missing")),
	})
	if len(r.Entries) != 1 || r.Entries[0].File != "clusters/a/apps.yaml" {
		t.Fatalf("want the first definition kept, got %+v", r.Entries)
	}
	want := []Duplicate{{ID: NodeID{KindKustomization, TestNS, "apps"}, File: "clusters/b/apps.yaml", Line: 9}}
	if !reflect.DeepEqual(r.Duplicates, want) {
		t.Errorf("Duplicates = %+v, want %+v", r.Duplicates, want)
	}
	if r.HasProblems() {
		t.Errorf("the dropped duplicate's dependsOn must not count")
	}
}

func TestAnalyzeKindsDoNotCollide(t *testing.T) {
	r := Analyze(context.Background(), []Node{KS("app"), HR("app"), KS("x", "app"), HR("y", "app")})
	if r.HasProblems() {
		t.Fatalf("unexpected problems: %+v", Summarize(r))
	}
	if len(r.Entries) != 4 {
		t.Fatalf("want 4 entries, got %d", len(r.Entries))
	}
}

// TestAnalyzeDeepChain makes sure nothing recurses per node: a 200k long
// chain with a cycle at the bottom and a failure at the top.
func TestAnalyzeDeepChain(t *testing.T) {
	const n = 200_000
	nodes := make([]Node, 0, n)
	name := func(i int) string { return fmt.Sprintf("k%06d", i) }
	for i := range n {
		var deps []string
		if i > 0 {
			deps = []string{name(i - 1)}
		}
		nodes = append(nodes, Waiting(KS(name(i), deps...)))
	}
	nodes[0] = Failing("BuildFailed", "boom", nodes[0])
	nodes = append(nodes, KS("loop-a", "loop-b"), KS("loop-b", "loop-a"))
	r := Analyze(context.Background(), nodes)
	if len(r.Cycles) != 1 || len(r.RootCauses) != 1 || len(r.RootCauses[0].Victims) != n-1 {
		t.Fatalf("cycles=%d causes=%d", len(r.Cycles), len(r.RootCauses))
	}
}

// TestDeadlocks covers the cycles no controller sees: through a Kustomization that
// waits for what it applies, and through an object that exists only once its
// Kustomization applied.
func TestDeadlocks(t *testing.T) {
	applies := func(parent string, n Node) Node {
		n.AppliedBy = NodeID{Kind: KindKustomization, Namespace: TestNS, Name: parent}
		return n
	}
	waits := func(n Node) Node { n.WaitsAll = true; return n }
	for _, tc := range []struct {
		name       string
		nodes      []Node
		want       string
		suggestion string
	}{
		{
			name: "the RFC's shape: infra waits for cert-manager, which needs crds, which crds applies after infra",
			nodes: []Node{
				waits(KS("infra")),
				applies("infra", HR("cert-manager", "crds")),
				applies("crds", HR("crds")),
				KS("crds", "infra"),
			},
			want:       "Kustomization flux-system/infra waits for HelmRelease flux-system/cert-manager, which depends on HelmRelease flux-system/crds, which exists only after Kustomization flux-system/crds, which depends on Kustomization flux-system/infra",
			suggestion: `remove "infra" from the dependsOn of Kustomization flux-system/crds, or let Kustomization flux-system/infra stop waiting for HelmRelease flux-system/cert-manager`,
		},
		{
			name:       "a parent that depends on its child",
			nodes:      []Node{KS("apps", "child"), applies("apps", KS("child"))},
			want:       "Kustomization flux-system/apps depends on Kustomization flux-system/child, which exists only after Kustomization flux-system/apps",
			suggestion: `remove "child" from the dependsOn of Kustomization flux-system/apps`,
		},
		{
			name: "healthChecks instead of wait",
			nodes: []Node{
				func() Node {
					n := KS("infra")
					n.WaitsFor = []NodeID{{Kind: KindHelmRelease, Namespace: TestNS, Name: "db"}}
					return n
				}(),
				applies("infra", HR("db", "operator")),
				applies("operators", HR("operator")),
				KS("operators", "infra"),
			},
			want:       "Kustomization flux-system/infra waits for HelmRelease flux-system/db, which depends on HelmRelease flux-system/operator, which exists only after Kustomization flux-system/operators, which depends on Kustomization flux-system/infra",
			suggestion: `remove "infra" from the dependsOn of Kustomization flux-system/operators`,
		},
		{
			name:  "waiting for what it applies is no deadlock by itself",
			nodes: []Node{waits(KS("infra")), applies("infra", HR("cert-manager")), applies("flux-system", KS("infra")), KS("flux-system")},
		},
		{
			name:  "a root that applies itself is no deadlock",
			nodes: []Node{applies("flux-system", waits(KS("flux-system"))), applies("flux-system", KS("apps", "infra")), applies("flux-system", KS("infra"))},
		},
		{
			name:  "a plain dependsOn cycle is a Cycle, not a Deadlock",
			nodes: []Node{KS("a", "b"), KS("b", "a")},
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := Analyze(context.Background(), tc.nodes)
			if tc.want == "" {
				if len(r.Deadlocks) != 0 {
					t.Fatalf("deadlocks %+v, want none", r.Deadlocks)
				}
				return
			}
			if len(r.Deadlocks) != 1 {
				t.Fatalf("%d deadlocks, want one", len(r.Deadlocks))
			}
			d := r.Deadlocks[0]
			if got := d.PathWords(); got != tc.want {
				t.Errorf("path\n got %s\nwant %s", got, tc.want)
			}
			if tc.suggestion != "" && !strings.HasPrefix(d.Suggestion, tc.suggestion) {
				t.Errorf("suggestion %q, want %q", d.Suggestion, tc.suggestion)
			}
			if first, last := d.Steps[0].From, d.Steps[len(d.Steps)-1].To; first != last {
				t.Errorf("the path does not close: %s ... %s", first, last)
			}
			if !r.HasProblems() {
				t.Error("a deadlock is a problem")
			}
		})
	}
}

// TestReadyExpr evaluates dependsOn readyExprs as the controllers do: self is the
// dependent, dep the dependency; with one, the built-in readiness check is skipped.
func TestReadyExpr(t *testing.T) {
	withExpr := func(expr string, n Node) Node {
		n.DependsOn[0].ReadyExpr = expr
		return n
	}
	live := func(n Node) Node {
		n.Object = map[string]any{"metadata": map[string]any{"name": n.Name, "namespace": n.Namespace}, "status": map[string]any{"phase": "Migrated"}}
		return n
	}
	for _, tc := range []struct {
		name   string
		nodes  []Node
		result string
		cause  string
	}{
		{"true passes a dependency the built-in check would block", []Node{
			live(Waiting(withExpr("dep.status.phase == 'Migrated'", KS("app", "db")))), live(Failing("HealthCheckFailed", "timeout", KS("db"))),
		}, ExprTrue, "not-reconciled Kustomization flux-system/app"},
		{"false is the root cause, on the dependency", []Node{
			live(Waiting(withExpr("dep.status.phase == 'Done'", KS("app", "db")))), live(KS("db")),
		}, ExprFalse, "ready-expr Kustomization flux-system/db victims=[flux-system/app]"},
		{"an expression that does not compile fails as Flux fails", []Node{
			live(Waiting(withExpr("dep.status.phase ==", KS("app", "db")))), live(KS("db")),
		}, ExprError, "ready-expr Kustomization flux-system/db victims=[flux-system/app]"},
		{"offline it is shown, not evaluated", []Node{
			Offline("a.yaml", 1, withExpr("dep.status.phase == 'Done'", KS("app", "db"))), Offline("b.yaml", 1, KS("db")),
		}, ExprNotEvaluated, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := Analyze(context.Background(), tc.nodes)
			if len(r.ReadyExprs) != 1 || r.ReadyExprs[0].Result != tc.result {
				t.Fatalf("readyExprs %+v, want %s", r.ReadyExprs, tc.result)
			}
			causes := Summarize(r).Causes
			if tc.cause == "" && len(causes) > 0 || tc.cause != "" && (len(causes) == 0 || !strings.HasPrefix(causes[0], tc.cause)) {
				t.Errorf("causes %v, want %q", causes, tc.cause)
			}
		})
	}
}
