package cmd

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/spf13/cobra"

	"github.com/kubectl-gitops/kubectl-gitops/shared/alerting"
	"github.com/kubectl-gitops/kubectl-gitops/shared/cluster/clustertest"
	"github.com/kubectl-gitops/kubectl-gitops/shared/deps/render"
	"github.com/kubectl-gitops/kubectl-gitops/shared/exitcode"
)

// TestAlertsUsage: --alerts checks a whole namespace (or cluster) and prints a coverage
// document: with names or a graph format it is a usage error.
func TestAlertsUsage(t *testing.T) {
	f := clustertest.New("flux-system", ks("a"))
	for _, tc := range []struct {
		name string
		set  func(*Options, *cobra.Command)
		args []string
	}{
		{"names", func(o *Options, _ *cobra.Command) { o.Alerts = true }, []string{"a"}},
		{"-o dot", func(o *Options, _ *cobra.Command) { o.Alerts, o.Output.Value = true, render.FormatDOT }, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if _, err := runDeps(t, f, tc.set, tc.args...); exitcode.Of(err) != exitcode.Usage {
				t.Errorf("err = %v, want a usage error", err)
			}
		})
	}
}

// TestAlertsWithoutNotification: a cluster without notification-controller's API has
// every Flux object uncovered, which --check fails.
func TestAlertsWithoutNotification(t *testing.T) {
	f := clustertest.New("flux-system", ks("a"), ks("b"))
	out, err := runDeps(t, f, func(o *Options, _ *cobra.Command) { o.Alerts, o.Check = true, true })
	if exitcode.Of(err) != exitcode.ProblemFound {
		t.Errorf("--check: %v, want exit 7", err)
	}
	for _, want := range []string{"is not served: no failure notifies anyone", "Kustomization  flux-system/a", "Kustomization  flux-system/b", "2 of 2 Flux objects notify nobody"} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
}

