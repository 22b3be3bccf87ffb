package dir

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"github.com/kubectl-gitops/kubectl-gitops/shared/deps"
)

// benchFleet writes a repository of 1,000 Kustomizations over 300 paths, home-ops
// style: a bootstrap root, an apps Kustomization listing 300 app folders whose ks.yaml
// holds three or four Kustomizations (the last 100 folders four) on the app's path,
// each with a post-build variable and a dependsOn on the previous app; every app path
// holds a ConfigMap and a HelmRelease.
func benchFleet(tb testing.TB) string {
	root := tb.TempDir()
	write := func(p, c string) {
		full := filepath.Join(root, filepath.FromSlash(p))
		if err := os.MkdirAll(filepath.Dir(full), 0o755); err != nil {
			tb.Fatal(err)
		}
		if err := os.WriteFile(full, []byte(c), 0o644); err != nil {
			tb.Fatal(err)
		}
	}
	write("clusters/bench/flux-system/gotk-sync.yaml", "apiVersion: source.toolkit.fluxcd.io/v1\nkind: GitRepository\nmetadata:\n  name: flux-system\n  namespace: flux-system\nspec:\n  url: https://example.com/fleet\n---\n"+ks("flux-system", "flux-system", "./clusters/bench", ""))
	write("clusters/bench/apps.yaml", ks("apps", "flux-system", "./apps", ""))
	list := "apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nresources:\n"
	count := 0
	for i := 0; i < 300; i++ {
		app := fmt.Sprintf("app-%03d", i)
		list += "  - ./" + app + "/ks.yaml\n"
		n := 3
		if i >= 200 {
			n = 4
		}
		var docs string
		for j := 0; j < n && count < 1000; j++ {
			extra := fmt.Sprintf("  targetNamespace: ns-%d\n  postBuild:\n    substitute:\n      APP: %s-%d\n", j, app, j)
			if i > 0 {
				extra += fmt.Sprintf("  dependsOn:\n    - name: app-%03d-%d\n", i-1, j%3)
			}
			docs += ks(fmt.Sprintf("%s-%d", app, j), "flux-system", "./apps/"+app+"/app", extra) + "---\n"
			count++
		}
		write("apps/"+app+"/ks.yaml", docs)
		write("apps/"+app+"/app/cm.yaml", "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: ${APP}\ndata:\n  k: v\n")
		write("apps/"+app+"/app/hr.yaml", "apiVersion: helm.toolkit.fluxcd.io/v2\nkind: HelmRelease\nmetadata:\n  name: ${APP}\nspec:\n  interval: 1h\n  chart:\n    spec:\n      chart: x\n      sourceRef:\n        kind: HelmRepository\n        name: x\n")
	}
	write("apps/kustomization.yaml", list)
	return root
}

// BenchmarkWalk1000 is the offline check of a large fleet: rendering every
// Kustomization as kustomize-controller does, then the analysis.
func BenchmarkWalk1000(b *testing.B) {
	repo := benchFleet(b)
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		cl, err := Walk(repo, "clusters/bench", Options{})
		if err != nil {
			b.Fatal(err)
		}
		r := deps.Analyze(context.Background(), cl.Nodes)
		ks := 0
		for _, n := range cl.Nodes {
			if n.Kind == deps.KindKustomization {
				ks++
			}
		}
		if ks != 1002 || len(r.Missing) != 0 || len(cl.Errors) != 0 {
			b.Fatalf("%d Kustomizations, %d missing, errors %v", ks, len(r.Missing), cl.Errors)
		}
	}
}

// TestWriteBenchFleet writes the benchmark's fleet to $BENCH_FLEET, to measure the
// binary on it (BENCHMARKS.md).
func TestWriteBenchFleet(t *testing.T) {
	dest := os.Getenv("BENCH_FLEET")
	if dest == "" {
		t.Skip("set BENCH_FLEET to write the benchmark fleet there")
	}
	src := benchFleet(t)
	if err := os.CopyFS(dest, os.DirFS(src)); err != nil {
		t.Fatal(err)
	}
}
