package testbed

import (
	"fmt"
	"strings"
)

// GitRepositoryYAML returns a GitRepository tracking branch of url, polled every minute
// (tests call Reconcile to fetch at once rather than wait).
func GitRepositoryYAML(namespace, name, url, branch string) string {
	return fmt.Sprintf(`apiVersion: source.toolkit.fluxcd.io/v1
kind: GitRepository
metadata:
  name: %s
  namespace: %s
spec:
  interval: 1m
  url: %s
  ref:
    branch: %s
`, name, namespace, url, branch)
}

// Kustomization describes a Kustomization for KustomizationYAML.
type Kustomization struct {
	Namespace, Name string
	// Path inside the source.
	Path string
	// Source is the GitRepository name, in SourceNamespace (defaults to Namespace).
	Source, SourceNamespace string
	// DependsOn lists "name" or "namespace/name".
	DependsOn       []string
	TargetNamespace string
	Suspend         bool
	// Interval is the reconcile interval; 1m when empty.
	Interval string
	// KubeConfigSecret names the Secret of spec.kubeConfig: the Kustomization applies
	// to the cluster that kubeconfig points at.
	KubeConfigSecret string
}

// KustomizationYAML renders k with prune on and a short retry, so failures show fast.
func KustomizationYAML(k Kustomization) string {
	var b strings.Builder
	fmt.Fprintf(&b, `apiVersion: kustomize.toolkit.fluxcd.io/v1
kind: Kustomization
metadata:
  name: %s
  namespace: %s
spec:
  interval: %s
  retryInterval: 5s
  timeout: 1m
  prune: true
  path: %s
  sourceRef:
    kind: GitRepository
    name: %s
`, k.Name, k.Namespace, orDefault(k.Interval, "1m"), k.Path, k.Source)
	if k.SourceNamespace != "" {
		fmt.Fprintf(&b, "    namespace: %s\n", k.SourceNamespace)
	}
	if k.TargetNamespace != "" {
		fmt.Fprintf(&b, "  targetNamespace: %s\n", k.TargetNamespace)
	}
	if k.Suspend {
		b.WriteString("  suspend: true\n")
	}
	if k.KubeConfigSecret != "" {
		fmt.Fprintf(&b, "  kubeConfig:\n    secretRef:\n      name: %s\n", k.KubeConfigSecret)
	}
	writeDependsOn(&b, k.DependsOn)
	return b.String()
}

// HelmReleaseYAML returns a HelmRelease installing the chart at chartPath of a
// GitRepository, with DependsOn entries as for Kustomization.
func HelmReleaseYAML(namespace, name, chartPath, gitRepoNamespace, gitRepo string, dependsOn ...string) string {
	var b strings.Builder
	fmt.Fprintf(&b, `apiVersion: helm.toolkit.fluxcd.io/v2
kind: HelmRelease
metadata:
  name: %s
  namespace: %s
spec:
  interval: 1m
  chart:
    spec:
      chart: %s
      reconcileStrategy: Revision
      sourceRef:
        kind: GitRepository
        name: %s
        namespace: %s
`, name, namespace, chartPath, gitRepo, gitRepoNamespace)
	writeDependsOn(&b, dependsOn)
	return b.String()
}

// ChartFiles returns a minimal Helm chart at dir whose objects need no controller to
// be ready (a ConfigMap and a Service), so helm-controller's wait passes on the bed.
func ChartFiles(dir, name, version string) map[string]string {
	return map[string]string{
		dir + "/Chart.yaml":  fmt.Sprintf("apiVersion: v2\nname: %s\nversion: %s\nappVersion: \"1.0\"\n", name, version),
		dir + "/values.yaml": "greeting: hello\n",
		dir + "/templates/configmap.yaml": `apiVersion: v1
kind: ConfigMap
metadata:
  name: {{ .Release.Name }}-config
data:
  greeting: {{ .Values.greeting | quote }}
`,
		dir + "/templates/service.yaml": `apiVersion: v1
kind: Service
metadata:
  name: {{ .Release.Name }}
spec:
  ports:
    - port: 80
      targetPort: 8080
  selector:
    app: {{ .Release.Name }}
`,
	}
}

// ConfigMapYAML returns a ConfigMap with one data key.
func ConfigMapYAML(namespace, name, key, value string) string {
	return fmt.Sprintf("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: %s\n  namespace: %s\ndata:\n  %s: %q\n", name, namespace, key, value)
}

// ReadOnlyUserYAML returns a ClusterRole and its ClusterRoleBinding, both named user,
// that let User user get and list resources of groups and nothing else: the user a
// test's refusals run as ("--as user"), who may read what a command reads but not
// write it.
func ReadOnlyUserYAML(user string, groups, resources []string) string {
	return fmt.Sprintf(`apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: {name: %[1]s}
rules:
  - apiGroups: [%[2]s]
    resources: [%[3]s]
    verbs: ["get", "list"]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata: {name: %[1]s}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: %[1]s}
subjects: [{apiGroup: rbac.authorization.k8s.io, kind: User, name: %[1]s}]
`, user, quoted(groups), quoted(resources))
}

// quoted writes a YAML flow list's items: "a", "b".
func quoted(items []string) string {
	q := make([]string, len(items))
	for i, s := range items {
		q[i] = fmt.Sprintf("%q", s)
	}
	return strings.Join(q, ", ")
}

// writeDependsOn renders a spec.dependsOn list from "name" or "namespace/name" entries.
func writeDependsOn(b *strings.Builder, deps []string) {
	if len(deps) == 0 {
		return
	}
	b.WriteString("  dependsOn:\n")
	for _, d := range deps {
		ns, name, ok := strings.Cut(d, "/")
		if !ok {
			fmt.Fprintf(b, "    - name: %s\n", d)
			continue
		}
		fmt.Fprintf(b, "    - name: %s\n      namespace: %s\n", name, ns)
	}
}

func orDefault(s, def string) string {
	if s == "" {
		return def
	}
	return s
}
