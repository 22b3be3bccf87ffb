package gitlocate

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"

	"github.com/kubectl-gitops/kubectl-gitops/shared/git/gittest"
)

// text joins lines into a file body, so that line numbers in the fixtures
// below can be read off the source.
func text(lines ...string) string {
	return strings.Join(lines, "\n") + "\n"
}

// fleet is one commit covering every walk rule; each top-level directory is
// the spec.path of one scenario.
func fleet() map[string]string {
	return map[string]string{
		// plain: no kustomization.yaml, so Flux generates one.
		"plain/app/deployment.yaml": text(
			"# The API server.",   // 1
			"apiVersion: apps/v1", // 2
			"kind: Deployment",    // 3
			"metadata:",           // 4
			"  name: api",         // 5
			"  namespace: shop",   // 6
		),
		"plain/app/service.yml": text(
			"apiVersion: v1", // 1
			"kind: Service",  // 2
			"metadata:",      // 3
			"  name: api",    // 4
		),
		"plain/app/config.json": text(
			`{`, // 1
			`  "apiVersion": "v1",`,
			`  "kind": "ConfigMap",`,
			`  "metadata": {"name": "json-config", "namespace": "shop"}`,
			`}`,
		),
		"plain/values.yaml": text("replicas: 3"),
		"plain/README.md":   text("apiVersion: v1", "kind: Secret", "metadata:", "  name: readme"),
		"plain/sub/kustomization.yaml": text(
			"namePrefix: sub-",
			"resources:",
			"  - cm.yaml",
		),
		"plain/sub/cm.yaml": text(
			"apiVersion: v1",
			"kind: ConfigMap",
			"metadata:",
			"  name: settings",
			"  namespace: shop",
		),
		"plain/sub/ignored.yaml": text(
			"apiVersion: v1",
			"kind: ConfigMap",
			"metadata:",
			"  name: not-listed",
			"  namespace: shop",
		),

		// Three levels of kustomizations, through a parent directory.
		"clusters/prod/kustomization.yaml": text(
			"apiVersion: kustomize.config.k8s.io/v1beta1",
			"kind: Kustomization",
			"resources:",
			"  - ../../infra",
		),
		"infra/kustomization.yml": text(
			"resources:",
			"- controllers/",
		),
		"infra/controllers/Kustomization": text(
			"resources:",
			"  - ./ingress.yaml",
		),
		"infra/controllers/ingress.yaml": text(
			"---",                              // 1
			"apiVersion: networking.k8s.io/v1", // 2
			"kind: IngressClass",               // 3
			"metadata:",                        // 4
			"  name: nginx",                    // 5
		),

		// One file, several documents.
		"multi/kustomization.yaml": text(
			"resources:",
			"  - all.yaml",
		),
		"multi/all.yaml": text(
			"# leading comment",    // 1
			"apiVersion: v1",       // 2
			"kind: Namespace",      // 3
			"metadata:",            // 4
			"  name: shop",         // 5
			"---",                  // 6
			"# the API's account",  // 7
			"",                     // 8
			"apiVersion: v1",       // 9
			"kind: ServiceAccount", // 10
			"metadata:",            // 11
			"  name: api",          // 12
			"  namespace: shop",    // 13
			"--- # third",          // 14
			"",                     // 15
			"apiVersion: rbac.authorization.k8s.io/v1", // 16
			"kind: ClusterRole",                        // 17
			"metadata:",                                // 18
			"  name: system:shop:reader",               // 19
			"rules: []",                                // 20
			"---",                                      // 21
			"---",                                      // 22
			`{"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "flow", "namespace": "shop"}}`, // 23
		),

		// Generators and Helm charts.
		"generators/kustomization.yaml": text(
			"apiVersion: kustomize.config.k8s.io/v1beta1", // 1
			"kind: Kustomization",                         // 2
			"namespace: shop",                             // 3
			"resources:",                                  // 4
			"  - deployment.yaml",                         // 5
			"configMapGenerator:",                         // 6
			"  - name: app-config",                        // 7
			"    literals:",                               // 8
			"      - LOG_LEVEL=info",                      // 9
			"secretGenerator:",                            // 10
			"  - literals: [a=b]",                         // 11
			"    name: app-secret",                        // 12
		),
		"generators/deployment.yaml": text(
			"apiVersion: apps/v1",
			"kind: Deployment",
			"metadata:",
			"  name: worker",
		),
		"helm/kustomization.yaml": text(
			"helmCharts:",       // 1
			"  - name: podinfo", // 2
			"    repo: https://stefanprodan.github.io/podinfo", // 3
			"    version: 6.5.0", // 4
		),

		// Remote bases.
		"remote/kustomization.yaml": text(
			"resources:",
			"  - https://github.com/acme/platform//deploy?ref=v1.2.0",
			"  - github.com/acme/other/base",
			"  - local.yaml",
		),
		"remote/local.yaml": text(
			"apiVersion: v1",
			"kind: ConfigMap",
			"metadata:",
			"  name: local",
		),

		// Name prefixes, from two levels.
		"prefix/kustomization.yaml": text(
			"namePrefix: prod-",
			"nameSuffix: -eu",
			"resources:",
			"  - base",
		),
		"prefix/base/kustomization.yaml": text(
			"namePrefix: web-",
			"resources:",
			"  - deploy.yaml",
		),
		"prefix/base/deploy.yaml": text(
			"apiVersion: apps/v1", // 1
			"kind: Deployment",    // 2
			"metadata:",           // 3
			"  name: api",         // 4
			"---",                 // 5
			"apiVersion: v1",      // 6
			"kind: Namespace",     // 7
			"metadata:",           // 8
			"  name: web",         // 9
		),

		// Entries that try to leave the repository.
		"escape/kustomization.yaml": text(
			"resources:",      // 1
			"  - ../../etc",   // 2
			"  - /etc/passwd", // 3
			"  - ok.yaml",     // 4
		),
		"escape/ok.yaml": text(
			"apiVersion: v1",
			"kind: ConfigMap",
			"metadata:",
			"  name: ok",
		),

		// A kustomization cycle must terminate.
		"cycle/kustomization.yaml":      text("resources:", "  - loop"),
		"cycle/loop/kustomization.yaml": text("resources:", "  - .."),
	}
}

