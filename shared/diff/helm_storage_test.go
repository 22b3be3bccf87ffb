package diff

import (
	"fmt"
	"strings"
	"testing"

	helmv2 "github.com/fluxcd/helm-controller/api/v2"
	rcommon "helm.sh/helm/v4/pkg/release/common"
	rspb "helm.sh/helm/v4/pkg/release/v1"
	"helm.sh/helm/v4/pkg/storage/driver"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/client-go/kubernetes/fake"
)

func TestReleaseOf(t *testing.T) {
	long := strings.Repeat("n", 30)
	hr := func(spec helmv2.HelmReleaseSpec, status helmv2.HelmReleaseStatus) *helmv2.HelmRelease {
		return &helmv2.HelmRelease{ObjectMeta: metav1.ObjectMeta{Name: "web", Namespace: "apps"}, Spec: spec, Status: status}
	}
	for _, tc := range []struct {
		name string
		hr   *helmv2.HelmRelease
		want releaseRef
	}{
		{"the HelmRelease's name and namespace", hr(helmv2.HelmReleaseSpec{}, helmv2.HelmReleaseStatus{}), releaseRef{"web", "apps", "apps"}},
		{"targetNamespace prefixes the name; storage stays", hr(helmv2.HelmReleaseSpec{TargetNamespace: "shop"}, helmv2.HelmReleaseStatus{}), releaseRef{"shop-web", "shop", "apps"}},
		{"releaseName and storageNamespace", hr(helmv2.HelmReleaseSpec{ReleaseName: "front", TargetNamespace: "shop", StorageNamespace: "helm"}, helmv2.HelmReleaseStatus{}), releaseRef{"front", "shop", "helm"}},
		{"a long name is shortened as helm-controller does", hr(helmv2.HelmReleaseSpec{TargetNamespace: long}, helmv2.HelmReleaseStatus{}),
			releaseRef{shortenName(long + "-web"), long, "apps"}},
		{"what the controller recorded wins over a changed spec",
			hr(helmv2.HelmReleaseSpec{ReleaseName: "renamed"}, helmv2.HelmReleaseStatus{StorageNamespace: "old-storage",
				History: helmv2.Snapshots{{Name: "web", Namespace: "apps", Version: 3}}}),
			releaseRef{"web", "apps", "old-storage"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := releaseOf(tc.hr); got != tc.want {
				t.Errorf("releaseOf = %+v, want %+v", got, tc.want)
			}
		})
	}
}

func TestShortenName(t *testing.T) {
	name := strings.Repeat("a", 40) + "-" + strings.Repeat("b", 20)
	got := shortenName(name)
	// helm-controller's: 40 characters, a dash, 12 hex digits of the SHA-256.
	if len(got) != 53 || !strings.HasPrefix(got, strings.Repeat("a", 40)+"-") || got == shortenName(name+"x") {
		t.Errorf("shortenName(%s) = %s", name, got)
	}
	if got := shortenName("web"); got != "web" {
		t.Errorf("shortenName(web) = %s, want it unchanged", got)
	}
}

// TestDeployedRelease writes releases with Helm's own Secrets driver and reads back
// the deployed one: what helm-controller stored is what is compared.
func TestDeployedRelease(t *testing.T) {
	secrets := fake.NewClientset().CoreV1().Secrets("apps")
	d := driver.NewSecrets(secrets)
	for _, r := range []*rspb.Release{
		{Name: "web", Version: 1, Namespace: "apps", Manifest: "v1", Info: &rspb.Info{Status: rcommon.StatusSuperseded}},
		{Name: "web", Version: 2, Namespace: "apps", Manifest: "v2", Info: &rspb.Info{Status: rcommon.StatusDeployed}},
		{Name: "web", Version: 3, Namespace: "apps", Manifest: "v3", Info: &rspb.Info{Status: rcommon.StatusFailed}},
		{Name: "api", Version: 1, Namespace: "apps", Manifest: "api", Info: &rspb.Info{Status: rcommon.StatusDeployed}},
		{Name: "gone", Version: 1, Namespace: "apps", Manifest: "gone", Info: &rspb.Info{Status: rcommon.StatusUninstalled}},
	} {
		if err := d.Create(fmt.Sprintf("sh.helm.release.v1.%s.v%d", r.Name, r.Version), r); err != nil {
			t.Fatal(err)
		}
	}
	got, err := deployedRelease(secrets, "web")
	if err != nil || got == nil || got.Version != 2 || got.Manifest != "v2" {
		t.Fatalf("deployedRelease(web) = %+v, %v; want version 2", got, err)
	}
	for _, name := range []string{"gone", "never"} {
		if got, err := deployedRelease(secrets, name); got != nil || err != nil {
			t.Errorf("deployedRelease(%s) = %+v, %v; want none, no error", name, got, err)
		}
	}
}

func TestReleaseObjects(t *testing.T) {
	mapper := meta.NewDefaultRESTMapper(nil)
	mapper.Add(schema.GroupVersionKind{Version: "v1", Kind: "ConfigMap"}, meta.RESTScopeNamespace)
	mapper.Add(schema.GroupVersionKind{Group: "rbac.authorization.k8s.io", Version: "v1", Kind: "ClusterRole"}, meta.RESTScopeRoot)
	manifest := `---
# Source: web/templates/cm.yaml
apiVersion: v1
kind: ConfigMap
metadata:
  name: web-config
  labels: {app: web}
data:
  greeting: hello
---
apiVersion: v1
kind: ConfigMap
metadata:
  name: elsewhere
  namespace: other
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata:
  name: web-reader
`
	objects, err := releaseObjects(manifest, releaseRef{Name: "web", Namespace: "apps", StorageNamespace: "apps"}, mapper)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, o := range objects {
		got = append(got, o.GetKind()+"/"+o.GetNamespace()+"/"+o.GetName())
		if o.GetLabels()["app.kubernetes.io/managed-by"] != "Helm" || o.GetAnnotations()["meta.helm.sh/release-name"] != "web" || o.GetAnnotations()["meta.helm.sh/release-namespace"] != "apps" {
			t.Errorf("%s lacks Helm's metadata: labels %v, annotations %v", o.GetName(), o.GetLabels(), o.GetAnnotations())
		}
	}
	if want := "ConfigMap/apps/web-config ConfigMap/other/elsewhere ClusterRole//web-reader"; strings.Join(got, " ") != want {
		t.Errorf("objects = %s, want %s", strings.Join(got, " "), want)
	}
	if objects[0].GetLabels()["app"] != "web" {
		t.Errorf("the chart's own labels were lost: %v", objects[0].GetLabels())
	}
}
