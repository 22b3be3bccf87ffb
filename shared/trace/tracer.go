package trace

import (
	"context"
	"fmt"
	"slices"

	kustomizev1 "github.com/fluxcd/kustomize-controller/api/v1"

	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/client-go/dynamic"

	"github.com/kubectl-gitops/kubectl-gitops/shared/cluster"
	"github.com/kubectl-gitops/kubectl-gitops/shared/exitcode"
	"github.com/kubectl-gitops/kubectl-gitops/shared/flux"
	"github.com/kubectl-gitops/kubectl-gitops/shared/inventory"
	"github.com/kubectl-gitops/kubectl-gitops/shared/output"
)

// maxOwnerDepth bounds the walk up ownerReferences (Pod → ReplicaSet → Deployment is 2).
const maxOwnerDepth = 8

// maxParents bounds the walk up parent Kustomizations, in case of a label loop.
const maxParents = 32

// Tracer resolves objects to their Flux chain. It remembers every Flux object it read,
// so tracing many objects under the same Kustomizations costs one request per
// Kustomization and source, not one per object.
type Tracer struct {
	dyn    dynamic.Interface
	mapper meta.RESTMapper
	cache  map[objKey]fetched
	// index, when set, answers Kustomization reads from one list (bulk traces).
	index *Index
	// inventories caches one index per Kustomization inventory, typed one conversion
	// per Kustomization.
	inventories map[objKey]*inventory.Index
	typed       map[objKey]*kustomizev1.Kustomization

	// cluster and server name the cluster this tracer reads (its kubeconfig context
	// and API server), for traces that cross clusters.
	cluster, server string
	// finder, when set, looks in other clusters for a Kustomization that this
	// cluster does not hold.
	finder Finder
	found  map[objKey]foundIn
	// remote, when set, opens the cluster a traced Kustomization applies to.
	remote RemoteOpener
	// graph is the cluster's dependsOn graph, read once the first blocked hop needs it.
	graph *depsGraph
	// hops and commits remember what each Flux object read gives every object under it:
	// a bulk trace of 10,000 objects passes through the same few Kustomizations and
	// sources, and describing them again per object (status conditions, credentials
	// masked in every message) cost more than the rest of the trace.
	hops    map[hopKey]Hop
	commits map[commitKey]Commit
}

// hopKey is one Flux object read by the tracer, in one role, reached one way.
type hopKey struct {
	obj       *unstructured.Unstructured
	role, via string
}

// commitKey is a Kustomization compared with its source.
type commitKey struct {
	ks  *kustomizev1.Kustomization
	src objKey
}

// AcrossClusters lets the tracer follow labels into other clusters through f, and
// list what a traced Kustomization applied to a remote cluster through open. Either
// may be nil.
func (t *Tracer) AcrossClusters(f Finder, open RemoteOpener) *Tracer {
	t.finder, t.remote = f, open
	return t
}

type objKey struct{ kind, namespace, name string }

type fetched struct {
	obj *unstructured.Unstructured
	err error
}

// NewTracer returns a tracer reading through dyn; mapper resolves owner kinds.
func NewTracer(dyn dynamic.Interface, mapper meta.RESTMapper) *Tracer {
	return &Tracer{dyn: dyn, mapper: mapper, cache: map[objKey]fetched{}, typed: map[objKey]*kustomizev1.Kustomization{},
		hops: map[hopKey]Hop{}, commits: map[commitKey]Commit{}}
}

// Trace resolves one object the caller has already read. It never returns nil; any
// problem is recorded in the Report's Result and Error.
func (t *Tracer) Trace(ctx context.Context, obj *unstructured.Unstructured) *Report {
	r := &Report{TypeMeta: output.NewTypeMeta(output.KindTrace), Object: refOf(obj), Result: ResultTraced}
	// The common chain, object, Kustomization, source, without the growth to four: a
	// bulk trace holds 10,000 reports until printed, and a hop is 400 bytes.
	r.Hops = make([]Hop, 1, 3)
	r.Hops[0] = Hop{Role: RoleObject, Ref: refOf(obj)}
	defer r.stamp(0, t.cluster)

	cur, ok := t.walkOwners(ctx, r, obj)
	if !ok {
		return r
	}
	r.stamp(0, t.cluster)
	// The hop of cur: the object, or the owner its walk ended at.
	at := len(r.Hops) - 1
	own := t.describeSelf(ctx, r, obj)
	t.describeTarget(ctx, r, obj)
	r.stamp(0, t.cluster)
	if t.walkAppliers(ctx, r, cur, own) || r.Result != ResultTraced {
		return r
	}
	if fluxKind(cur) != "" {
		// A Flux object that nothing applies (created by kubectl apply, flux create,
		// Terraform) is the root of its own chain: its controller manages it, and its
		// source, commit and health are above.
		r.Hops[at].Notes = append(r.Hops[at].Notes, RootNote)
		return r
	}
	r.fail(ResultNotManaged, fmt.Sprintf("%s is not managed by Flux: no %s or %s labels on it or its owners, and no Kustomization lists it in its inventory",
		r.Object, flux.KustomizeNameLabel, flux.HelmNameLabel))
	return r
}

