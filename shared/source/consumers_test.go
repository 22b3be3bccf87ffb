package source

import (
	"context"
	"testing"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"

	"github.com/kubectl-gitops/kubectl-gitops/shared/cluster/clustertest"
)

func fluxObject(apiVersion, kind, namespace, name string, spec, status map[string]any) *unstructured.Unstructured {
	u := &unstructured.Unstructured{Object: map[string]any{"apiVersion": apiVersion, "kind": kind,
		"metadata": map[string]any{"namespace": namespace, "name": name}, "spec": spec}}
	if status != nil {
		u.Object["status"] = status
	}
	return u
}

// ConsumersOf splits one list per kind among several GitRepositories of several
// namespaces, and reads where each applies (spec.kubeConfig).
func TestConsumersOf(t *testing.T) {
	ks := func(ns, name, repoNS, repo string, kubeConfig bool) *unstructured.Unstructured {
		spec := map[string]any{"sourceRef": map[string]any{"kind": "GitRepository", "name": repo, "namespace": repoNS}}
		if kubeConfig {
			spec["kubeConfig"] = map[string]any{"secretRef": map[string]any{"name": "workload-kubeconfig"}}
		}
		return fluxObject("kustomize.toolkit.fluxcd.io/v1", "Kustomization", ns, name, spec, nil)
	}
	f := clustertest.New("default",
		ks("team-a", "apps", "team-a", "fleet", false),
		ks("team-b", "apps", "team-b", "fleet", true),
		ks("team-b", "other", "team-b", "unrelated", false),
		fluxObject("source.toolkit.fluxcd.io/v1", "HelmChart", "team-b", "team-b-web",
			map[string]any{"chart": "./charts/web", "sourceRef": map[string]any{"kind": "GitRepository", "name": "fleet"}},
			map[string]any{"artifact": map[string]any{"revision": "0.1.0"}}),
		fluxObject("helm.toolkit.fluxcd.io/v2", "HelmRelease", "team-b", "web",
			map[string]any{"chartRef": map[string]any{"kind": "HelmChart", "name": "team-b-web"}}, nil),
	)
	cl, err := f.Client()
	if err != nil {
		t.Fatal(err)
	}
	out, err := ConsumersOf(context.Background(), cl.Dynamic, []Repo{{Namespace: "team-a", Name: "fleet"}, {Namespace: "team-b", Name: "fleet"}})
	if err != nil {
		t.Fatal(err)
	}
	names := func(cs []Consumer) []string {
		var s []string
		for _, c := range cs {
			s = append(s, c.Kind+" "+c.Namespace+"/"+c.Name)
		}
		return s
	}
	if got := names(out[0]); len(got) != 1 || got[0] != "Kustomization team-a/apps" {
		t.Errorf("team-a/fleet's consumers %v", got)
	}
	got := names(out[1])
	want := []string{"Kustomization team-b/apps", "HelmChart team-b/team-b-web", "HelmRelease team-b/web"}
	if len(got) != len(want) {
		t.Fatalf("team-b/fleet's consumers %v, want %v", got, want)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("team-b/fleet's consumers %v, want %v", got, want)
		}
	}
	if kc := out[1][0].KubeConfig; kc == nil || kc.SecretRef == nil || kc.SecretRef.Name != "workload-kubeconfig" {
		t.Errorf("team-b/apps's kubeConfig %+v", kc)
	}
	if out[0][0].KubeConfig != nil {
		t.Errorf("team-a/apps applies to its own cluster, kubeConfig %+v", out[0][0].KubeConfig)
	}
}
