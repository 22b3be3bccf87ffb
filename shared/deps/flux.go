package deps

import (
	helmv2 "github.com/fluxcd/helm-controller/api/v2"
	kustomizev1 "github.com/fluxcd/kustomize-controller/api/v1"
	"github.com/fluxcd/pkg/apis/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"time"

	"github.com/kubectl-gitops/kubectl-gitops/shared/flux"
	"github.com/kubectl-gitops/kubectl-gitops/shared/status"
)

// FromKustomization converts a Kustomization. Namespaces of dependsOn entries
// and of the sourceRef default to the object's namespace, as in
// kustomize-controller. SourceRevision is left empty: the object does not
// carry it (see SetSourceRevisions).
func FromKustomization(k *kustomizev1.Kustomization) Node {
	n := Node{
		Kind:                KindKustomization,
		Namespace:           k.Namespace,
		Name:                k.Name,
		DependsOn:           dependencyRefs(k.Namespace, k.Spec.DependsOn),
		Suspended:           k.Spec.Suspend,
		Suspension:          status.SuspensionOf(k.Annotations),
		Ready:               readyCondition(k.Status.Conditions),
		Generation:          k.Generation,
		ObservedGeneration:  k.Status.ObservedGeneration,
		LastAppliedRevision: k.Status.LastAppliedRevision,
		SourceRef: SourceRef{
			Kind:      k.Spec.SourceRef.Kind,
			Namespace: flux.RefNamespace(k.Spec.SourceRef.Namespace, k.Namespace),
			Name:      k.Spec.SourceRef.Name,
		},
	}
	if n.SourceRef.Kind == "" && n.SourceRef.Name == "" {
		n.SourceRef = SourceRef{}
	}
	n.Path, n.WaitsAll, n.AppliedBy = k.Spec.Path, k.Spec.Wait, appliedBy(k.Labels)
	n.Interval, n.Timeout = k.Spec.Interval.Duration, k.GetTimeout()
	if latest := k.Status.History.Latest(); latest != nil {
		n.LastDuration = latest.LastReconciledDuration.Duration
	}
	n.Target = targetOf(k.Namespace, k.Spec.KubeConfig)
	for _, hc := range k.Spec.HealthChecks {
		if kind := Kind(hc.Kind); kind == KindKustomization || kind == KindHelmRelease {
			n.WaitsFor = append(n.WaitsFor, NodeID{Kind: kind, Namespace: flux.RefNamespace(hc.Namespace, k.Namespace), Name: hc.Name})
		}
	}
	return n
}

// targetOf names the remote cluster a spec.kubeConfig points at by the object holding
// its kubeconfig: the server itself is in a Secret, which deps does not read.
func targetOf(namespace string, kc *meta.KubeConfigReference) string {
	switch {
	case kc == nil:
		return ""
	case kc.SecretRef != nil:
		return "Secret " + namespace + "/" + kc.SecretRef.Name
	case kc.ConfigMapRef != nil:
		return "ConfigMap " + namespace + "/" + kc.ConfigMapRef.Name
	}
	return ""
}

// appliedBy reads the Kustomization kustomize-controller records on what it applies.
func appliedBy(labels map[string]string) NodeID {
	if name, ns := labels[flux.ResourceSetNameLabel], labels[flux.ResourceSetNamespaceLabel]; name != "" && ns != "" {
		return NodeID{Kind: KindResourceSet, Namespace: ns, Name: name}
	}
	name, ns := labels[flux.KustomizeNameLabel], labels[flux.KustomizeNamespaceLabel]
	if name == "" || ns == "" {
		return NodeID{}
	}
	return NodeID{Kind: KindKustomization, Namespace: ns, Name: name}
}

