package diff

import (
	"context"
	"errors"
	"strings"
	"testing"

	helmv2 "github.com/fluxcd/helm-controller/api/v2"
	fluxmeta "github.com/fluxcd/pkg/apis/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/client-go/kubernetes/fake"
	crfake "sigs.k8s.io/controller-runtime/pkg/client/fake"

	"github.com/kubectl-gitops/kubectl-gitops/shared/cluster/clustertest"
	"github.com/kubectl-gitops/kubectl-gitops/shared/exitcode"
)

func helmReleaseObject(t *testing.T, spec helmv2.HelmReleaseSpec) *unstructured.Unstructured {
	t.Helper()
	hr := &helmv2.HelmRelease{TypeMeta: metav1.TypeMeta{APIVersion: helmv2.GroupVersion.String(), Kind: "HelmRelease"},
		ObjectMeta: metav1.ObjectMeta{Name: "web", Namespace: "apps"}, Spec: spec}
	u, err := runtime.DefaultUnstructuredConverter.ToUnstructured(hr)
	if err != nil {
		t.Fatal(err)
	}
	return &unstructured.Unstructured{Object: u}
}

func sourceObject(kind string) *unstructured.Unstructured {
	u := &unstructured.Unstructured{}
	u.SetAPIVersion("source.toolkit.fluxcd.io/v1")
	u.SetKind(kind)
	u.SetNamespace("apps")
	u.SetName("src")
	return u
}

// TestForHelmReleaseNotCompared: a HelmRelease that cannot be compared says why in
// one line, as a SkipError (beside others it is listed as skipped), never as an
// empty comparison.
func TestForHelmReleaseNotCompared(t *testing.T) {
	chart := func(kind string) *helmv2.HelmChartTemplate {
		return &helmv2.HelmChartTemplate{Spec: helmv2.HelmChartTemplateSpec{Chart: "web", SourceRef: helmv2.CrossNamespaceObjectReference{Kind: kind, Name: "src"}}}
	}
	for _, tc := range []struct {
		name string
		spec helmv2.HelmReleaseSpec
		opts Options
		code exitcode.Code
		want string
	}{
		{"another cluster", helmv2.HelmReleaseSpec{Chart: chart("GitRepository"), KubeConfig: &fluxmeta.KubeConfigReference{}}, Options{}, exitcode.Usage,
			"HelmRelease apps/web installs into another cluster (spec.kubeConfig)"},
		{"chartRef", helmv2.HelmReleaseSpec{ChartRef: &helmv2.CrossNamespaceSourceReference{Kind: "OCIRepository", Name: "src"}}, Options{}, exitcode.Usage,
			"HelmRelease apps/web reads its chart through spec.chartRef: not supported yet"},
		{"drift without a deployed release", helmv2.HelmReleaseSpec{Chart: chart("GitRepository")}, Options{Revision: RevisionApplied}, exitcode.NotFound,
			"HelmRelease apps/web has no deployed Helm release web in namespace apps: no drift to compare"},
		{"a Bucket", helmv2.HelmReleaseSpec{Chart: chart("Bucket")}, Options{}, exitcode.Usage,
			"HelmRelease apps/web installs chart web from Bucket apps/src: only a chart in a GitRepository or a HelmRepository is fetched"},
		{"a HelmRepository with --git-dir", helmv2.HelmReleaseSpec{Chart: chart("HelmRepository")}, Options{GitDir: "/clone"}, exitcode.Usage,
			"--git-dir reads Git commits, but HelmRelease apps/web installs chart web from HelmRepository apps/src"},
		{"a GitRepository without an artifact", helmv2.HelmReleaseSpec{Chart: chart("GitRepository")}, Options{}, exitcode.NotFound,
			"GitRepository apps/src holds no artifact yet: no chart to compare"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := clustertest.New("apps", helmReleaseObject(t, tc.spec), sourceObject("GitRepository"), sourceObject("HelmRepository"), sourceObject("Bucket"))
			cl := Clients{Dynamic: f.Dynamic, Client: crfake.NewClientBuilder().Build(), Kube: fake.NewClientset()}
			h, err := ForHelmRelease(context.Background(), cl, "apps", "web", tc.opts)
			var s *SkipError
			if !errors.As(err, &s) || h != nil {
				t.Fatalf("ForHelmRelease = %+v, %v; want a SkipError", h, err)
			}
			if exitcode.Of(err) != tc.code || !strings.HasPrefix(err.Error(), tc.want) || strings.Contains(err.Error(), "\n") {
				t.Errorf("error = %q (code %d), want one line starting %q (code %d)", err, exitcode.Of(err), tc.want, tc.code)
			}
		})
	}
}
