package trace

import (
	"context"
	"fmt"
	"sort"
	"strings"

	helmv2 "github.com/fluxcd/helm-controller/api/v2"
	kustomizev1 "github.com/fluxcd/kustomize-controller/api/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"

	"github.com/kubectl-gitops/kubectl-gitops/shared/exitcode"
	"github.com/kubectl-gitops/kubectl-gitops/shared/flux"
	"github.com/kubectl-gitops/kubectl-gitops/shared/output"
)

// walkAppliers adds, from child upwards, every HelmRelease and Kustomization that
// applied the previous hop, up to the root, then the sources of those Kustomizations,
// and fills the report's Commit from the Kustomization nearest the object. A HelmRelease
// may apply a Kustomization and the other way round, so both are followed in one loop.
// When the object's cluster does not hold the Kustomization its labels name, the walk
// goes on in the cluster that does (a management cluster applying through
// spec.kubeConfig). sources are those the traced object itself reads (a traced
// Kustomization's). It reports whether any Flux object was found.
func (t *Tracer) walkAppliers(ctx context.Context, r *Report, child *unstructured.Unstructured, sources []sourceIn) bool {
	defer func() {
		for _, s := range sources {
			n := len(r.Hops)
			s.t.addSource(ctx, r, RoleSource, s.key.kind, s.key.namespace, s.key.name, "sourceRef")
			r.stamp(n, s.t.cluster)
		}
	}()
	cur := t
	found := false
	// Keyed by cluster too: flux-system/flux-system is the root of every cluster.
	seen := map[inCluster]bool{}
	if fluxKind(child) == flux.KindKustomization {
		// A traced Kustomization is the first of the chain: one that applies itself
		// (the bootstrap root) ends it there.
		seen[inCluster{t.cluster, objKey{flux.KindKustomization, child.GetNamespace(), child.GetName()}}] = true
	}
	for depth := 0; depth < maxParents; depth++ {
		n := len(r.Hops)
		if isHelmManaged(child) {
			found = true
			from := cur
			if key, ok := helmOwner(child); ok && cur == t {
				var stop bool
				if cur, stop = t.elsewhere(ctx, r, key, "helm labels"); stop {
					return true
				}
			} else if release, ok := helmStorage(child); ok && cur == t {
				cur = t.storageElsewhere(ctx, r, child.GetNamespace(), release)
			}
			hr, ok := cur.walkHelmRelease(ctx, r, child)
			if ok && cur != from {
				var typed helmv2.HelmRelease
				if flux.FromUnstructured(hr, &typed) == nil {
					cur.confirmRemote(ctx, &r.Hops[n], typed.Namespace, typed.Spec.KubeConfig, from)
				}
			}
			r.stamp(n, cur.cluster)
			if !ok {
				return true
			}
			key := objKey{flux.KindHelmRelease, hr.GetNamespace(), hr.GetName()}
			if seen[inCluster{cur.cluster, key}] {
				return true
			}
			seen[inCluster{cur.cluster, key}] = true
			child = hr
			continue
		}
		via := "kustomize labels"
		key, ok := kustomizeOwner(child)
		if !ok && depth == 0 {
			// No labels on the object itself: labels can be stripped by hand, the
			// inventory is what Flux prunes by. Costs one list, only on this path.
			var err error
			key, ok, err = cur.inventoryOwner(ctx, r, child)
			via = "inventory"
			if err != nil {
				// Not being able to look is not "not managed".
				r.fail(resultOf(err), fmt.Sprintf("%s carries no Flux labels, and whether a Kustomization's inventory lists it cannot be checked: %v", r.Object, err))
				return true
			}
		}
		if !ok {
			return found
		}
		if seen[inCluster{cur.cluster, key}] {
			last := &r.Hops[len(r.Hops)-1]
			if last.Ref.Kind == flux.KindKustomization && last.Ref.Namespace == key.namespace && last.Ref.Name == key.name {
				// flux-system applies its own Kustomization (bootstrap): the root, managed
				// by Flux like any object it applies.
				last.Notes = append(last.Notes, "applies itself (bootstrap root)")
				return true
			}
			last.Notes = append(last.Notes, fmt.Sprintf("labels form a loop: it names Kustomization %s/%s, which is already in this chain (%s)", key.namespace, key.name, loopPath(r, key)))
			return found
		}
		seen[inCluster{cur.cluster, key}] = true
		found = true
		from := cur
		if cur == t {
			var stop bool
			if cur, stop = t.elsewhere(ctx, r, key, via); stop {
				return true
			}
		}
		u, ks, ok := cur.kustomization(ctx, r, key, via)
		if !ok {
			r.stamp(n, cur.cluster)
			return true
		}
		hop := cur.hop(u, RoleKustomization, "", func() Hop { return kustomizationHop(u, ks) })
		hop.Via = via
		hop.Inventory, hop.Notes = cur.inventoryCheck(key, ks, child)
		if cur != from {
			cur.confirmRemote(ctx, &hop, ks.Namespace, ks.Spec.KubeConfig, from)
		}
		var owners []objKey
		if hop.Inventory == InventoryNotListed && cur == from {
			owners = cur.listedElsewhere(ctx, child, key)
			for _, o := range owners {
				hop.Notes = append(hop.Notes, fmt.Sprintf("labels disagree with the inventory: Kustomization %s/%s lists it", o.namespace, o.name))
			}
		}
		src := objKey{kind: ks.Spec.SourceRef.Kind, namespace: flux.RefNamespace(ks.Spec.SourceRef.Namespace, ks.Namespace), name: ks.Spec.SourceRef.Name}
		hop.SourceRef = fluxRef(src.kind, src.namespace, src.name)
		r.Hops = append(r.Hops, hop)
		r.stamp(n, cur.cluster)
		first := !r.applied
		r.applied = true
		if first && isCoreSecret(child) {
			if s := sopsSource(ks); s != nil {
				secretHop(r, child).Secret = s
			}
		}
		if first && hop.Inventory != InventoryNotListed {
			// The object this first Kustomization applied carries kustomize's record of
			// its file when the Kustomization asks for origin annotations: a stale
			// object (not listed) may carry an old one, so it is not read then.
			if o, ok := originOf(child, ks.Spec.Path); ok {
				r.origin = &o
			}
		}
		if r.Commit == nil {
			if hop.Inventory == InventoryNotListed {
				r.Commit = notInInventory(ks, refOf(child), owners)
			} else {
				r.Commit = cur.commit(ctx, ks, src)
				r.Commit.Git = r.origin.location()
			}
		}
		if !containsSource(sources, cur, src) {
			sources = append(sources, sourceIn{cur, src})
		}
		child = u
	}
	return found
}