func TestLocate(t *testing.T) {
	repo := gittest.New(t)
	sha := repo.Commit("fleet", fleet())
	short := sha[:7]

	tests := []struct {
		name       string
		req        Request
		wantFound  bool
		wantFile   string
		wantLine   int
		wantVia    []string
		wantReason []string // substrings of Reason
	}{
		{
			name:      "plain directory without kustomization.yaml",
			req:       Request{Path: "./plain", APIVersion: "apps/v1", Kind: "Deployment", Namespace: "shop", Name: "api"},
			wantFound: true, wantFile: "plain/app/deployment.yaml", wantLine: 2,
		},
		{
			name:      "group instead of apiVersion, path without ./",
			req:       Request{Path: "plain", APIVersion: "apps", Kind: "Deployment", Namespace: "shop", Name: "api"},
			wantFound: true, wantFile: "plain/app/deployment.yaml", wantLine: 2,
		},
		{
			name:      "manifest without namespace matches and says so",
			req:       Request{Path: "./plain", APIVersion: "v1", Kind: "Service", Namespace: "shop", Name: "api"},
			wantFound: true, wantFile: "plain/app/service.yml", wantLine: 1,
			wantReason: []string{"sets no namespace", "targetNamespace"},
		},
		{
			name:      "manifest in another namespace is a weak match",
			req:       Request{Path: "./plain", APIVersion: "apps", Kind: "Deployment", Namespace: "other", Name: "api"},
			wantFound: true, wantFile: "plain/app/deployment.yaml", wantLine: 2,
			wantReason: []string{"says namespace `shop`, not `other`"},
		},
		{
			name:      "json manifest",
			req:       Request{Path: "./plain", Kind: "ConfigMap", Namespace: "shop", Name: "json-config"},
			wantFound: true, wantFile: "plain/app/config.json", wantLine: 1,
		},
		{
			name:      "subdirectory with its own kustomization",
			req:       Request{Path: "./plain", Kind: "ConfigMap", Namespace: "shop", Name: "sub-settings"},
			wantFound: true, wantFile: "plain/sub/cm.yaml", wantLine: 1,
			wantVia:    []string{"plain/sub/kustomization.yaml"},
			wantReason: []string{"namePrefix"},
		},
		{
			name:       "files not listed by a kustomization are not applied",
			req:        Request{Path: "./plain", Kind: "ConfigMap", Namespace: "shop", Name: "not-listed"},
			wantReason: []string{"no manifest for ConfigMap shop/not-listed under ./plain at " + short},
		},
		{
			name:       "non-yaml files are not applied",
			req:        Request{Path: "./plain", Kind: "Secret", Name: "readme"},
			wantReason: []string{"no manifest for Secret readme"},
		},
		{
			name:      "three levels of kustomizations",
			req:       Request{Path: "./clusters/prod", APIVersion: "networking.k8s.io/v1", Kind: "IngressClass", Name: "nginx"},
			wantFound: true, wantFile: "infra/controllers/ingress.yaml", wantLine: 2,
			wantVia: []string{"clusters/prod/kustomization.yaml", "infra/kustomization.yml", "infra/controllers/Kustomization"},
		},
		{
			name:      "first document after a leading comment",
			req:       Request{Path: "./multi", Kind: "Namespace", Name: "shop"},
			wantFound: true, wantFile: "multi/all.yaml", wantLine: 2,
		},
		{
			name:      "second document after separator, comment and blank line",
			req:       Request{Path: "./multi", Kind: "ServiceAccount", Namespace: "shop", Name: "api"},
			wantFound: true, wantFile: "multi/all.yaml", wantLine: 9, wantVia: []string{"multi/kustomization.yaml"},
		},
		{
			name:      "cluster-scoped object with colons in its name",
			req:       Request{Path: "./multi", APIVersion: "rbac.authorization.k8s.io", Kind: "ClusterRole", Name: "system:shop:reader"},
			wantFound: true, wantFile: "multi/all.yaml", wantLine: 16,
		},
		{
			name:      "flow-style document after an empty one",
			req:       Request{Path: "./multi", APIVersion: "v1", Kind: "ConfigMap", Namespace: "shop", Name: "flow"},
			wantFound: true, wantFile: "multi/all.yaml", wantLine: 23,
		},
		{
			name:       "wrong group does not match",
			req:        Request{Path: "./multi", APIVersion: "rbac.example.com/v1", Kind: "ClusterRole", Name: "system:shop:reader"},
			wantReason: []string{"no manifest for ClusterRole system:shop:reader under ./multi"},
		},
		{
			name:       "object missing from the manifests",
			req:        Request{Path: "./multi", APIVersion: "apps", Kind: "Deployment", Namespace: "shop", Name: "nope"},
			wantReason: []string{"no manifest for Deployment shop/nope under ./multi at " + short},
		},
		{
			name:       "configMapGenerator with hash suffix",
			req:        Request{Path: "./generators", Kind: "ConfigMap", Namespace: "shop", Name: "app-config-7f8d9c6b5k"},
			wantVia:    []string{"generators/kustomization.yaml"},
			wantReason: []string{"generated by configMapGenerator `app-config` in generators/kustomization.yaml:7"},
		},
		{
			name:       "secretGenerator",
			req:        Request{Path: "./generators", Kind: "Secret", Namespace: "shop", Name: "app-secret-g4h5k"},
			wantReason: []string{"generated by secretGenerator `app-secret` in generators/kustomization.yaml:12"},
		},
		{
			name:       "generator name alone is not a Secret",
			req:        Request{Path: "./generators", Kind: "Secret", Namespace: "shop", Name: "app-config-7f8d9c6b5k"},
			wantReason: []string{"no manifest for Secret shop/app-config-7f8d9c6b5k"},
		},
		{
			name:      "kustomization namespace applies to manifests",
			req:       Request{Path: "./generators", APIVersion: "apps", Kind: "Deployment", Namespace: "shop", Name: "worker"},
			wantFound: true, wantFile: "generators/deployment.yaml", wantLine: 1,
		},
		{
			name:       "helm chart",
			req:        Request{Path: "./helm", APIVersion: "apps", Kind: "Deployment", Namespace: "shop", Name: "podinfo"},
			wantReason: []string{"rendered from Helm chart `podinfo` (helmCharts in helm/kustomization.yaml:2)"},
		},
		{
			name: "remote bases are named, not followed",
			req:  Request{Path: "./remote", APIVersion: "apps", Kind: "Deployment", Namespace: "shop", Name: "platform"},
			wantReason: []string{
				"may come from remote base https://github.com/acme/platform//deploy?ref=v1.2.0 (remote/kustomization.yaml:2), not followed",
				"may come from remote base github.com/acme/other/base (remote/kustomization.yaml:3)",
			},
		},
		{
			name:      "local resource next to remote bases",
			req:       Request{Path: "./remote", Kind: "ConfigMap", Name: "local"},
			wantFound: true, wantFile: "remote/local.yaml", wantLine: 1,
		},
		{
			name:      "namePrefix and nameSuffix from two levels",
			req:       Request{Path: "./prefix", APIVersion: "apps", Kind: "Deployment", Namespace: "shop", Name: "prod-web-api-eu"},
			wantFound: true, wantFile: "prefix/base/deploy.yaml", wantLine: 1,
			wantVia: []string{"prefix/kustomization.yaml", "prefix/base/kustomization.yaml"},
			wantReason: []string{
				"the manifest names it `api`",
				"namePrefix `prod-` in prefix/kustomization.yaml",
				"namePrefix `web-` in prefix/base/kustomization.yaml",
				"nameSuffix `-eu` in prefix/kustomization.yaml",
				"make it `prod-web-api-eu`",
			},
		},
		{
			name:       "untransformed name does not match under a prefix",
			req:        Request{Path: "./prefix", APIVersion: "apps", Kind: "Deployment", Namespace: "shop", Name: "api"},
			wantReason: []string{"no manifest for Deployment shop/api under ./prefix"},
		},
		{
			name:      "namespaces keep their names under a prefix",
			req:       Request{Path: "./prefix", Kind: "Namespace", Name: "web"},
			wantFound: true, wantFile: "prefix/base/deploy.yaml", wantLine: 6,
		},
		{
			name: "paths escaping the root are refused",
			req:  Request{Path: "./escape", Kind: "ConfigMap", Name: "passwd"},
			wantReason: []string{
				"`../../etc` in escape/kustomization.yaml:2 escapes the repository root: refused",
				"`/etc/passwd` in escape/kustomization.yaml:3 escapes the repository root: refused",
			},
		},
		{
			name:      "refusal does not stop the walk",
			req:       Request{Path: "./escape", Kind: "ConfigMap", Name: "ok"},
			wantFound: true, wantFile: "escape/ok.yaml", wantLine: 1,
		},
		{
			name:       "cycles terminate",
			req:        Request{Path: "./cycle", Kind: "ConfigMap", Name: "x"},
			wantReason: []string{"cycle/kustomization.yaml is reached again through its own resources (cycle)"},
		},
		{
			name:      "repository root walks everything",
			req:       Request{Path: "./", Kind: "ServiceAccount", Namespace: "shop", Name: "api"},
			wantFound: true, wantFile: "multi/all.yaml", wantLine: 9,
		},
		{
			name:       "missing path",
			req:        Request{Path: "./nowhere", Kind: "ConfigMap", Name: "x"},
			wantReason: []string{"path ./nowhere is not a directory at " + short},
		},
		{
			name:       "file budget",
			req:        Request{Path: "./plain", Kind: "ConfigMap", Name: "x", MaxFiles: 3},
			wantReason: []string{"search stopped after reading 3 files and directories"},
		},
		{
			name:       "depth limit",
			req:        Request{Path: "./clusters/prod", APIVersion: "networking.k8s.io", Kind: "IngressClass", Name: "nginx", MaxDepth: 2},
			wantReason: []string{"stopped at infra/controllers/Kustomization: deeper than 2 levels"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req := tt.req
			req.GitDir, req.Commit = repo.Dir, sha
			got, err := Locate(context.Background(), req)
			if err != nil {
				t.Fatalf("Locate: %v", err)
			}
			if got.Found != tt.wantFound || got.File != tt.wantFile || got.Line != tt.wantLine {
				t.Errorf("got found=%v %s:%d, want found=%v %s:%d (reason %q)",
					got.Found, got.File, got.Line, tt.wantFound, tt.wantFile, tt.wantLine, got.Reason)
			}
			if tt.wantVia != nil && !slices.Equal(got.Via, tt.wantVia) {
				t.Errorf("via = %q, want %q", got.Via, tt.wantVia)
			}
			for _, want := range tt.wantReason {
				if !strings.Contains(got.Reason, want) {
					t.Errorf("reason %q does not contain %q", got.Reason, want)
				}
			}
			if tt.wantReason == nil && tt.wantFound && got.Reason != "" {
				t.Errorf("unexpected caveat %q", got.Reason)
			}
			if got.Commit == nil || got.Commit.SHA != sha {
				t.Errorf("commit = %+v, want SHA %s", got.Commit, sha)
			}
		})
	}
}

