package diff

import (
	"fmt"
	"path"
	"path/filepath"
	"slices"
	"strings"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"

	"github.com/kubectl-gitops/kubectl-gitops/shared/deps"
	"github.com/kubectl-gitops/kubectl-gitops/shared/deps/dir"
	"github.com/kubectl-gitops/kubectl-gitops/shared/flux"
	"github.com/kubectl-gitops/kubectl-gitops/shared/output"
)

// The offline comparison (a pull request's diff): every cluster of a repository
// rendered twice, at a base and at a head, by the walk `kubectl gitops deps --dir`
// checks with (deps/dir), and compared object by object. No cluster is read: what is
// compared is what Flux would apply from each side, not what runs.

// Change says how an object, a Kustomization or a cluster differs from the base to
// the head.
type Change string

// The changes, in the words of a pull request.
const (
	// Added: only the head renders it.
	Added Change = "added"
	// Dropped: only the base renders it.
	Dropped Change = "removed"
	// Modified: both render it, differently.
	Modified Change = "changed"
	// Same: both render it the same (counted, never listed).
	Same Change = "unchanged"
)

// HelmChartsNote is said once when a HelmRelease is among the objects compared: its
// manifest is compared, what its chart would install is not.
const HelmChartsNote = "HelmRelease charts are not rendered: a HelmRelease is compared as its manifest, not what its chart installs"

// Cluster is one cluster of the repository (a sync path) compared at the base and the
// head. Only the Kustomizations that changed are listed; the others are counted.
type Cluster struct {
	// Path is the cluster's sync path (clusters/production).
	Path string `json:"path"`
	// Base and Head say what was compared: "main (0123456789ab)" or a folder, and
	// the folder of --dir as it is.
	Base string `json:"base"`
	Head string `json:"head"`
	// Change is added (a sync path only the head has), removed, changed or unchanged.
	Change Change `json:"change"`
	// Summary counts the Kustomizations and objects by change.
	Summary ClusterSummary `json:"summary"`
	// Kustomizations are those whose render changed (or failed at the head).
	Kustomizations []KustomizationChange `json:"kustomizations"`
	// Dependencies is what changed in the dependsOn graph.
	Dependencies DependencyChanges `json:"dependencies"`
	// Notes are what the comparison could not do as Flux would (what is not rendered
	// offline, files that could not be read at the head).
	Notes []string `json:"notes,omitempty"`
}

// ClusterSummary counts a cluster's Kustomizations and objects by change.
type ClusterSummary struct {
	KustomizationsChanged   int `json:"kustomizationsChanged"`
	KustomizationsUnchanged int `json:"kustomizationsUnchanged"`
	Added                   int `json:"added"`
	Removed                 int `json:"removed"`
	Changed                 int `json:"changed"`
	Unchanged               int `json:"unchanged"`
}

// KustomizationChange is what one Kustomization renders differently.
type KustomizationChange struct {
	Name      string `json:"name"`
	Namespace string `json:"namespace"`
	// Path is its spec.path; File where it is defined, relative to --dir.
	Path string `json:"path"`
	File string `json:"file,omitempty"`
	Line int    `json:"line,omitempty"`
	// Change is added, removed or changed.
	Change  Change         `json:"change"`
	Summary ObjectSummary  `json:"summary"`
	Objects []ObjectChange `json:"objects"`
	// Error is why the head's build failed: its objects are not read as removed, and
	// the command ends with exit code 1, as the live diff does on a build failure.
	Error string `json:"error,omitempty"`
	// Note says why a Kustomization the head still defines is not compared (it reads
	// another source, not rendered offline): its objects are not read as removed.
	Note string `json:"note,omitempty"`
	// HelmReleases are the HelmReleases it applies whose chart installs something
	// else at the head, or could not be rendered.
	HelmReleases []HelmReleaseChange `json:"helmReleases,omitempty"`
}

// ObjectSummary counts one Kustomization's objects by change.
type ObjectSummary struct {
	Added     int `json:"added"`
	Removed   int `json:"removed"`
	Changed   int `json:"changed"`
	Unchanged int `json:"unchanged"`
}

// ObjectChange is one object added, removed or changed.
type ObjectChange struct {
	output.ObjectRef `json:",inline"`
	Change           Change `json:"change"`
	// Diff is the unified diff of the base's YAML against the head's (the whole object
	// for one added or removed). A Secret's values are masked, and so is any value of
	// a rendered Secret wherever it appears.
	Diff string `json:"diff,omitempty"`
	// ChangedKeys are the data keys of a Secret whose value is added, changed or
	// removed: the values themselves are never shown.
	ChangedKeys []string `json:"changedKeys,omitempty"`
}