// FromResourceSet converts a flux-operator ResourceSet read from the cluster: its
// dependsOn on Kustomizations, HelmReleases and ResourceSets are edges (other kinds
// are not objects of this graph), wait says it is Ready only once what it creates is.
func FromResourceSet(u *unstructured.Unstructured) Node {
	n := Node{
		Kind: KindResourceSet, Namespace: u.GetNamespace(), Name: u.GetName(),
		Suspension: status.SuspensionOf(u.GetAnnotations()), AppliedBy: appliedBy(u.GetLabels()), Object: u.Object,
	}
	st := status.Of(u)
	n.Ready, n.Generation, n.ObservedGeneration, n.Suspended = st.Ready, st.Generation, st.ObservedGeneration, st.Suspended
	n.WaitsAll, _, _ = unstructured.NestedBool(u.Object, "spec", "wait")
	list, _, _ := unstructured.NestedSlice(u.Object, "spec", "dependsOn")
	for _, item := range list {
		d, _ := item.(map[string]any)
		kind, _ := d["kind"].(string)
		name, _ := d["name"].(string)
		ns, _ := d["namespace"].(string)
		expr, _ := d["readyExpr"].(string)
		if k := Kind(kind); k == KindKustomization || k == KindHelmRelease || k == KindResourceSet {
			n.DependsOn = append(n.DependsOn, DependencyRef{Kind: k, Name: name, Namespace: flux.RefNamespace(ns, n.Namespace), ReadyExpr: expr})
		}
	}
	return n
}

// FromHelmRelease converts a HelmRelease. HelmReleases have no shared-source
// revision check in helm-controller, so SourceRef and the revisions stay
// empty.
func FromHelmRelease(hr *helmv2.HelmRelease) Node {
	n := Node{
		Kind:               KindHelmRelease,
		Namespace:          hr.Namespace,
		Name:               hr.Name,
		DependsOn:          dependencyRefs(hr.Namespace, hr.Spec.DependsOn),
		Suspended:          hr.Spec.Suspend,
		Suspension:         status.SuspensionOf(hr.Annotations),
		Ready:              readyCondition(hr.Status.Conditions),
		Generation:         hr.Generation,
		ObservedGeneration: hr.Status.ObservedGeneration,
		AppliedBy:          appliedBy(hr.Labels),
		Target:             targetOf(hr.Namespace, hr.Spec.KubeConfig),
		Interval:           hr.Spec.Interval.Duration,
		Timeout:            hr.GetTimeout().Duration,
		ChartInterval:      hr.Spec.Interval.Duration,
	}
	if hr.Spec.Chart != nil && hr.Spec.Chart.Spec.Interval != nil {
		n.ChartInterval = hr.Spec.Chart.Spec.Interval.Duration
	}
	return n
}

// SetSourceIntervals fills SourceInterval on every Kustomization whose SourceRef is a
// key of intervals (that source's spec.interval).
func SetSourceIntervals(nodes []Node, intervals map[SourceRef]time.Duration) {
	for i := range nodes {
		n := &nodes[i]
		if n.Kind == KindKustomization && !n.SourceRef.IsZero() {
			n.SourceInterval = intervals[n.SourceRef]
		}
	}
}

// SetSourceRevisions fills SourceRevision on every Kustomization whose
// SourceRef is a key of revisions (the artifact revision of that
// GitRepository, OCIRepository or Bucket). Nodes of other kinds and unknown
// sources are left alone.
func SetSourceRevisions(nodes []Node, revisions map[SourceRef]string) {
	for i := range nodes {
		n := &nodes[i]
		if n.Kind != KindKustomization || n.SourceRef.IsZero() {
			continue
		}
		if rev, ok := revisions[n.SourceRef]; ok {
			n.SourceRevision = rev
		}
	}
}

// SetSourceConditions fills in the Ready condition of each Kustomization's source:
// a source that cannot fetch (a branch that does not exist, credentials refused) is
// the root cause of everything built from it, not its consumers.
func SetSourceConditions(nodes []Node, ready map[SourceRef]status.Condition) {
	for i := range nodes {
		n := &nodes[i]
		if n.Kind == KindKustomization && !n.SourceRef.IsZero() {
			n.SourceReady = ready[n.SourceRef]
		}
	}
}

// dependencyRefs copies dependsOn entries, defaulting each namespace to the
// dependent's. Both controllers' dependsOn fields are aliases of
// meta.DependencyReference in the API versions this module pins.
func dependencyRefs(namespace string, refs []meta.DependencyReference) []DependencyRef {
	if len(refs) == 0 {
		return nil
	}
	out := make([]DependencyRef, len(refs))
	for i, r := range refs {
		out[i] = DependencyRef{
			Name:      r.Name,
			Namespace: flux.RefNamespace(r.Namespace, namespace),
			ReadyExpr: r.ReadyExpr,
		}
	}
	return out
}

func readyCondition(conds []metav1.Condition) status.Condition {
	return status.FromConditions(conds, 0, 0, false).Ready
}
