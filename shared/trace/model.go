// Package trace walks from any Kubernetes object to the Flux objects that put it
// there and the Git commit they applied: owner references up to a labelled owner, the
// HelmRelease and its chart, the Kustomization (confirmed against its inventory), its
// parents up to the root, each source, and whether the applied commit is the one the
// source holds now.
//
// The result is a Report, the documented -o json/yaml schema of `kubectl gitops trace`.
package trace

import (
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/kubectl-gitops/kubectl-gitops/shared/output"
	"github.com/kubectl-gitops/kubectl-gitops/shared/status"
	"github.com/kubectl-gitops/kubectl-gitops/shared/timeline"
)

// Result says how a trace ended; it maps to the exit code.
type Result string

// The results a trace can have.
const (
	ResultTraced      Result = "Traced"
	ResultNotManaged  Result = "NotManaged"
	ResultNotFound    Result = "NotFound"
	ResultForbidden   Result = "Forbidden"
	ResultFluxMissing Result = "FluxNotInstalled"
	ResultError       Result = "Error"
)

// Roles of the hops of a chain, from the object to its source.
const (
	RoleObject        = "Object"
	RoleOwner         = "Owner"
	RoleHelmRelease   = "HelmRelease"
	RoleHelmChart     = "HelmChart"
	RoleChartSource   = "ChartSource"
	RoleKustomization = "Kustomization"
	RoleSource        = "Source"
)

// Report is the trace of one object: `kind: Trace` in the JSON/YAML output.
type Report struct {
	output.TypeMeta `json:",inline"`
	// Object is the object asked about.
	Object output.ObjectRef `json:"object"`
	Result Result           `json:"result"`
	// Error explains a result other than Traced.
	Error string `json:"error,omitempty"`
	// Hops is the chain from the object to the root and its source, in that order.
	Hops []Hop `json:"hops"`
	// Commit is what the Kustomization (or HelmRelease) nearest the object applied.
	Commit *Commit `json:"commit,omitempty"`
	// Timeline is when the revision went through each hop and why each gap took the
	// time it took (trace --timeline).
	Timeline *timeline.Timeline `json:"timeline,omitempty"`
	// Discovery is what each kubeconfig context answered when the object's own cluster
	// did not hold the Kustomization its labels name.
	Discovery []Probe `json:"discovery,omitempty"`

	// unreachable is set when a hop could not be read for want of an answer.
	unreachable bool
	// applied is set once the walk reached the first Kustomization; origin is where the
	// object that Kustomization applied comes from, by its origin annotation (nil
	// without a usable one), for LocateInGit to skip the scan.
	applied bool
	origin  *originPlace
}

// Hop is one object of the chain.
type Hop struct {
	Role string           `json:"role"`
	Ref  output.ObjectRef `json:"ref"`
	// Cluster is the kubeconfig context of the cluster holding this hop.
	Cluster string `json:"cluster,omitempty"`
	// Via says how this hop was reached from the previous one: "ownerReference",
	// "kustomize labels", "inventory", "helm labels", "helm annotations", "helm storage"
	// (Helm's storage Secret of a release), "status.helmChart", "sourceRef", "chartRef";
	// ", in another cluster" is added when the hop is in another cluster than the
	// previous one.
	Via    string  `json:"via,omitempty"`
	Health *Health `json:"health,omitempty"`
	// Forbidden is set when RBAC denied reading this hop; Error then says what.
	Forbidden bool   `json:"forbidden,omitempty"`
	Error     string `json:"error,omitempty"`

	// Kustomization and HelmRelease details.
	Path                  string `json:"path,omitempty"`
	LastAppliedRevision   string `json:"lastAppliedRevision,omitempty"`
	LastAttemptedRevision string `json:"lastAttemptedRevision,omitempty"`
	// Inventory tells whether the previous hop is listed in this Kustomization's
	// status.inventory: Listed, NotListed (stale or orphaned: labels without inventory
	// entry), or Unknown (no inventory recorded).
	Inventory string `json:"inventory,omitempty"`
	// Target is the remote cluster a Kustomization applies to (spec.kubeConfig).
	Target *Target `json:"target,omitempty"`
	// SourceRef names the source a Kustomization or HelmChart reads.
	SourceRef *output.ObjectRef `json:"sourceRef,omitempty"`

	// HelmRelease / HelmChart details.
	Chart        string `json:"chart,omitempty"`
	ChartVersion string `json:"chartVersion,omitempty"`
	ReleaseName  string `json:"releaseName,omitempty"`

	// Source details.
	URL string `json:"url,omitempty"`
	// Tracks is the ref a source follows: "branch main", "tag v1.0.0", "commit 1a2b…".
	Tracks   string `json:"tracks,omitempty"`
	Revision string `json:"revision,omitempty"`
	// OriginRevision and OriginURL come from an OCI artifact's annotations.
	OriginRevision string `json:"originRevision,omitempty"`
	OriginURL      string `json:"originURL,omitempty"`

	// Secret says where a Secret's data comes from: on an ExternalSecret or
	// SealedSecret hop, the store and keys or the sealing; on a Secret applied by a
	// Kustomization that decrypts with SOPS, that Kustomization. Names only, no value.
	Secret *SecretSource `json:"secret,omitempty"`

	// Notes are findings a reader must not miss (label/inventory disagreement, ...).
	Notes []string `json:"notes,omitempty"`
	// Events are the hop's recent Warning events, newest first (AttachEvents).
	Events []Event `json:"events,omitempty"`
	// Alerting is which Alerts this Flux hop's events reach (AttachAlerts); absent for
	// other hops and when the cluster has no notification-controller.
	Alerting *Alerting `json:"alerting,omitempty"`
}