// DependencyChanges is what changed in a cluster's dependsOn graph: its edges, and the
// problems deps finds at the head and not at the base.
type DependencyChanges struct {
	Added    []Edge    `json:"added,omitempty"`
	Removed  []Edge    `json:"removed,omitempty"`
	Problems []Problem `json:"problems,omitempty"`
	// Latency are the Kustomizations and HelmReleases whose worst time from a push to
	// their apply (deps --latency) the change moves: a new dependsOn level, a longer
	// interval or timeout.
	Latency []LatencyChange `json:"latency,omitempty"`
}

// LatencyChange is one node's worst push-to-apply time at the base and at the head.
type LatencyChange struct {
	Node   string          `json:"node"`
	Before metav1.Duration `json:"before"`
	After  metav1.Duration `json:"after"`
	// Shorten is, when it got longer, the setting weighing most on the head's
	// critical path.
	Shorten string `json:"shorten,omitempty"`
}

// Edge is one dependsOn: Dependent waits for Dependency ("Kind/namespace/name").
type Edge struct {
	Dependent  string `json:"dependent"`
	Dependency string `json:"dependency"`
}

// Problem is a dependency problem new at the head: a cycle, a missing dependency, a
// deadlock, or a file Flux could not build.
type Problem struct {
	Kind    string `json:"kind"`
	Message string `json:"message"`
	// File and Line are where to fix it, relative to --dir.
	File string `json:"file,omitempty"`
	Line int    `json:"line,omitempty"`
}

// ClustersDiffer reports whether any cluster compared offline changed.
func (d *Diff) ClustersDiffer() bool {
	for _, c := range d.Clusters {
		if c.Change != Same {
			return true
		}
	}
	return false
}

// HeadFailed reports whether a Kustomization could not be built at the head.
func (d *Diff) HeadFailed() bool {
	for _, c := range d.Clusters {
		for _, k := range c.Kustomizations {
			if k.Error != "" {
				return true
			}
		}
	}
	return false
}

// Side is one of the two renders of a cluster: the walk's result and the folder it
// read, whose prefix is cut from the files named.
type Side struct {
	Cluster *dir.Cluster
	Root    string
	// releases are its HelmReleases rendered (renderReleases), by namespace/name;
	// helmDone says they were (else a HelmRelease is compared as its manifest alone).
	releases map[string]*releaseRender
	helmDone bool
	// index is what it renders, by key, for the HelmReleases' lookups.
	index objectIndex
}