// inCluster is a Flux object of one cluster.
type inCluster struct {
	cluster string
	key     objKey
}

// stamp names the cluster of the hops from index from on that have none yet.
func (r *Report) stamp(from int, cluster string) {
	for i := from; i < len(r.Hops); i++ {
		if r.Hops[i].Cluster == "" {
			r.Hops[i].Cluster = cluster
		}
	}
}

// kustomization reads one Kustomization, recording an error hop when it cannot.
func (t *Tracer) kustomization(ctx context.Context, r *Report, key objKey, via string) (*unstructured.Unstructured, *kustomizev1.Kustomization, bool) {
	ref := output.ObjectRef{APIVersion: kustomizev1.GroupVersion.String(), Kind: flux.KindKustomization, Namespace: key.namespace, Name: key.name}
	u, err := t.getFlux(ctx, flux.KindKustomization, key.namespace, key.name)
	if err != nil {
		r.addErrorHop(RoleKustomization, ref, via, err)
		return nil, nil, false
	}
	ks, err := t.typedKustomization(key, u)
	if err != nil {
		r.addErrorHop(RoleKustomization, ref, via, err)
		return nil, nil, false
	}
	return u, ks, true
}

// typedKustomization converts a Kustomization once per tracer: a bulk trace passes
// through the same few Kustomizations for every object.
func (t *Tracer) typedKustomization(key objKey, u *unstructured.Unstructured) (*kustomizev1.Kustomization, error) {
	if ks, ok := t.typed[key]; ok {
		return ks, nil
	}
	var ks kustomizev1.Kustomization
	if err := flux.FromUnstructured(u, &ks); err != nil {
		return nil, err
	}
	t.typed[key] = &ks
	return &ks, nil
}

// inventoryOwners returns the Kustomizations whose inventory lists obj, in name order.
// It lists every Kustomization once per tracer (the index bulk traces use anyway).
func (t *Tracer) inventoryOwners(ctx context.Context, obj *unstructured.Unstructured) ([]objKey, error) {
	if t.index == nil {
		if err := t.IndexKustomizations(ctx); err != nil {
			return nil, err
		}
	}
	if !t.index.all {
		// An inventory anywhere may list the object: without every namespace the
		// answer "none does" would be a guess.
		if t.index.denied != nil {
			return nil, t.index.denied
		}
		return nil, exitcode.New(exitcode.Forbidden, "the Kustomizations of every namespace could not be listed")
	}
	gk := schema.FromAPIVersionAndKind(obj.GetAPIVersion(), obj.GetKind()).GroupKind()
	var owners []objKey
	for key, u := range t.index.byKey {
		ks, err := t.typedKustomization(key, u)
		if err != nil || ks.Status.Inventory == nil {
			continue
		}
		if t.inventoryIndex(key, ks).Contains(gk, obj.GetNamespace(), obj.GetName()) {
			owners = append(owners, key)
		}
	}
	sort.Slice(owners, func(i, j int) bool {
		if owners[i].namespace != owners[j].namespace {
			return owners[i].namespace < owners[j].namespace
		}
		return owners[i].name < owners[j].name
	})
	return owners, nil
}

