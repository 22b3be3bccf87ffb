package deps

import (
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"

	"github.com/kubectl-gitops/kubectl-gitops/shared/flux"
)

// Receiver is a notification-controller Receiver: a webhook the Git server calls on a
// push, which asks the sources it names to fetch at once instead of at their next
// poll.
type Receiver struct {
	Namespace, Name string
	// Resources are spec.resources: kind, name ("*": every one of the kind), namespace
	// (the Receiver's when empty); a "*" narrowed by matchLabels is kept as such.
	Resources []ReceiverResource
}

// ReceiverResource is one entry of a Receiver's spec.resources.
type ReceiverResource struct {
	Kind, Name, Namespace string
	// Labelled says a "*" is narrowed by matchLabels: which sources it names depends
	// on their labels, which the graph does not hold, so it names none here.
	Labelled bool
}

// ReceiverOf reads a Receiver object.
func ReceiverOf(u *unstructured.Unstructured) Receiver {
	r := Receiver{Namespace: u.GetNamespace(), Name: u.GetName()}
	items, _, _ := unstructured.NestedSlice(u.Object, "spec", "resources")
	for _, it := range items {
		m, ok := it.(map[string]any)
		if !ok {
			continue
		}
		res := ReceiverResource{}
		res.Kind, _, _ = unstructured.NestedString(m, "kind")
		res.Name, _, _ = unstructured.NestedString(m, "name")
		res.Namespace, _, _ = unstructured.NestedString(m, "namespace")
		labels, _, _ := unstructured.NestedMap(m, "matchLabels")
		res.Labelled = len(labels) > 0
		r.Resources = append(r.Resources, res)
	}
	return r
}

// Triggers reports whether the Receiver names the source ref.
func (r Receiver) Triggers(ref SourceRef) bool {
	for _, res := range r.Resources {
		ns := flux.RefNamespace(res.Namespace, r.Namespace)
		if res.Kind != ref.Kind || ns != ref.Namespace {
			continue
		}
		if res.Name == ref.Name || res.Name == "*" && !res.Labelled {
			return true
		}
	}
	return false
}

// SetSourceReceivers fills SourceReceiver ("namespace/name" of the first Receiver that
// triggers it) on every Kustomization whose source a Receiver names.
func SetSourceReceivers(nodes []Node, receivers []Receiver) {
	for i := range nodes {
		n := &nodes[i]
		if n.Kind != KindKustomization || n.SourceRef.IsZero() {
			continue
		}
		for _, r := range receivers {
			if r.Triggers(n.SourceRef) {
				n.SourceReceiver = r.Namespace + "/" + r.Name
				break
			}
		}
	}
}