// TestLocateReadsRequestedCommit checks that neither HEAD nor uncommitted
// changes leak into the answer.
func TestLocateReadsRequestedCommit(t *testing.T) {
	repo := gittest.New(t)
	deploy := text(
		"apiVersion: apps/v1",
		"kind: Deployment",
		"metadata:",
		"  name: api",
		"  namespace: shop",
	)
	old := repo.Commit("add api", map[string]string{
		"apps/shop/kustomization.yaml": text("resources:", "  - api.yaml"),
		"apps/shop/api.yaml":           deploy,
	})
	repo.Commit("move api", map[string]string{
		"apps/shop/kustomization.yaml": text("resources:", "  - web.yaml"),
		"apps/shop/api.yaml":           "",
		"apps/shop/web.yaml":           text("# moved", "", deploy),
	})
	repo.Write(map[string]string{"apps/shop/web.yaml": text("# dirty", "", "", "", deploy)})

	for _, tc := range []struct {
		commit   string
		wantFile string
		wantLine int
	}{
		{old, "apps/shop/api.yaml", 1},
		{repo.Git("rev-parse", "HEAD"), "apps/shop/web.yaml", 3},
	} {
		got, err := Locate(context.Background(), Request{
			GitDir: repo.Dir, Commit: tc.commit, Path: "./apps/shop",
			APIVersion: "apps", Kind: "Deployment", Namespace: "shop", Name: "api",
		})
		if err != nil {
			t.Fatal(err)
		}
		if !got.Found || got.File != tc.wantFile || got.Line != tc.wantLine {
			t.Errorf("at %s: got %+v, want %s:%d", tc.commit[:7], got, tc.wantFile, tc.wantLine)
		}
	}

	// A bare clone has no working tree at all and must work the same.
	bare := t.TempDir()
	repo.Git("clone", "-q", "--bare", repo.Dir, bare)
	got, err := Locate(context.Background(), Request{
		GitDir: bare, Commit: old, Path: "apps/shop",
		APIVersion: "apps/v1", Kind: "Deployment", Namespace: "shop", Name: "api",
	})
	if err != nil || !got.Found || got.File != "apps/shop/api.yaml" {
		t.Errorf("bare clone: got %+v, %v", got, err)
	}
}