// inventoryOwner finds the Kustomization that owns an object without Flux labels; the
// error says the inventories could not be read.
func (t *Tracer) inventoryOwner(ctx context.Context, r *Report, obj *unstructured.Unstructured) (objKey, bool, error) {
	owners, err := t.inventoryOwners(ctx, obj)
	if err != nil {
		return objKey{}, false, err
	}
	if len(owners) == 0 {
		return objKey{}, false, nil
	}
	last := &r.Hops[len(r.Hops)-1]
	last.Notes = append(last.Notes, fmt.Sprintf("carries no Flux labels, but Kustomization %s/%s lists it in its inventory: its labels were removed or never applied", owners[0].namespace, owners[0].name))
	return owners[0], true, nil
}

// loopPath names the Kustomizations of the chain from key on, for a label loop.
func loopPath(r *Report, key objKey) string {
	var names []string
	on := false
	for _, h := range r.Hops {
		if h.Ref.Kind == flux.KindKustomization && h.Ref.Namespace == key.namespace && h.Ref.Name == key.name {
			on = true
		}
		// A traced Kustomization is the object hop: it is in the loop too.
		if on && h.Ref.Kind == flux.KindKustomization && (h.Role == RoleKustomization || h.Role == RoleObject) {
			names = append(names, h.Ref.Namespace+"/"+h.Ref.Name)
		}
	}
	return strings.Join(append(names, key.namespace+"/"+key.name), " -> ")
}

// listedElsewhere returns the Kustomizations whose inventory lists obj when the one
// its labels name does not: the labels disagree with the inventory.
func (t *Tracer) listedElsewhere(ctx context.Context, obj *unstructured.Unstructured, labelled objKey) []objKey {
	owners, err := t.inventoryOwners(ctx, obj)
	if err != nil {
		return nil
	}
	var others []objKey
	for _, o := range owners {
		if o != labelled {
			others = append(others, o)
		}
	}
	return others
}

// notInInventory is the commit block of an object that carries a Kustomization's
// labels but is not in its inventory. Flux neither applied it at that Kustomization's
// revision nor manages it: kustomize-controller updates and prunes only what its
// inventory lists, so the labels are all that is left of an earlier apply (or were
// copied by hand). owners are the Kustomizations whose inventory does list it.
func notInInventory(ks *kustomizev1.Kustomization, obj output.ObjectRef, owners []objKey) *Commit {
	c := &Commit{
		By:     output.ObjectRef{APIVersion: kustomizev1.GroupVersion.String(), Kind: flux.KindKustomization, Namespace: ks.Namespace, Name: ks.Name},
		Status: CommitNotInInventory,
	}
	if len(owners) > 0 {
		o := owners[0]
		c.Reason = fmt.Sprintf("Kustomization %s/%s lists it in its inventory and manages it; the labels naming %s/%s are stale: trace Kustomization %s/%s for the commit it applied",
			o.namespace, o.name, ks.Namespace, ks.Name, o.namespace, o.name)
		return c
	}
	prune := "it prunes only what its inventory lists, so it will not delete it either"
	if !ks.Spec.Prune {
		prune = "it will not prune it either (prune is disabled)"
	}
	where := "this Kustomization's path"
	if ks.Spec.Path != "" {
		where = ks.Spec.Path
	}
	c.Reason = fmt.Sprintf("Flux does not manage it any more: Kustomization %s/%s neither applies nor updates it, and %s. If it is still wanted, add it back under %s in Git; if not, delete it (kubectl delete %s)",
		ks.Namespace, ks.Name, prune, where, kubectlName(obj))
	return c
}

// kubectlName is how kubectl names obj: "configmap/stray -n shop".
func kubectlName(obj output.ObjectRef) string {
	s := strings.ToLower(obj.Kind) + "/" + obj.Name
	if obj.Namespace != "" {
		s += " -n " + obj.Namespace
	}
	return s
}

// secretHop is the hop of obj, the object or an owner the walk reached.
func secretHop(r *Report, obj *unstructured.Unstructured) *Hop {
	ref := refOf(obj)
	for i := len(r.Hops) - 1; i >= 0; i-- {
		if r.Hops[i].Ref == ref {
			return &r.Hops[i]
		}
	}
	return &r.Hops[0]
}