// alertsFleet is a repository in the flux bootstrap layout whose cluster declares an
// Alert for its Kustomizations and GitRepositories (its Provider's Secret is created
// by hand, not in the repository), and a suspended Alert for the shop's HelmReleases.
func alertsFleet(t *testing.T) string {
	t.Helper()
	files := map[string]string{
		"clusters/prod/flux-system/gotk-sync.yaml": "apiVersion: source.toolkit.fluxcd.io/v1\nkind: GitRepository\nmetadata:\n  name: flux-system\n  namespace: flux-system\nspec:\n  interval: 1m\n  url: https://example.com/fleet.git\n  ref:\n    branch: main\n---\n" +
			"apiVersion: kustomize.toolkit.fluxcd.io/v1\nkind: Kustomization\nmetadata:\n  name: flux-system\n  namespace: flux-system\nspec:\n  interval: 10m\n  path: ./clusters/prod\n  prune: true\n  sourceRef:\n    kind: GitRepository\n    name: flux-system\n",
		"clusters/prod/flux-system/kustomization.yaml": "apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nresources:\n  - gotk-sync.yaml\n",
		"clusters/prod/kustomization.yaml":             "apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nresources:\n  - flux-system\n  - apps.yaml\n  - notifications.yaml\n",
		"clusters/prod/apps.yaml":                      "apiVersion: kustomize.toolkit.fluxcd.io/v1\nkind: Kustomization\nmetadata:\n  name: apps\n  namespace: flux-system\nspec:\n  interval: 10m\n  path: ./apps\n  prune: true\n  sourceRef:\n    kind: GitRepository\n    name: flux-system\n",
		"clusters/prod/notifications.yaml": "apiVersion: notification.toolkit.fluxcd.io/v1beta3\nkind: Provider\nmetadata:\n  name: slack\n  namespace: flux-system\nspec:\n  type: slack\n  secretRef:\n    name: slack-url\n---\n" +
			"apiVersion: notification.toolkit.fluxcd.io/v1beta3\nkind: Alert\nmetadata:\n  name: on-call\n  namespace: flux-system\nspec:\n  providerRef:\n    name: slack\n  eventSeverity: error\n  eventSources:\n    - kind: Kustomization\n      name: '*'\n    - kind: GitRepository\n      name: '*'\n",
		"apps/kustomization.yaml": "apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nnamespace: shop\nresources:\n  - release.yaml\n  - alert.yaml\n",
		"apps/release.yaml":       "apiVersion: helm.toolkit.fluxcd.io/v2\nkind: HelmRelease\nmetadata:\n  name: web\nspec:\n  interval: 10m\n  chart:\n    spec:\n      chart: web\n      sourceRef:\n        kind: HelmRepository\n        name: charts\n        namespace: flux-system\n",
		"apps/alert.yaml": "apiVersion: notification.toolkit.fluxcd.io/v1beta3\nkind: Provider\nmetadata:\n  name: teams\nspec:\n  type: generic\n  address: https://example.com/hook\n---\n" +
			"apiVersion: notification.toolkit.fluxcd.io/v1beta3\nkind: Alert\nmetadata:\n  name: muted\nspec:\n  suspend: true\n  providerRef:\n    name: teams\n  eventSources:\n    - kind: HelmRelease\n      name: '*'\n",
	}
	root := t.TempDir()
	for p, c := range files {
		full := filepath.Join(root, filepath.FromSlash(p))
		if err := os.MkdirAll(filepath.Dir(full), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(full, []byte(c), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return root
}

// TestAlertsDir checks the coverage of a repository, as its Flux renders it: the
// HelmRelease covered only by a suspended Alert and the HelmChart helm-controller makes
// for it notify nobody; the Kustomizations and GitRepository are covered, unless
// --strict counts the Provider's Secret the repository does not make as missing.
func TestAlertsDir(t *testing.T) {
	repo := alertsFleet(t)
	f := clustertest.New("default")
	for _, tc := range []struct {
		name       string
		strict     bool
		namespace  string
		uncovered  []string
		undeliver  []string
		wantOut    []string
		wantAbsent []string
	}{
		{
			name:      "default",
			uncovered: []string{"HelmChart flux-system/shop-web []", "HelmRelease shop/web [shop/muted]"},
			undeliver: []string{"shop/muted: the Alert is suspended"},
			wantOut:   []string{"Cluster clusters/prod:", "not in the repository: Secret flux-system/slack-url", "2 of 5 Flux objects notify nobody on failure, 1 Alerts cannot deliver"},
		},
		{
			name:      "strict",
			strict:    true,
			uncovered: []string{"GitRepository flux-system/flux-system [flux-system/on-call]", "HelmChart flux-system/shop-web []", "HelmRelease shop/web [shop/muted]", "Kustomization flux-system/apps [flux-system/on-call]", "Kustomization flux-system/flux-system [flux-system/on-call]"},
			undeliver: []string{"flux-system/on-call: its Provider's Secret flux-system/slack-url is not in the repository", "shop/muted: the Alert is suspended"},
		},
		{
			name:       "-n shop",
			namespace:  "shop",
			uncovered:  []string{"HelmRelease shop/web [shop/muted]"},
			undeliver:  []string{"shop/muted: the Alert is suspended"},
			wantOut:    []string{"1 of 1 Flux objects notify nobody"},
			wantAbsent: []string{"flux-system/on-call"},
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			fac := f
			if tc.namespace != "" {
				fac = clustertest.New(tc.namespace)
				fac.Explicit = true
			}
			set := func(o *Options, cmd *cobra.Command) {
				_ = cmd.Flags().Set("dir", repo)
				o.Alerts, o.Check, o.Strict = true, true, tc.strict
			}
			out, err := runDeps(t, fac, set)
			if exitcode.Of(err) != exitcode.ProblemFound {
				t.Errorf("--check: %v, want exit 7", err)
			}
			for _, want := range tc.wantOut {
				if !strings.Contains(out, want) {
					t.Errorf("output lacks %q:\n%s", want, out)
				}
			}
			for _, absent := range tc.wantAbsent {
				if strings.Contains(out, absent) {
					t.Errorf("output has %q:\n%s", absent, out)
				}
			}
			jsonOut, err := runDeps(t, fac, func(o *Options, cmd *cobra.Command) { set(o, cmd); o.Output.Value = "json" })
			if exitcode.Of(err) != exitcode.ProblemFound {
				t.Errorf("-o json --check: %v", err)
			}
			var c alerting.Coverage
			if err := json.Unmarshal([]byte(jsonOut), &c); err != nil {
				t.Fatalf("%v\n%s", err, jsonOut)
			}
			var uncovered, undeliver []string
			for _, u := range c.Uncovered {
				uncovered = append(uncovered, fmt.Sprintf("%s %s/%s %v", u.Ref.Kind, u.Ref.Namespace, u.Ref.Name, u.Alerts))
			}
			for _, u := range c.Undeliverable {
				undeliver = append(undeliver, u.Ref.Namespace+"/"+u.Ref.Name+": "+u.Reason)
			}
			if strings.Join(uncovered, "\n") != strings.Join(tc.uncovered, "\n") {
				t.Errorf("uncovered:\n%s\nwant:\n%s", strings.Join(uncovered, "\n"), strings.Join(tc.uncovered, "\n"))
			}
			if strings.Join(undeliver, "\n") != strings.Join(tc.undeliver, "\n") {
				t.Errorf("undeliverable:\n%s\nwant:\n%s", strings.Join(undeliver, "\n"), strings.Join(tc.undeliver, "\n"))
			}
			if c.Path != "clusters/prod" || c.Kind != "AlertCoverage" {
				t.Errorf("document path %q kind %q", c.Path, c.Kind)
			}
		})
	}
}