// TestLocateSkipsHugeFiles checks that an oversized blob is noted and
// skipped instead of being read into memory.
func TestLocateSkipsHugeFiles(t *testing.T) {
	repo := gittest.New(t)
	huge := "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: huge\ndata:\n  x: \"" + strings.Repeat("a", maxFileSize) + "\"\n"
	sha := repo.Commit("huge", map[string]string{
		"apps/huge.yaml": huge,
		"apps/ok.yaml":   text("apiVersion: v1", "kind: ConfigMap", "metadata:", "  name: ok"),
	})
	got, err := Locate(context.Background(), Request{GitDir: repo.Dir, Commit: sha, Path: "apps", Kind: "ConfigMap", Name: "huge"})
	if err != nil {
		t.Fatal(err)
	}
	if got.Found || !strings.Contains(got.Reason, "skipped apps/huge.yaml: larger than 8 MiB") {
		t.Errorf("got %+v", got)
	}
	got, err = Locate(context.Background(), Request{GitDir: repo.Dir, Commit: sha, Path: "apps", Kind: "ConfigMap", Name: "ok"})
	if err != nil || !got.Found || got.File != "apps/ok.yaml" {
		t.Errorf("got %+v, %v", got, err)
	}
}

func TestLocateMissingCommit(t *testing.T) {
	origin := gittest.New(t)
	origin.Commit("first", map[string]string{"a.yaml": text("apiVersion: v1", "kind: ConfigMap", "metadata:", "  name: a")})
	clone := t.TempDir()
	origin.Git("clone", "-q", origin.Dir, clone)
	newer := origin.Commit("second", map[string]string{"b.yaml": text("apiVersion: v1", "kind: ConfigMap", "metadata:", "  name: b")})

	_, err := Locate(context.Background(), Request{GitDir: clone, Commit: newer, Kind: "ConfigMap", Name: "b"})
	var missing *MissingCommitError
	if !errors.As(err, &missing) {
		t.Fatalf("err = %v, want *MissingCommitError", err)
	}
	want := "commit " + newer[:7] + " is not in " + clone + ": run `git -C " + clone + " fetch` and try again"
	if err.Error() != want {
		t.Errorf("err = %q, want %q", err, want)
	}
}