// CompareCluster compares a cluster's base render with its head's; either may be nil
// (the sync path exists on one side only).
func CompareCluster(syncPath string, base, head *Side) Cluster {
	c := Cluster{Path: syncPath, Kustomizations: []KustomizationChange{}}
	var baseR, headR []dir.Rendered
	if base != nil {
		baseR = base.Cluster.Rendered
	}
	if head != nil {
		headR = head.Cluster.Rendered
	}
	secrets := append(renderedSecrets(baseR), renderedSecrets(headR)...)
	secrets = append(append(secrets, releaseSecrets(base)...), releaseSecrets(head)...)
	before := map[deps.NodeID]dir.Rendered{}
	for _, r := range baseR {
		before[r.Kustomization] = r
	}
	seen := map[deps.NodeID]bool{}
	helm := false
	add := func(k KustomizationChange) {
		c.Summary.Added += k.Summary.Added
		c.Summary.Removed += k.Summary.Removed
		c.Summary.Changed += k.Summary.Changed
		c.Summary.Unchanged += k.Summary.Unchanged
		if k.Note == "" {
			k.HelmReleases = compareCharts(deps.NodeID{Kind: deps.KindKustomization, Namespace: k.Namespace, Name: k.Name}, base, head, k.Error != "", secrets)
		}
		changed := false
		for _, h := range k.HelmReleases {
			c.Summary.Added += h.Summary.Added
			c.Summary.Removed += h.Summary.Removed
			c.Summary.Changed += h.Summary.Changed
			c.Summary.Unchanged += h.Summary.Unchanged
			changed = changed || h.Change != NotRendered || h.differs
		}
		if k.Change == Same && changed {
			k.Change = Modified
		}
		if k.Change == Same {
			// A chart not rendered at an unchanged Kustomization is said all the same.
			for _, h := range k.HelmReleases {
				c.Notes = append(c.Notes, fmt.Sprintf("HelmRelease %s/%s not rendered %s", h.Namespace, h.Name, h.Why))
			}
			c.Summary.KustomizationsUnchanged++
			return
		}
		c.Summary.KustomizationsChanged++
		c.Kustomizations = append(c.Kustomizations, k)
	}
	for _, h := range headR {
		seen[h.Kustomization] = true
		helm = helm || holdsHelmRelease(h.Objects)
		b, had := before[h.Kustomization]
		k := compareRendered(h, b.Objects, had, secrets)
		k.File, k.Line = relFile(head.Root, h.File), h.Line
		add(k)
	}
	for _, b := range baseR {
		if seen[b.Kustomization] {
			continue
		}
		helm = helm || holdsHelmRelease(b.Objects)
		k := KustomizationChange{Name: b.Kustomization.Name, Namespace: b.Kustomization.Namespace, Path: b.Path, Change: Dropped, Objects: []ObjectChange{}}
		if base != nil {
			k.File, k.Line = relFile(base.Root, b.File), b.Line
		}
		if head != nil && defines(head.Cluster, b.Kustomization) {
			// Still there, but not rendered offline (it now reads another source):
			// what it applies is unknown, not gone.
			k.Change, k.Note = Modified, "not rendered at the head: it reads a source other than this repository"
			add(k)
			continue
		}
		for _, o := range b.Objects {
			k.Objects = append(k.Objects, objectChange(o, nil, secrets))
			k.Summary.Removed++
		}
		add(k)
	}
	c.Dependencies = compareGraphs(base, head)
	if helm && !((base == nil || base.helmDone) && (head == nil || head.helmDone)) {
		c.Notes = append(c.Notes, HelmChartsNote)
	}
	for _, side := range []*Side{base, head} {
		if side != nil {
			c.Notes = append(c.Notes, side.Cluster.Warnings...) // a temporary copy left behind
		}
	}
	if head != nil {
		c.Notes = append(c.Notes, head.Cluster.Unrendered...)
		for _, u := range head.Cluster.Unknown {
			c.Notes = append(c.Notes, "variable ${"+u+"} is not in the repository: left as written at both sides")
		}
	}
	switch {
	case base == nil:
		c.Change = Added
	case head == nil:
		c.Change = Dropped
	case c.Summary.KustomizationsChanged > 0 || len(c.Dependencies.Added) > 0 || len(c.Dependencies.Removed) > 0 || len(c.Dependencies.Problems) > 0 || len(c.Dependencies.Latency) > 0:
		c.Change = Modified
	default:
		c.Change = Same
	}
	return c
}

// compareRendered compares what one Kustomization renders at the head (h) with what it
// rendered at the base (before; had is false when the base has no such Kustomization).
// A head whose build failed lists no object as removed: it says why instead.
func compareRendered(h dir.Rendered, before []*unstructured.Unstructured, had bool, secrets []string) KustomizationChange {
	k := KustomizationChange{Name: h.Kustomization.Name, Namespace: h.Kustomization.Namespace, Path: h.Path, Change: Same, Objects: []ObjectChange{}, Error: h.Error}
	old := map[string]*unstructured.Unstructured{}
	for _, o := range before {
		old[objectKey(o)] = o
	}
	seen := map[string]bool{}
	for _, o := range h.Objects {
		key := objectKey(o)
		seen[key] = true
		oc := objectChange(old[key], o, secrets)
		if oc.Change == Same {
			k.Summary.Unchanged++
			continue
		}
		k.Objects = append(k.Objects, oc)
		if oc.Change == Added {
			k.Summary.Added++
		} else {
			k.Summary.Changed++
		}
	}
	if h.Error == "" {
		for _, o := range before {
			if !seen[objectKey(o)] {
				k.Objects = append(k.Objects, objectChange(o, nil, secrets))
				k.Summary.Removed++
			}
		}
	}
	switch {
	case !had:
		k.Change = Added
	case len(k.Objects) > 0 || k.Error != "":
		k.Change = Modified
	}
	return k
}