// RootNote is the note on a Flux object that no Kustomization or HelmRelease applies:
// the root of its own chain.
const RootNote = "nothing in Git applies it (no Flux labels, and no Kustomization lists it in its inventory): " +
	"it is the root of its chain, created outside Flux (kubectl apply, flux create, Terraform); " +
	"Flux will not put it back if it is edited or deleted"

// walkOwners follows controller ownerReferences until an object carries Flux labels or
// Helm release annotations, and returns that object.
func (t *Tracer) walkOwners(ctx context.Context, r *Report, obj *unstructured.Unstructured) (*unstructured.Unstructured, bool) {
	cur := obj
	seen := map[string]bool{string(obj.GetUID()): true}
	for depth := 0; depth < maxOwnerDepth; depth++ {
		owner := controllerOwner(cur)
		if _, ok := kustomizeOwner(cur); (ok || isHelmManaged(cur)) && !madeFromSecretOwner(cur, owner) {
			return cur, true
		}
		if owner == nil {
			return cur, true
		}
		ref := output.ObjectRef{APIVersion: owner.APIVersion, Kind: owner.Kind, Namespace: cur.GetNamespace(), Name: owner.Name}
		last := &r.Hops[len(r.Hops)-1]
		if owner.UID != "" && seen[string(owner.UID)] {
			last.Notes = append(last.Notes, fmt.Sprintf("its ownerReferences form a cycle back to %s: the walk stops here", ref))
			return cur, true
		}
		next, err := t.getOwner(ctx, cur.GetNamespace(), owner)
		if exitcode.Of(err) == exitcode.NotFound {
			// A dangling ownerReference (the owner was deleted, the object orphaned):
			// the object asked about exists, so the walk goes on from the last one found.
			last.Notes = append(last.Notes, fmt.Sprintf("its owner %s does not exist any more (ownerReference left behind)", ref))
			return cur, true
		}
		if err != nil && labelledMadeSecret(cur, owner) {
			// The walk left the Secret's own Flux labels for its ExternalSecret or
			// SealedSecret; an owner RBAC hides (or that fails to read) must not cost
			// the trace those labels, which it was traced from before.
			last.Notes = append(last.Notes, unreadableMakerNote(ref, err))
			return cur, true
		}
		if err != nil {
			r.addErrorHop(RoleOwner, ref, "ownerReference", err)
			return nil, false
		}
		seen[string(next.GetUID())] = true
		h := Hop{Role: RoleOwner, Ref: refOf(next), Via: "ownerReference"}
		describeSecretMaker(&h, next)
		r.Hops = append(r.Hops, h)
		cur = next
	}
	return cur, true
}

// controllerOwner returns the controlling ownerReference, else the first one.
func controllerOwner(obj *unstructured.Unstructured) *metav1.OwnerReference {
	refs := obj.GetOwnerReferences()
	for i := range refs {
		if refs[i].Controller != nil && *refs[i].Controller {
			return &refs[i]
		}
	}
	if len(refs) > 0 {
		return &refs[0]
	}
	return nil
}

func (t *Tracer) getOwner(ctx context.Context, namespace string, ref *metav1.OwnerReference) (*unstructured.Unstructured, error) {
	gv, err := schema.ParseGroupVersion(ref.APIVersion)
	if err != nil {
		return nil, err
	}
	m, err := t.mapper.RESTMapping(schema.GroupKind{Group: gv.Group, Kind: ref.Kind}, gv.Version)
	if err != nil {
		return nil, cluster.Classify(err)
	}
	ri := t.dyn.Resource(m.Resource)
	if m.Scope.Name() == meta.RESTScopeNameNamespace {
		u, err := ri.Namespace(namespace).Get(ctx, ref.Name, metav1.GetOptions{})
		return u, cluster.Classify(err)
	}
	u, err := ri.Get(ctx, ref.Name, metav1.GetOptions{})
	return u, cluster.Classify(err)
}