func TestLocateRequestErrors(t *testing.T) {
	repo := gittest.New(t)
	sha := repo.Commit("init", map[string]string{"a.yaml": text("apiVersion: v1", "kind: ConfigMap", "metadata:", "  name: a")})
	cancelled, cancel := context.WithCancel(context.Background())
	cancel()

	tests := []struct {
		name    string
		ctx     context.Context
		req     Request
		wantErr string
	}{
		{"path escaping the root", context.Background(), Request{GitDir: repo.Dir, Commit: sha, Path: "../outside", Kind: "ConfigMap", Name: "a"}, "escapes the repository root"},
		{"option-like commit", context.Background(), Request{GitDir: repo.Dir, Commit: "--output=/tmp/x", Kind: "ConfigMap", Name: "a"}, "invalid commit"},
		{"no kind", context.Background(), Request{GitDir: repo.Dir, Commit: sha, Name: "a"}, "Kind and Name are required"},
		{"not a repository", context.Background(), Request{GitDir: t.TempDir(), Commit: sha, Kind: "ConfigMap", Name: "a"}, "is not a git repository"},
		{"cancelled", cancelled, Request{GitDir: repo.Dir, Commit: sha, Kind: "ConfigMap", Name: "a"}, "context canceled"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Locate(tt.ctx, tt.req)
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Errorf("err = %v, want it to contain %q", err, tt.wantErr)
			}
		})
	}
}

// TestLocateIgnoresGitDirEnv checks that a GIT_DIR inherited from, say, a
// git hook does not redirect reads to another repository.
func TestLocateIgnoresGitDirEnv(t *testing.T) {
	repo := gittest.New(t)
	sha := repo.Commit("init", map[string]string{"a.yaml": text("apiVersion: v1", "kind: ConfigMap", "metadata:", "  name: a")})
	other := gittest.New(t)
	t.Setenv("GIT_DIR", other.Dir+"/.git")

	got, err := Locate(context.Background(), Request{GitDir: repo.Dir, Commit: sha, Kind: "ConfigMap", Name: "a"})
	if err != nil || !got.Found || got.File != "a.yaml" || got.Line != 1 {
		t.Errorf("got %+v, %v", got, err)
	}
}
