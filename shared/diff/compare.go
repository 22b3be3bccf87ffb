package diff

import (
	"context"
	"errors"
	"fmt"
	"path"
	"sort"
	"strings"
	"sync"

	"github.com/fluxcd/cli-utils/pkg/object"
	kustomizev1 "github.com/fluxcd/kustomize-controller/api/v1"
	"github.com/fluxcd/pkg/apis/kustomize"
	"github.com/fluxcd/pkg/ssa"
	ssaerrors "github.com/fluxcd/pkg/ssa/errors"
	"github.com/fluxcd/pkg/ssa/jsondiff"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/meta"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/kubectl-gitops/kubectl-gitops/shared/output"
	"github.com/kubectl-gitops/kubectl-gitops/shared/render"
)

// ControllerName is kustomize-controller's field manager: the dry runs apply as it
// does, so that fields it owns are compared as it compares them.
const ControllerName = "kustomize-controller"

// DefaultWorkers is how many dry runs are in flight at once: kustomize-controller's
// --concurrent-ssa default.
const DefaultWorkers = 4

var group = kustomizev1.GroupVersion.Group

// Request is one Kustomization to compare.
type Request struct {
	Kustomization *kustomizev1.Kustomization
	// Revision and RevisionFrom are recorded in the result as given.
	Revision, RevisionFrom string
	// Rendered is what render.Build made of the Kustomization at Revision.
	Rendered *render.Result
	// Client is a controller-runtime client of the cluster, as the user.
	Client client.Client
	// Workers bounds the dry runs in flight (DefaultWorkers when 0).
	Workers int
	// Baseline is the render of the revision applied last, to tell drift from pending
	// changes; nil when unknown.
	Baseline *Baseline
}

// DiffOptions returns the DiffOptions kustomize-controller's apply uses for k: the same
// exclusion, if-not-present and force selectors, spec.force, and spec.ignore as drift
// ignore rules.
func DiffOptions(k *kustomizev1.Kustomization) ssa.DiffOptions {
	opts := ssa.DiffOptions{
		Exclusions: map[string]string{
			group + "/reconcile": kustomizev1.DisabledValue,
			group + "/ssa":       kustomizev1.IgnoreValue,
		},
		IfNotPresentSelector: map[string]string{group + "/ssa": kustomizev1.IfNotPresentValue},
		Force:                k.Spec.Force,
		ForceSelector:        map[string]string{group + "/force": kustomizev1.EnabledValue},
	}
	for _, rule := range k.Spec.Ignore {
		opts.DriftIgnoreRules = append(opts.DriftIgnoreRules, ignoreRule(rule.Paths, rule.Target))
	}
	return opts
}

// ignoreRule is a spec.ignore (or spec.driftDetection.ignore) rule as ssa takes it.
func ignoreRule(paths []string, t *kustomize.Selector) jsondiff.IgnoreRule {
	r := jsondiff.IgnoreRule{Paths: paths}
	if t != nil {
		r.Selector = &jsondiff.Selector{Group: t.Group, Version: t.Version, Kind: t.Kind, Name: t.Name,
			Namespace: t.Namespace, AnnotationSelector: t.AnnotationSelector, LabelSelector: t.LabelSelector}
	}
	return r
}

// Compare dry-runs the rendered objects against the cluster and lists what the apply
// would prune.
func Compare(ctx context.Context, req Request) (*Kustomization, error) {
	k := req.Kustomization
	out := &Kustomization{Name: k.Name, Namespace: k.Namespace, Path: k.Spec.Path, Revision: req.Revision, RevisionFrom: req.RevisionFrom, Objects: []Object{}}
	objects := make([]*unstructured.Unstructured, len(req.Rendered.Objects))
	for i, o := range req.Rendered.Objects {
		objects[i] = o.DeepCopy()
	}
	if err := prepare(k, objects); err != nil {
		return nil, err
	}
	results, err := compareObjects(ctx, objectsRequest{Client: req.Client, Controller: kustomizeController, Options: DiffOptions(k),
		Workers: req.Workers, Baseline: req.Baseline, Rendered: req.Rendered}, objects)
	if err != nil {
		return nil, err
	}
	failed := false
	for _, r := range results {
		failed = failed || r.Action == Failed
		out.Objects = append(out.Objects, r)
	}

	if k.Spec.Prune && k.Status.Inventory != nil {
		if failed {
			out.Notes = append(out.Notes, "nothing is pruned while an object fails: the controller stops before garbage collection")
		} else {
			pruned, err := prunes(ctx, req.Client, k, objects)
			if err != nil {
				return nil, err
			}
			out.Objects = append(out.Objects, pruned...)
		}
	}
	for _, o := range out.Objects {
		out.Summary.add(o.Action)
	}
	return out, nil
}