// Health is the state of one Flux hop as its controller reported it.
type Health struct {
	// Ready is the Ready condition's status: True, False, Unknown, or "" when absent
	// (for a SealedSecret, its Synced condition, the one its controller sets).
	// A status that does not parse is Unknown with reason status.UnreadableReason, and
	// so is a source's spec that does not parse.
	Ready     metav1.ConditionStatus `json:"ready"`
	Reason    string                 `json:"reason,omitempty"`
	Message   string                 `json:"message,omitempty"`
	Suspended bool                   `json:"suspended,omitempty"`
	// Suspension is why, by whom and until when it is suspended, when recorded.
	Suspension *status.Suspension `json:"suspension,omitempty"`
	// Stale is set when the controller has not yet observed the current generation.
	Stale bool `json:"stale,omitempty"`
	// LastReconciled is the Ready condition's last transition, or the newest history
	// entry, whichever is later.
	LastReconciled *time.Time `json:"lastReconciled,omitempty"`
}

// Commit states what was applied and whether it is what the source holds now.
type Commit struct {
	// By is the Kustomization or HelmRelease nearest the object: the revision the
	// object came from is that hop's, not its parents'.
	By output.ObjectRef `json:"by"`
	// Chart and ChartVersion are the chart a HelmRelease installed (its latest Helm
	// release); for a chart built from Git the version carries the commit.
	Chart        string `json:"chart,omitempty"`
	ChartVersion string `json:"chartVersion,omitempty"`
	// Applied is the full revision last applied ("main@sha1:…"); SHA is its commit (for
	// a HelmRelease, the commit its chart was built from, a 12-character prefix when
	// the HelmChart no longer names it in full).
	Applied string `json:"applied,omitempty"`
	SHA     string `json:"sha,omitempty"`
	// Attempted is the last revision tried, when it differs from Applied (a failed apply).
	Attempted string `json:"attempted,omitempty"`
	// Source is the revision the source holds now (for a HelmRelease, the chart
	// version its HelmChart holds now).
	Source string `json:"source,omitempty"`
	// Status is Current (applied == source), Applying, Failed, Blocked, Suspended,
	// NotInInventory or Unknown; Reason explains any status but Current, in Flux's
	// words.
	Status string `json:"status"`
	Reason string `json:"reason,omitempty"`
	// BlockedBy names the dependency that blocks it, for status Blocked.
	BlockedBy string `json:"blockedBy,omitempty"`
	// Cycle is the dependsOn cycle behind a Blocked status ("ns/a -> ns/b -> ns/a"),
	// as `kubectl gitops deps` finds it; NextStep is how to break it.
	Cycle    string `json:"cycle,omitempty"`
	NextStep string `json:"nextStep,omitempty"`
	// Git is filled with --git-dir; without it, File (or Note) alone when the object
	// carries kustomize's origin annotation (a Kustomization with spec.buildMetadata:
	// [originAnnotations]), which names its file without a clone.
	Git *GitLocation `json:"git,omitempty"`
}

// GitLocation is where the object is defined at the commit its Kustomization applied.
type GitLocation struct {
	// File is the file's path from the repository root.
	File string `json:"file,omitempty"`
	// Line is the first line of the object's document in File (with --git-dir).
	Line int `json:"line,omitempty"`
	// FileFrom says how File (or the Note about a remote base or generator) was
	// found: "origin" from the object's config.kubernetes.io/origin annotation, without
	// reading the repository's tree; "scan" by walking the Kustomization's path in the
	// --git-dir clone.
	FileFrom string `json:"fileFrom,omitempty"`
	// Subject and Author are the applied commit's, which need not have touched File.
	Subject string `json:"subject,omitempty"`
	Author  string `json:"author,omitempty"`
	// LastChange is the commit that last changed File, as of the applied commit.
	LastChange *GitCommit `json:"lastChange,omitempty"`
	// Encrypted is, for a Secret's File read with --git-dir: "sops" when its document
	// carries SOPS metadata (the Secret is applied decrypted from this encrypted
	// file), "none" when it was read and carries none (in the clear), "unknown" when it
	// could not be read or the document not found in it (Note says why).
	Encrypted string `json:"encrypted,omitempty"`
	// Note says why no file is given (generator, remote base, Helm chart, a clone of
	// another repository, …).
	Note string `json:"note,omitempty"`
}

// GitCommit names one commit of the clone.
type GitCommit struct {
	SHA     string `json:"sha"`
	Subject string `json:"subject"`
	Author  string `json:"author"`
}

// Commit statuses.
const (
	CommitCurrent   = "Current"
	CommitApplying  = "Applying"
	CommitFailed    = "Failed"
	CommitBlocked   = "Blocked"
	CommitSuspended = "Suspended"
	CommitUnknown   = "Unknown"
	// CommitNotInInventory: the object carries the labels of the Kustomization nearest
	// it, but that Kustomization's inventory does not list it, so it did not apply it at
	// its revision and does not manage it.
	CommitNotInInventory = "NotInInventory"
)
