package dir

import (
	"context"
	"path/filepath"
	"sort"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/kubectl-gitops/kubectl-gitops/shared/deps"
)

// TestRenderHomeOps reads a fleet laid out like the home-ops repositories: per-namespace
// folders whose kustomization.yaml sets namespace: and lists one ks.yaml per app (one of
// them commented out), a component that adds a dependsOn by JSON patch with a
// ${VAR:=default}, and a plain folder of Flux objects with no kustomization.yaml.
func TestRenderHomeOps(t *testing.T) {
	ks := func(name, path, extra string) string {
		return "apiVersion: kustomize.toolkit.fluxcd.io/v1\nkind: Kustomization\nmetadata:\n  name: " + name +
			"\nspec:\n  interval: 1h\n  path: " + path + "\n  prune: true\n  sourceRef:\n    kind: GitRepository\n    name: flux-system\n    namespace: flux-system\n" + extra
	}
	root := writeTree(t, map[string]string{
		"kubernetes/flux/volsync.yaml": strings.Replace(ks("volsync", "./kubernetes/apps/volsync", ""), "metadata:\n", "metadata:\n  namespace: flux-system\n", 1),
		"kubernetes/apps/database/kustomization.yaml": `apiVersion: kustomize.config.k8s.io/v1beta1
kind: Kustomization
namespace: database
resources:
  - ./cnpg/ks.yaml
components:
  - ../../components/volsync
`,
		"kubernetes/apps/database/cnpg/ks.yaml": ks("cnpg", "./kubernetes/apps/database/cnpg/app", ""),
		"kubernetes/components/volsync/kustomization.yaml": `apiVersion: kustomize.config.k8s.io/v1alpha1
kind: Component
patches:
  - target:
      kind: Kustomization
    patch: |-
      - op: add
        path: /spec/dependsOn
        value:
          - name: ${VOLSYNC_KS:=volsync}
            namespace: flux-system
`,
		"kubernetes/apps/default/kustomization.yaml": `apiVersion: kustomize.config.k8s.io/v1beta1
kind: Kustomization
namespace: default
resources:
  - ./web/ks.yaml
  # - ./old/ks.yaml
`,
		"kubernetes/apps/default/web/ks.yaml": ks("web", "./kubernetes/apps/default/web/app", "  dependsOn:\n    - name: cnpg\n      namespace: database\n"),
		"kubernetes/apps/default/old/ks.yaml": ks("old", "./kubernetes/apps/default/old/app", "  dependsOn:\n    - name: gone\n"),
	})
	res, err := Load(root, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Errors) > 0 {
		t.Fatalf("errors: %v", res.Errors)
	}
	var got []string
	for _, n := range res.Nodes {
		var d []string
		for _, dep := range n.DependsOn {
			d = append(d, dep.Namespace+"/"+dep.Name)
		}
		rel := strings.TrimPrefix(n.File, root+"/")
		got = append(got, n.Namespace+"/"+n.Name+" needs ["+strings.Join(d, " ")+"] from "+rel)
	}
	sort.Strings(got)
	want := []string{
		"database/cnpg needs [flux-system/volsync] from kubernetes/apps/database/cnpg/ks.yaml",
		"default/web needs [database/cnpg] from kubernetes/apps/default/web/ks.yaml",
		"flux-system/volsync needs [] from kubernetes/flux/volsync.yaml",
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("nodes:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	if r := deps.Analyze(context.Background(), res.Nodes); len(r.Missing) != 0 {
		t.Errorf("missing dependencies in a healthy fleet: %+v", r.Missing)
	}
}

// TestRenderRefusesHostileFolders leaves a kustomization root that holds a FIFO as it
// stands: kustomize would block reading it.
func TestRenderRefusesHostileFolders(t *testing.T) {
	root := writeTree(t, map[string]string{
		"apps/kustomization.yaml": "apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nnamespace: shop\nresources: [ks.yaml]\nconfigMapGenerator:\n  - name: x\n    files: [data.txt]\n",
		"apps/ks.yaml":            "apiVersion: kustomize.toolkit.fluxcd.io/v1\nkind: Kustomization\nmetadata: {name: web}\nspec: {interval: 1h, path: ./x, prune: true, sourceRef: {kind: GitRepository, name: flux-system}}\n",
	})
	if err := syscall.Mkfifo(filepath.Join(root, "apps", "data.txt"), 0o644); err != nil {
		t.Skip(err)
	}
	done := make(chan *Result, 1)
	go func() {
		res, _ := Load(root, Options{})
		done <- res
	}()
	select {
	case res := <-done:
		if len(res.Nodes) != 1 || res.Nodes[0].Namespace != "flux-system" {
			t.Errorf("nodes %+v, want web read as it stands", res.Nodes)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("Load hung on a FIFO a kustomization.yaml references")
	}
}