// objectsRequest is what a Kustomization's and a HelmRelease's comparison share:
// prepared objects dry-run as one controller, with what tells drift from pending and
// what must be masked.
type objectsRequest struct {
	Client     client.Client
	Controller controller
	Options    ssa.DiffOptions
	// Workers bounds the dry runs in flight (DefaultWorkers when 0).
	Workers int
	// Baseline is what the controller applied last; nil when unknown.
	Baseline *Baseline
	// Rendered says which objects are sensitive or encrypted, and the values to mask;
	// its Objects are not read.
	Rendered *render.Result
}

// compareObjects dry-runs each object (in parallel, Workers at once) and returns the
// results in the objects' order.
func compareObjects(ctx context.Context, req objectsRequest, objects []*unstructured.Unstructured) ([]Object, error) {
	req.Client = newReadOnce(req.Client)
	manager := ssa.NewResourceManager(req.Client, nil, req.Controller.Owner)
	workers := req.Workers
	if workers <= 0 {
		workers = DefaultWorkers
	}
	// What the apply creates first (ssa stages Namespaces and CRDs before the rest):
	// an object in one of those cannot be dry-run before, it is created after.
	staged := map[string]bool{}
	for _, u := range objects {
		switch {
		case u.GetKind() == "Namespace" && u.GroupVersionKind().Group == "":
			staged["Namespace/"+u.GetName()] = true
		case u.GetKind() == "CustomResourceDefinition":
			g, _, _ := unstructured.NestedString(u.Object, "spec", "group")
			kind, _, _ := unstructured.NestedString(u.Object, "spec", "names", "kind")
			staged["CRD/"+g+"/"+kind] = true
		}
	}
	results := make([]Object, len(objects))
	var wg sync.WaitGroup
	sem := make(chan struct{}, workers)
	for i, obj := range objects {
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer func() { <-sem; wg.Done() }()
			results[i] = compareOne(ctx, manager, req, obj, staged)
		}()
	}
	wg.Wait()
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	return results, nil
}

