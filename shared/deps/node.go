package deps

import (
	"strings"
	"time"

	"github.com/kubectl-gitops/kubectl-gitops/shared/output"
	"github.com/kubectl-gitops/kubectl-gitops/shared/status"
)

// Kind is the Flux object kind of a node. Only the two kinds that have a
// dependsOn field take part in the graph.
type Kind string

const (
	// KindKustomization is kustomize.toolkit.fluxcd.io Kustomization.
	KindKustomization Kind = "Kustomization"
	// KindHelmRelease is helm.toolkit.fluxcd.io HelmRelease.
	KindHelmRelease Kind = "HelmRelease"
	// KindResourceSet is flux-operator's fluxcd.controlplane.io ResourceSet: it
	// creates objects from templates, and its dependsOn names objects of any kind.
	KindResourceSet Kind = "ResourceSet"
)

// lower returns the kind as kubectl and flux spell it on the command line.
func (k Kind) lower() string { return strings.ToLower(string(k)) }

// NodeID identifies a node. Kind is part of the identity because a
// Kustomization and a HelmRelease may share a name and namespace, and because
// Flux resolves a dependsOn entry only against objects of the dependent's own
// kind.
type NodeID struct {
	Kind      Kind
	Namespace string
	Name      string
}

// Key renders the ID as the JSON document and the diagrams identify nodes:
// Kind/namespace/name.
func (id NodeID) Key() string {
	return string(id.Kind) + "/" + id.Namespace + "/" + id.Name
}

// String renders the ID for humans as every command of the suite names objects:
// "Kind namespace/name".
func (id NodeID) String() string { return output.Name(string(id.Kind), id.Namespace, id.Name) }

// Short renders namespace/name, the form Flux uses in dependsOn messages.
func (id NodeID) Short() string { return id.Namespace + "/" + id.Name }

// DependencyRef is one dependsOn entry after defaulting. Namespace is never
// empty: the constructors fill in the dependent's namespace exactly as the
// controllers do.
type DependencyRef struct {
	Name      string
	Namespace string
	// Kind is the kind of the dependency when it may differ from the dependent's
	// (a ResourceSet's dependsOn); empty means the dependent's own kind.
	Kind Kind
	// ReadyExpr is the optional CEL readiness expression. It is kept so that
	// messages can say the built-in check was used in its place: this package
	// does not evaluate CEL.
	ReadyExpr string
}

// SourceRef names the source artifact a Kustomization is built from. Namespace
// is defaulted to the Kustomization's own. Two Kustomizations with equal
// SourceRefs share a source, which switches on Flux's revision check.
type SourceRef struct {
	Kind      string
	Namespace string
	Name      string
}

// IsZero reports whether no source is set (HelmReleases, or offline nodes
// whose manifest omits it).
func (s SourceRef) IsZero() bool { return s == SourceRef{} }

// String renders the source for humans: "Kind namespace/name".
func (s SourceRef) String() string { return output.Name(s.Kind, s.Namespace, s.Name) }

// Key renders Kind/namespace/name, as the JSON document identifies it.
func (s SourceRef) Key() string { return s.Kind + "/" + s.Namespace + "/" + s.Name }

// Node is one Kustomization or HelmRelease, reduced to what the dependency
// check needs. Build it with FromKustomization or FromHelmRelease, or fill it
// by hand in tests.
type Node struct {
	Kind      Kind
	Namespace string
	Name      string

	// DependsOn is in spec order, which matters: Flux stops at the first
	// dependency that fails its check.
	DependsOn []DependencyRef

	Suspended bool
	// Suspension is the recorded reason, user and end of a suspension, when one was
	// recorded (rollback suspend, flux-operator's web UI, Flux's RFC-0006: see
	// status.SuspensionOf).
	Suspension         *status.Suspension
	Ready              status.Condition
	Generation         int64
	ObservedGeneration int64

	// SourceRef is set for Kustomizations only.
	SourceRef SourceRef
	// LastAppliedRevision is status.lastAppliedRevision (Kustomizations).
	LastAppliedRevision string
	// SourceRevision is the current artifact revision of SourceRef, filled
	// by the caller (see SetSourceRevisions). Empty disables the revision
	// check, as the caller could not tell.
	SourceRevision string
	// SourceReady is the Ready condition of SourceRef, filled by the caller (see
	// SetSourceConditions); empty when unknown.
	SourceReady status.Condition

	// Path is a Kustomization's spec.path.
	Path string

	// Interval and Timeout are spec.interval and the apply's timeout (spec.timeout,
	// the interval when unset for a Kustomization, 5m for a HelmRelease: the
	// controllers' defaults); ChartInterval is a HelmRelease's spec.chart.spec.interval
	// (how often its HelmChart looks for a new chart). LastDuration is how long the
	// last reconcile took (a Kustomization's status.history; 0 offline). The latency
	// budget (Latency) is made of them.
	Interval, Timeout, ChartInterval, LastDuration time.Duration
	// SourceInterval is SourceRef's spec.interval, filled by the caller (see
	// SetSourceIntervals); 0 when unknown.
	SourceInterval time.Duration
	// SourceReceiver is the Receiver ("namespace/name") whose webhook triggers
	// SourceRef on a push (SetSourceReceivers); empty when none does, as far as known.
	SourceReceiver string
	// WaitsAll says a Kustomization is Ready only once everything it applies is
	// (spec.wait); WaitsFor lists the Kustomizations and HelmReleases its
	// spec.healthChecks name.
	WaitsAll bool
	WaitsFor []NodeID
	// Target names where a Kustomization or HelmRelease applies when its
	// spec.kubeConfig points at another cluster ("Secret fleet/workload-1-kubeconfig");
	// empty for its own cluster.
	Target string
	// AppliedBy is the Kustomization that applies this object: live, its
	// kustomize.toolkit.fluxcd.io labels; offline, the Kustomization whose path holds
	// its file. Zero when unknown.
	AppliedBy NodeID

	// Object is the object as read from the cluster, for readyExpr (self and dep);
	// nil offline.
	Object map[string]any

	// Offline marks a node read from a manifest rather than a cluster: it has
	// no status, so Analyze reports cycles and missing dependencies for it
	// but never blocked chains.
	Offline bool
	// File and Line say where an offline node was defined (Line is 1-based).
	File string
	Line int
}

// ID returns the node's identity.
func (n *Node) ID() NodeID { return NodeID{Kind: n.Kind, Namespace: n.Namespace, Name: n.Name} }

// target returns the ID a dependsOn entry of n resolves to: same kind, since
// Kustomizations only depend on Kustomizations and HelmReleases only on
// HelmReleases.
func (n *Node) target(ref DependencyRef) NodeID {
	kind := n.Kind
	if ref.Kind != "" {
		kind = ref.Kind
	}
	return NodeID{Kind: kind, Namespace: ref.Namespace, Name: ref.Name}
}

// reconciled is Flux's readiness test for a dependency (check 3): the object
// has a Ready=True condition for its current generation.
func (n *Node) reconciled() bool {
	return status.Status{Ready: n.Ready, Generation: n.Generation, ObservedGeneration: n.ObservedGeneration}.ReadyAtGeneration()
}
