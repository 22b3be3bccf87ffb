package trace

import (
	"context"
	"fmt"
	"regexp"

	kustomizev1 "github.com/fluxcd/kustomize-controller/api/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"

	"github.com/kubectl-gitops/kubectl-gitops/shared/flux"
	"github.com/kubectl-gitops/kubectl-gitops/shared/inventory"
	"github.com/kubectl-gitops/kubectl-gitops/shared/output"
	"github.com/kubectl-gitops/kubectl-gitops/shared/revision"
	"github.com/kubectl-gitops/kubectl-gitops/shared/status"
)

// kustomizeOwner returns the Kustomization named by an object's labels.
func kustomizeOwner(u *unstructured.Unstructured) (objKey, bool) {
	l := u.GetLabels()
	name, ns := l[flux.KustomizeNameLabel], l[flux.KustomizeNamespaceLabel]
	if name == "" || ns == "" {
		return objKey{}, false
	}
	return objKey{kind: flux.KindKustomization, namespace: ns, name: name}, true
}

func kustomizationHop(u *unstructured.Unstructured, ks *kustomizev1.Kustomization) Hop {
	return Hop{
		Role:                  RoleKustomization,
		Ref:                   refOf(u),
		Via:                   "kustomize labels",
		Health:                health(u),
		Path:                  ks.Spec.Path,
		LastAppliedRevision:   ks.Status.LastAppliedRevision,
		LastAttemptedRevision: ks.Status.LastAttemptedRevision,
		OriginRevision:        ks.Status.LastAppliedOriginRevision,
	}
}

// Inventory states.
const (
	InventoryListed    = "Listed"
	InventoryNotListed = "NotListed"
	InventoryUnknown   = "Unknown"
)

// inventoryCheck confirms child against the Kustomization's status.inventory: the labels
// say who applied an object last, the inventory says who owns it now. They disagree for
// orphans (removed from Git with prune off) and objects taken over by another
// Kustomization.
func (t *Tracer) inventoryCheck(key objKey, ks *kustomizev1.Kustomization, child *unstructured.Unstructured) (string, []string) {
	if ks.Status.Inventory == nil {
		return InventoryUnknown, []string{"no inventory recorded in status (never applied, or applied by an old controller)"}
	}
	idx := t.inventoryIndex(key, ks)
	gk := schema.FromAPIVersionAndKind(child.GetAPIVersion(), child.GetKind()).GroupKind()
	if idx.Contains(gk, child.GetNamespace(), child.GetName()) {
		return InventoryListed, nil
	}
	if owner := controllerOwner(child); madeFromSecretOwner(child, owner) {
		// A Secret traced from the labels its unreadable ExternalSecret or
		// SealedSecret copied to it: the inventory lists that maker, not the Secret.
		if gv, err := schema.ParseGroupVersion(owner.APIVersion); err == nil &&
			idx.Contains(schema.GroupKind{Group: gv.Group, Kind: owner.Kind}, child.GetNamespace(), owner.Name) {
			return InventoryListed, []string{fmt.Sprintf("lists %s %s/%s, which makes %s, rather than the Secret itself", owner.Kind, child.GetNamespace(), owner.Name, refOf(child))}
		}
	}
	return InventoryNotListed, []string{fmt.Sprintf("%s carries this Kustomization's labels but is not in its inventory: stale or orphaned (pruned from Git with prune off, or taken over by another owner)",
		refOf(child))}
}

// inventoryIndex builds (once per Kustomization) an index of its inventory.
func (t *Tracer) inventoryIndex(key objKey, ks *kustomizev1.Kustomization) *inventory.Index {
	if t.inventories == nil {
		t.inventories = map[objKey]*inventory.Index{}
	}
	if idx, ok := t.inventories[key]; ok {
		return idx
	}
	refs := make([]inventory.Ref, 0, len(ks.Status.Inventory.Entries))
	for _, e := range ks.Status.Inventory.Entries {
		refs = append(refs, inventory.Ref{ID: e.ID, V: e.Version})
	}
	idx, _ := inventory.NewIndex(refs) // bad entries are skipped; the rest still answers
	t.inventories[key] = idx
	return idx
}

// dependencyMessage extracts the dependency named in kustomize-controller's messages.
var dependencyMessage = regexp.MustCompile(`dependency '([^']+)'`)

// commit compares what ks applied with what its source holds now, once per
// Kustomization: every report gets its own copy, to which --git-dir adds its file.
func (t *Tracer) commit(ctx context.Context, ks *kustomizev1.Kustomization, src objKey) *Commit {
	k := commitKey{ks, src}
	c, ok := t.commits[k]
	if !ok {
		c = *t.compare(ctx, ks, src)
		t.commits[k] = c
	}
	return &c
}

// compare is commit, without the memory.
func (t *Tracer) compare(ctx context.Context, ks *kustomizev1.Kustomization, src objKey) *Commit {
	current := ""
	if u, err := t.getFlux(ctx, src.kind, src.namespace, src.name); err == nil {
		current = status.Of(u).ArtifactRevision
	}
	c := commitStatus(ks, current)
	t.explainBlocked(ctx, c)
	return c
}

// commitStatus says whether ks applied the source's current revision and, if not,
// why, in kustomize-controller's own terms: suspended, blocked by a dependency
// (DependencyNotReady), failed (Ready=False), or still applying.
func commitStatus(ks *kustomizev1.Kustomization, source string) *Commit {
	c := &Commit{
		By:      output.ObjectRef{APIVersion: kustomizev1.GroupVersion.String(), Kind: flux.KindKustomization, Namespace: ks.Namespace, Name: ks.Name},
		Applied: ks.Status.LastAppliedRevision,
		Source:  source,
	}
	if rev, err := revision.Parse(c.Applied); err == nil {
		c.SHA = rev.Commit()
	}
	if ks.Status.LastAttemptedRevision != c.Applied {
		c.Attempted = ks.Status.LastAttemptedRevision
	}
	st := status.FromConditions(ks.Status.Conditions, ks.Generation, ks.Status.ObservedGeneration, ks.Spec.Suspend)
	judge(c, c.Source != "", c.Applied == c.Source, st, "the Kustomization", "the source holds a newer revision that Flux has not applied yet")
	return c
}

// judge sets a commit's Status and Reason: Current when what was applied is what the
// source holds (current), else why not, in the controller's own terms: suspended,
// blocked by a dependency (DependencyNotReady), failed (Ready=False), or still
// applying. known is false when the source's current revision could not be read.
func judge(c *Commit, known, current bool, st status.Status, what, newer string) {
	switch {
	case !known:
		c.Status, c.Reason = CommitUnknown, "the source's current revision cannot be read"
	case current && !st.Suspended:
		c.Status = CommitCurrent
	case st.Suspended:
		c.Status, c.Reason = CommitSuspended, what+" is suspended: Flux applies nothing until it is resumed"
		if current {
			c.Reason += " (the applied revision is still the source's current one)"
		}
	case st.Ready.DependencyBlocked():
		c.Status, c.Reason = CommitBlocked, st.Ready.Message
		if m := dependencyMessage.FindStringSubmatch(st.Ready.Message); m != nil {
			c.BlockedBy = m[1]
		}
	case st.Ready.IsFalse():
		c.Status, c.Reason = CommitFailed, st.Ready.Message
	default:
		c.Status, c.Reason = CommitApplying, newer
		if st.Ready.Message != "" {
			c.Reason += ": " + st.Ready.Message
		}
	}
}