// objectChange compares one object's base (nil when added) with its head (nil when
// removed): the YAML diff, masked, and a Secret's changed keys.
func objectChange(base, head *unstructured.Unstructured, secrets []string) ObjectChange {
	u := head
	if u == nil {
		u = base
	}
	oc := ObjectChange{ObjectRef: output.ObjectRef{APIVersion: u.GetAPIVersion(), Kind: u.GetKind(), Namespace: u.GetNamespace(), Name: u.GetName()}}
	switch {
	case base == nil:
		oc.Change = Added
	case head == nil:
		oc.Change = Dropped
	}
	name := path.Join(u.GetKind(), u.GetNamespace(), u.GetName())
	a, errA := yamlOf(base)
	b, errB := yamlOf(head)
	if errA == nil && errB == nil && a == b && oc.Change == "" {
		oc.Change = Same
		return oc
	}
	if oc.Change == "" {
		oc.Change = Modified
	}
	if isSecret(u) {
		// Compared in clear above, shown masked: only the keys say what changed.
		oc.ChangedKeys = secretKeysChanged(base, head)
		a, errA = yamlOf(scrubbed(base))
		b, errB = yamlOf(scrubbed(head))
		if errA != nil || errB != nil {
			return oc
		}
	}
	text, err := unifiedYAML(a, b, "base/"+name, "head/"+name)
	if err == nil {
		oc.Diff = mask(text, secrets)
	}
	return oc
}

// scrubbed is a copy of a Secret with its values masked (nil stays nil).
func scrubbed(u *unstructured.Unstructured) *unstructured.Unstructured {
	if u == nil {
		return nil
	}
	c := u.DeepCopy()
	scrubSecret(c)
	return c
}

// secretKeysChanged are the keys of data and stringData whose value differs between
// two renders of a Secret (either may be nil), sorted.
func secretKeysChanged(base, head *unstructured.Unstructured) []string {
	values := func(u *unstructured.Unstructured) map[string]any {
		out := map[string]any{}
		if u == nil {
			return out
		}
		for _, field := range []string{"data", "stringData"} {
			m, _, _ := unstructured.NestedMap(u.Object, field)
			for k, v := range m {
				out[field+"/"+k] = v
			}
		}
		return out
	}
	before, after := values(base), values(head)
	var keys []string
	for k, v := range after {
		if w, ok := before[k]; !ok || w != v {
			keys = append(keys, k[strings.Index(k, "/")+1:])
		}
	}
	for k := range before {
		if _, ok := after[k]; !ok {
			keys = append(keys, k[strings.Index(k, "/")+1:])
		}
	}
	slices.Sort(keys)
	return slices.Compact(keys)
}

// minMasked is the shortest Secret value masked wherever it appears in a diff: a
// shorter one ("1", "true") would mask unrelated text, and is no secret anyway. A
// Secret's own values are masked whatever their length.
const minMasked = 4

// renderedSecrets are the values of every Secret rendered, for masking them where a
// post-build substitution copied them into another object.
func renderedSecrets(rs []dir.Rendered) []string {
	var out []string
	for _, r := range rs {
		for _, o := range r.Objects {
			if !isSecret(o) {
				continue
			}
			for _, v := range secretValues(o) {
				if len(v) >= minMasked {
					out = append(out, v)
				}
			}
		}
	}
	return out
}

// objectKey identifies an object across two renders: group, kind, namespace and name
// (a new version of the same API is a change of the object, not another one).
func objectKey(u *unstructured.Unstructured) string {
	group, _, _ := strings.Cut(u.GetAPIVersion(), "/")
	if !strings.Contains(u.GetAPIVersion(), "/") {
		group = ""
	}
	return group + "/" + u.GetKind() + "/" + u.GetNamespace() + "/" + u.GetName()
}

// defines reports whether the walk of cl found the Kustomization id.
func defines(cl *dir.Cluster, id deps.NodeID) bool {
	for _, n := range cl.Nodes {
		if n.ID() == id {
			return true
		}
	}
	return false
}

func holdsHelmRelease(objects []*unstructured.Unstructured) bool {
	for _, o := range objects {
		if o.GetKind() == flux.KindHelmRelease && strings.HasPrefix(o.GetAPIVersion(), "helm.toolkit.fluxcd.io/") {
			return true
		}
	}
	return false
}

// relFile is file relative to root, slash-separated, as a pull request names it.
func relFile(root, file string) string {
	if file == "" || root == "" {
		return file
	}
	if rel, err := filepath.Rel(root, file); err == nil && !strings.HasPrefix(rel, "..") {
		return filepath.ToSlash(rel)
	}
	return file
}
