package testbed

import "testing"

// TestReadOnlyUserYAML pins the text the e2e tests applied inline before the helper.
func TestReadOnlyUserYAML(t *testing.T) {
	got := ReadOnlyUserYAML("flux-reader", []string{"source.toolkit.fluxcd.io", "kustomize.toolkit.fluxcd.io"}, []string{"gitrepositories", "kustomizations"})
	want := `apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: {name: flux-reader}
rules:
  - apiGroups: ["source.toolkit.fluxcd.io", "kustomize.toolkit.fluxcd.io"]
    resources: ["gitrepositories", "kustomizations"]
    verbs: ["get", "list"]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata: {name: flux-reader}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: flux-reader}
subjects: [{apiGroup: rbac.authorization.k8s.io, kind: User, name: flux-reader}]
`
	if got != want {
		t.Errorf("ReadOnlyUserYAML =\n%s\nwant\n%s", got, want)
	}
}