// compareOne is ssa's Diff of one object, named and masked.
func compareOne(ctx context.Context, manager *ssa.ResourceManager, req objectsRequest, obj *unstructured.Unstructured, staged map[string]bool) Object {
	opts := req.Options
	o := Object{ObjectRef: output.ObjectRef{APIVersion: obj.GetAPIVersion(), Kind: obj.GetKind(), Namespace: obj.GetNamespace(), Name: obj.GetName()}}
	key := render.Key(obj.GetKind(), obj.GetNamespace(), obj.GetName())
	// Values not to show: a Secret's own, and those of substituteFrom Secrets in an
	// object they were substituted into.
	var secrets []string
	if req.Rendered.Sensitive[key] {
		secrets = req.Rendered.SecretValues
	}
	if isSecret(obj) {
		secrets = append(secrets, secretValues(obj)...)
	}
	if req.Rendered.Encrypted[key] {
		o.Action, o.Reason = Skipped, "SOPS-encrypted: the controller decrypts it with keys this command does not have"
		return o
	}
	desired := obj.DeepCopy()
	change, live, merged, err := manager.Diff(ctx, obj, opts)
	switch {
	case err != nil && meta.IsNoMatchError(errors.Unwrap(err)) || err != nil && meta.IsNoMatchError(err):
		if staged["CRD/"+desired.GroupVersionKind().Group+"/"+desired.GetKind()] {
			o.Action, o.Reason = Created, "its CustomResourceDefinition is created first by the same apply"
			break
		}
		o.Action, o.Reason = Failed, mask(err.Error(), secrets)
	case err != nil && apierrors.IsNotFound(errors.Unwrap(err)) && staged["Namespace/"+desired.GetNamespace()]:
		o.Action, o.Reason = Created, "in namespace "+desired.GetNamespace()+", created first by the same apply"
	case err != nil:
		o.Action, o.Reason = Failed, mask(dryRunMessage(err), secrets)
		if ssaerrors.IsImmutableError(err) {
			o.Reason += req.Controller.ForceHint
		}
	case change.Action == ssa.SkippedAction:
		o.Action, o.Reason = Skipped, skipReason(desired, opts, req.Controller)
	case change.Action == ssa.CreatedAction:
		o.Action = Created
		current := liveOf(ctx, req.Client, desired)
		if current != nil {
			o.Action, o.Reason = Recreated, "an immutable field changes and force is set: the controller deletes and creates it again"
		}
		if err := o.keep(current, desired, secrets); err != nil {
			o.Action, o.Reason = Failed, err.Error()
		}
	case change.Action == ssa.ConfiguredAction:
		o.Action = Changed
		if isSecret(live) {
			o.ChangedKeys = changedKeys(live, merged)
		}
		o.Fields, o.Conflicts = analysisOf(ctx, req, desired).fields(live, merged)
		maskPaths(o.Fields, o.Conflicts, secrets)
		if isSecret(live) {
			scrubSecret(live)
			scrubSecret(merged)
		}
		text, err := unified(live, merged, path.Join(o.Kind, o.Namespace, o.Name))
		if err != nil {
			o.Action, o.Reason = Failed, err.Error()
			break
		}
		o.Diff = mask(text, secrets)
		if err := o.keep(live, merged, secrets); err != nil {
			o.Action, o.Reason = Failed, err.Error()
		}
	default:
		o.Action = Unchanged
	}
	if req.Controller.Cleanup && (o.Action == Unchanged || o.Action == Changed) {
		if o.Action == Unchanged {
			live, merged = nil, nil
		}
		if err := o.predictCleanup(ctx, req.Client, desired, live, merged, len(opts.DriftIgnoreRules) > 0, secrets); err != nil {
			o.Action, o.Reason = Failed, err.Error()
		}
	}
	if o.Action == Created && o.merged == "" {
		// Created after the Namespace or CRD it needs: the file shows what is created.
		if err := o.keep(nil, desired, secrets); err != nil {
			o.Action, o.Reason = Failed, err.Error()
		}
	}
	return o
}

// dryRunMessage is the API server's refusal without ssa's "Kind/ns/name dry-run
// failed" prefix: the object is named beside it.
func dryRunMessage(err error) string {
	var d *ssaerrors.DryRunErr
	msg := err.Error()
	if e, ok := err.(*ssaerrors.DryRunErr); ok {
		d = e
	}
	if d != nil && d.Unwrap() != nil {
		reason := string(apierrors.ReasonForError(d.Unwrap()))
		msg = d.Unwrap().Error()
		if reason != "" {
			msg = reason + ": " + msg
		}
	}
	return msg
}

// skipReason says which selector made the controller skip obj.
func skipReason(desired *unstructured.Unstructured, opts ssa.DiffOptions, ctl controller) string {
	if k, v, ok := matching(desired, opts.Exclusions); ok {
		return fmt.Sprintf("%s: %s in the manifest", k, v)
	}
	if k, v, ok := matching(desired, opts.IfNotPresentSelector); ok {
		return fmt.Sprintf("%s: %s and the object exists", k, v)
	}
	return ctl.SkipHint
}

