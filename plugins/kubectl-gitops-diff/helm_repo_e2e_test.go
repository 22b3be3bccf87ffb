package main_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"helm.sh/helm/v4/pkg/chart/v2/loader"
	chartutil "helm.sh/helm/v4/pkg/chart/v2/util"
	repo "helm.sh/helm/v4/pkg/repo/v1"

	"github.com/kubectl-gitops/kubectl-gitops/shared/diff"
	"github.com/kubectl-gitops/kubectl-gitops/shared/flux"
	"github.com/kubectl-gitops/kubectl-gitops/shared/output"
	"github.com/kubectl-gitops/kubectl-gitops/shared/output/outputtest"
	"github.com/kubectl-gitops/kubectl-gitops/shared/testbed"
)

// chartRepository serves an HTTP Helm repository holding the bed's chart web at
// version, as `helm package` and `helm repo index` would lay it out.
func chartRepository(t *testing.T, version string) *httptest.Server {
	t.Helper()
	src, served := t.TempDir(), t.TempDir()
	for name, text := range testbed.ChartFiles("web", "web", version) {
		p := filepath.Join(src, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	ch, err := loader.Load(filepath.Join(src, "web"))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := chartutil.Save(ch, served); err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(http.FileServer(http.Dir(served)))
	t.Cleanup(srv.Close)
	index, err := repo.IndexDirectory(served, srv.URL)
	if err != nil {
		t.Fatal(err)
	}
	if err := index.WriteFile(filepath.Join(served, "index.yaml"), 0o644); err != nil {
		t.Fatal(err)
	}
	return srv
}

func helmRepositoryHR(name, repository, valuesFrom string) string {
	hr := `apiVersion: helm.toolkit.fluxcd.io/v2
kind: HelmRelease
metadata:
  name: ` + name + `
  namespace: default
spec:
  interval: 1h
  chart:
    spec:
      chart: web
      sourceRef:
        kind: HelmRepository
        name: ` + repository + `
`
	if valuesFrom != "" {
		hr += "  valuesFrom:\n    - kind: Secret\n      name: " + valuesFrom + "\n"
	}
	return hr
}

func helmRepositoryYAML(name, url string) string {
	return "apiVersion: source.toolkit.fluxcd.io/v1\nkind: HelmRepository\nmetadata:\n  name: " + name + "\n  namespace: default\nspec:\n  interval: 1h\n  url: " + url + "\n"
}

// TestDiffHelmReleaseFromRepository runs `kubectl gitops diff hr/…` on HelmReleases
// whose chart comes from a HelmRepository (an HTTP repository the test serves): right
// after the install nothing differs, the HelmChart's version fetched and valuesFrom
// Secret merged as helm-controller does; a value changed in that Secret is pending and
// neither its old nor its new value is ever printed; a HelmRelease whose repository
// cannot be reached is not compared, in one line, and beside another it is listed as
// skipped.
func TestDiffHelmReleaseFromRepository(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 8*time.Minute)
	defer cancel()
	bed := testbed.Start(t, testbed.Options{Flux: true})
	srv := chartRepository(t, "0.1.0")
	secret := "apiVersion: v1\nkind: Secret\nmetadata:\n  name: web-values\n  namespace: default\nstringData:\n  values.yaml: 'greeting: s3cret-one'\n"
	manifests := secret + "---\n" + helmRepositoryYAML("charts", srv.URL) + "---\n" + helmRepositoryYAML("nowhere", "http://127.0.0.1:9/charts") + "---\n" +
		helmRepositoryHR("web", "charts", "web-values") + "---\n" + helmRepositoryHR("bad", "nowhere", "")
	if err := bed.Apply(ctx, manifests); err != nil {
		t.Fatal(err)
	}
	if _, err := bed.WaitReady(ctx, flux.KindHelmRelease, "default", "web"); err != nil {
		t.Fatal(err)
	}
	kubectl := kubectlRunner(ctx, t, bed)
	noSecrets := func(run testbed.Run) {
		t.Helper()
		for _, v := range []string{"s3cret-one", "s3cret-two"} {
			if strings.Contains(run.Stdout+run.Stderr, v) {
				t.Errorf("a valuesFrom Secret's value %s was printed:\n%s", v, run)
			}
		}
	}
	decode := func(run testbed.Run) []diff.HelmRelease {
		t.Helper()
		var got []diff.HelmRelease
		if err := outputtest.Decode(output.FormatJSON, []byte(run.Stdout), output.KindDiff, func() any { return &diff.Diff{} }, func(d any) {
			got = d.(*diff.Diff).HelmReleases
		}); err != nil {
			t.Fatalf("%v\n%s", err, run)
		}
		return got
	}

	run := kubectl("gitops", "diff", "hr/web", "-n", "default", "-o", output.FormatJSON)
	if run.Code != 0 {
		t.Fatalf("right after the install: exit %d, want 0\n%s", run.Code, run)
	}
	noSecrets(run)
	if h := decode(run); len(h) != 1 || h[0].Source != "HelmRepository default/charts" || h[0].Revision != "0.1.0" || h[0].Summary.Unchanged != 2 {
		t.Errorf("right after the install: %+v, want chart 0.1.0 from HelmRepository default/charts, 2 unchanged", h)
	}

	if run := kubectl("patch", "secret", "web-values", "-n", "default", "-p", `{"stringData":{"values.yaml":"greeting: s3cret-two"}}`); run.Code != 0 {
		t.Fatal(run)
	}
	text := kubectl("gitops", "diff", "hr/web", "-n", "default")
	if text.Code != 7 || !strings.Contains(text.Stdout, "pending: .data.greeting") || !strings.Contains(text.Stdout, "-  greeting: ***\n    +  greeting: ***") {
		t.Errorf("after the Secret changed: exit %d, want 7, .data.greeting pending and masked\n%s", text.Code, text)
	}
	noSecrets(text)
	noSecrets(kubectl("gitops", "diff", "hr/web", "-n", "default", "-o", output.FormatJSON))

	bad := kubectl("gitops", "diff", "hr/bad", "-n", "default")
	if lines := strings.Split(strings.TrimSpace(bad.Stderr), "\n"); bad.Code != 1 || bad.Stdout != "" || len(lines) != 1 ||
		!strings.HasPrefix(lines[0], "error: cannot fetch chart web * from HelmRepository default/nowhere") {
		t.Errorf("an unreachable repository: exit %d, want 1 and one error line\n%s", bad.Code, bad)
	}
	both := kubectl("gitops", "diff", "hr/web", "hr/bad", "-n", "default", "-o", output.FormatJSON)
	if h := decode(both); both.Code != 7 || len(h) != 2 || h[0].Skipped != "" || !strings.HasPrefix(h[1].Skipped, "cannot fetch chart web") || len(h[1].Objects) != 0 {
		t.Errorf("web and bad: exit %d, want 7, web compared and bad skipped with why\n%s", both.Code, both)
	}
}
