package deps_test

import (
	"reflect"
	"testing"
	"time"

	. "github.com/kubectl-gitops/kubectl-gitops/shared/deps"
	"github.com/kubectl-gitops/kubectl-gitops/shared/status"

	helmv2 "github.com/fluxcd/helm-controller/api/v2"
	kustomizev1 "github.com/fluxcd/kustomize-controller/api/v1"
	"github.com/fluxcd/pkg/apis/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

func TestFromKustomization(t *testing.T) {
	k := &kustomizev1.Kustomization{
		ObjectMeta: metav1.ObjectMeta{Name: "apps", Namespace: "team-a", Generation: 4},
		Spec: kustomizev1.KustomizationSpec{
			DependsOn: []meta.DependencyReference{
				{Name: "infra"},
				{Name: "crds", Namespace: "flux-system", ReadyExpr: "status.ready"},
			},
			SourceRef: kustomizev1.CrossNamespaceSourceReference{Kind: "GitRepository", Name: "repo"},
			Suspend:   true,
		},
		Status: kustomizev1.KustomizationStatus{
			ObservedGeneration:  3,
			LastAppliedRevision: "main@sha1:abc",
			Conditions: []metav1.Condition{
				{Type: "Reconciling", Status: metav1.ConditionTrue},
				{Type: meta.ReadyCondition, Status: metav1.ConditionFalse, Reason: "DependencyNotReady", Message: "dependency 'team-a/infra' is not ready"},
			},
		},
	}
	got := FromKustomization(k)
	want := Node{
		Kind: KindKustomization, Namespace: "team-a", Name: "apps",
		DependsOn: []DependencyRef{
			{Name: "infra", Namespace: "team-a"},
			{Name: "crds", Namespace: "flux-system", ReadyExpr: "status.ready"},
		},
		Suspended:           true,
		Ready:               status.Condition{Status: metav1.ConditionFalse, Reason: "DependencyNotReady", Message: "dependency 'team-a/infra' is not ready"},
		Generation:          4,
		ObservedGeneration:  3,
		Timeout:             30 * time.Second, // kustomize-controller's default with no interval
		SourceRef:           SourceRef{Kind: "GitRepository", Namespace: "team-a", Name: "repo"},
		LastAppliedRevision: "main@sha1:abc",
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("FromKustomization:\n got %+v\nwant %+v", got, want)
	}
}

func TestFromHelmRelease(t *testing.T) {
	h := &helmv2.HelmRelease{
		ObjectMeta: metav1.ObjectMeta{Name: "app", Namespace: "apps", Generation: 2},
		Spec: helmv2.HelmReleaseSpec{
			DependsOn: []meta.DependencyReference{{Name: "db"}, {Name: "cert-manager", Namespace: "cert-manager"}},
		},
		Status: helmv2.HelmReleaseStatus{ObservedGeneration: 2},
	}
	got := FromHelmRelease(h)
	want := Node{
		Kind: KindHelmRelease, Namespace: "apps", Name: "app",
		DependsOn: []DependencyRef{
			{Name: "db", Namespace: "apps"},
			{Name: "cert-manager", Namespace: "cert-manager"},
		},
		Generation: 2, ObservedGeneration: 2,
		Timeout: 5 * time.Minute, // helm-controller's default
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("FromHelmRelease:\n got %+v\nwant %+v", got, want)
	}
}

func TestSetSourceRevisions(t *testing.T) {
	git := SourceRef{Kind: "GitRepository", Namespace: "flux-system", Name: "flux-system"}
	oci := SourceRef{Kind: "OCIRepository", Namespace: "flux-system", Name: "flux-system"}
	nodes := []Node{
		{Kind: KindKustomization, Name: "a", SourceRef: git},
		{Kind: KindKustomization, Name: "b", SourceRef: oci},
		{Kind: KindKustomization, Name: "c"},
		{Kind: KindHelmRelease, Name: "d", SourceRef: git},
	}
	SetSourceRevisions(nodes, map[SourceRef]string{git: "main@sha1:1", {}: "never"})
	got := []string{nodes[0].SourceRevision, nodes[1].SourceRevision, nodes[2].SourceRevision, nodes[3].SourceRevision}
	if want := []string{"main@sha1:1", "", "", ""}; !reflect.DeepEqual(got, want) {
		t.Errorf("revisions = %q, want %q", got, want)
	}
}