func matching(u *unstructured.Unstructured, sel map[string]string) (string, string, bool) {
	for k, v := range sel {
		for _, m := range []map[string]string{u.GetLabels(), u.GetAnnotations()} {
			if got, ok := m[k]; ok && strings.EqualFold(got, v) {
				return k, got, true
			}
		}
	}
	return "", "", false
}

// liveOf is the live copy of u, nil when it cannot be read.
func liveOf(ctx context.Context, c client.Client, u *unstructured.Unstructured) *unstructured.Unstructured {
	live := &unstructured.Unstructured{}
	live.SetGroupVersionKind(u.GroupVersionKind())
	if c.Get(ctx, client.ObjectKeyFromObject(u), live) != nil {
		return nil
	}
	return live
}

// prunes lists the objects of the Kustomization's inventory that objects no longer
// hold, as the controller's garbage collection treats them: gone ones are left out,
// ones not labelled as this Kustomization's or annotated prune: disabled (or
// reconcile: disabled, ssa: Ignore) are skipped.
func prunes(ctx context.Context, c client.Client, k *kustomizev1.Kustomization, objects []*unstructured.Unstructured) ([]Object, error) {
	kept := object.ObjMetadataSet{}
	for _, u := range objects {
		kept = append(kept, object.UnstructuredToObjMetadata(u))
	}
	var stale []*unstructured.Unstructured
	for _, e := range k.Status.Inventory.Entries {
		id, err := object.ParseObjMetadata(e.ID)
		if err != nil {
			return nil, fmt.Errorf("inventory of Kustomization %s/%s: %w", k.Namespace, k.Name, err)
		}
		if kept.Contains(id) {
			continue
		}
		u := &unstructured.Unstructured{}
		u.SetGroupVersionKind(schema.GroupVersionKind{Group: id.GroupKind.Group, Version: e.Version, Kind: id.GroupKind.Kind})
		u.SetNamespace(id.Namespace)
		u.SetName(id.Name)
		stale = append(stale, u)
	}
	exclusions := map[string]string{
		group + "/prune":     kustomizev1.DisabledValue,
		group + "/reconcile": kustomizev1.DisabledValue,
		group + "/ssa":       kustomizev1.IgnoreValue,
	}
	return staleObjects(ctx, c, stale, Pruned, func(live *unstructured.Unstructured, o *Object) error {
		labels := live.GetLabels()
		if labels[group+"/name"] != k.Name || labels[group+"/namespace"] != k.Namespace {
			o.Action, o.Reason = Skipped, "no longer rendered, but not labelled as this Kustomization's: not pruned"
		} else if key, v, ok := matching(live, exclusions); ok {
			o.Action, o.Reason = Skipped, fmt.Sprintf("no longer rendered, but %s: %s: not pruned", key, v)
		} else {
			return o.keep(live, nil, nil)
		}
		return nil
	})
}

// staleObjects are the objects of stale, the ones an apply or upgrade deletes, as the
// cluster holds them: in the reverse of ssa's apply order (as the controllers delete),
// those already gone left out, each first given action, then judged with its live copy
// (skipped and why, or kept for its diff).
func staleObjects(ctx context.Context, c client.Client, stale []*unstructured.Unstructured, action Action, judge func(live *unstructured.Unstructured, o *Object) error) ([]Object, error) {
	sort.Sort(sort.Reverse(ssa.SortableUnstructureds(stale)))
	var out []Object
	for _, u := range stale {
		o := Object{ObjectRef: output.ObjectRef{APIVersion: u.GetAPIVersion(), Kind: u.GetKind(), Namespace: u.GetNamespace(), Name: u.GetName()}, Action: action}
		live := &unstructured.Unstructured{}
		live.SetGroupVersionKind(u.GroupVersionKind())
		if err := c.Get(ctx, client.ObjectKeyFromObject(u), live); err != nil {
			if apierrors.IsNotFound(err) {
				continue
			}
			return nil, fmt.Errorf("reading %s: %w", o.String(), err)
		}
		if err := judge(live, &o); err != nil {
			return nil, err
		}
		out = append(out, o)
	}
	return out, nil
}