// getFlux reads a Flux object once per tracer.
func (t *Tracer) getFlux(ctx context.Context, kind, namespace, name string) (*unstructured.Unstructured, error) {
	k := objKey{kind, namespace, name}
	if f, ok := t.cache[k]; ok {
		return f.obj, f.err
	}
	if kind == flux.KindKustomization && t.index != nil {
		if u, ok := t.index.get(namespace, name); ok {
			return u, nil
		}
		if t.index.complete(namespace) {
			err := flux.NotFound(kind, namespace, name)
			t.cache[k] = fetched{err: err}
			return nil, err
		}
	}
	u, err := flux.Get(ctx, t.dyn, kind, namespace, name)
	t.cache[k] = fetched{obj: u, err: err}
	return u, err
}

// fail sets the report's result unless a more telling one is already set.
func (r *Report) fail(res Result, msg string) {
	if r.Result == ResultTraced {
		r.Result, r.Error = res, msg
	}
}

// addErrorHop records a hop that could not be read and marks the report accordingly.
func (r *Report) addErrorHop(role string, ref output.ObjectRef, via string, err error) {
	h := Hop{Role: role, Ref: ref, Via: via, Error: err.Error()}
	switch exitcode.Of(err) {
	case exitcode.Forbidden:
		h.Forbidden = true
		h.Error = "forbidden: you may not read this " + ref.Kind
		r.fail(ResultForbidden, fmt.Sprintf("cannot read %s: %v", ref, err))
	case exitcode.FluxNotInstalled:
		r.fail(ResultFluxMissing, err.Error())
	case exitcode.NotFound:
		h.Error = "not found"
		r.fail(ResultNotFound, fmt.Sprintf("%s not found (it is named by the previous hop)", ref))
	default:
		r.fail(ResultError, fmt.Sprintf("reading %s: %v", ref, err))
		r.unreachable = r.unreachable || cluster.IsUnreachable(err)
	}
	r.Hops = append(r.Hops, h)
}

// resultOf is the Result an error that ends a trace stands for.
func resultOf(err error) Result {
	switch exitcode.Of(err) {
	case exitcode.Forbidden:
		return ResultForbidden
	case exitcode.FluxNotInstalled:
		return ResultFluxMissing
	case exitcode.NotFound:
		return ResultNotFound
	}
	return ResultError
}

// ExitCode maps a report's result to the documented exit code.
func (r *Report) ExitCode() exitcode.Code {
	switch r.Result {
	case ResultTraced:
		return exitcode.OK
	case ResultNotManaged:
		return exitcode.NotManaged
	case ResultNotFound:
		return exitcode.NotFound
	case ResultForbidden:
		return exitcode.Forbidden
	case ResultFluxMissing:
		return exitcode.FluxNotInstalled
	}
	return exitcode.Failure
}

// Unreachable reports whether the trace ended because the API server could not be
// reached: tracing more objects would only wait for the same timeout again.
func (r *Report) Unreachable() bool { return r.Result == ResultError && r.unreachable }

// NotFoundReport is the report for an object that does not exist.
func NotFoundReport(ref output.ObjectRef, err error) *Report {
	// hops is [] rather than null: every document has the same shape.
	r := &Report{TypeMeta: output.NewTypeMeta(output.KindTrace), Object: ref, Result: ResultNotFound, Error: err.Error(), Hops: []Hop{}}
	if code := exitcode.Of(cluster.Classify(err)); code == exitcode.Forbidden {
		r.Result = ResultForbidden
	} else if code != exitcode.NotFound {
		r.Result = ResultError
	}
	return r
}

// hop returns the hop make builds for a Flux object, made once per object, role and
// via: each report gets its own copy, whose Notes a later append does not share.
func (t *Tracer) hop(u *unstructured.Unstructured, role, via string, make func() Hop) Hop {
	k := hopKey{u, role, via}
	h, ok := t.hops[k]
	if !ok {
		h = make()
		t.hops[k] = h
	}
	h.Notes = slices.Clip(h.Notes)
	return h
}

func refOf(u *unstructured.Unstructured) output.ObjectRef {
	return output.ObjectRef{APIVersion: u.GetAPIVersion(), Kind: u.GetKind(), Namespace: u.GetNamespace(), Name: u.GetName()}
}

// fluxRef names a Flux object of kind with the apiVersion the suite reads it at: no
// document carries an empty apiVersion.
func fluxRef(kind, namespace, name string) *output.ObjectRef {
	ref := &output.ObjectRef{Kind: kind, Namespace: namespace, Name: name}
	if gvr, ok := flux.GVR(kind); ok {
		ref.APIVersion = gvr.GroupVersion().String()
	}
	return ref
}
