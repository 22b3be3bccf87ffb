package dir

import (
	"encoding/json"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"

	"github.com/kubectl-gitops/kubectl-gitops/shared/deps"
)

// Rendered is what one Kustomization of a cluster renders, as the walk built it: the
// objects kustomize-controller would apply, after post-build substitution. The walk
// keeps them only when asked (Options.KeepObjects): a dependency check needs the
// Flux objects alone, a comparison of two commits needs everything.
type Rendered struct {
	// Kustomization is the one that applies these objects. For the sync path itself it
	// is the Kustomization written for it (flux bootstrap's flux-system); its Name is
	// empty when the repository has none (a FluxInstance's sync).
	Kustomization deps.NodeID
	// Path is its spec.path, relative to the repository ("." for the top).
	Path string
	// File and Line are where it is defined in the repository, when known.
	File string
	Line int
	// Objects are the rendered objects, in kustomize's order.
	Objects []*unstructured.Unstructured
	// Error is why the build failed, or failed in part (a post-build substitution):
	// Objects then do not hold everything Flux would apply, or nothing at all.
	Error string
}

// jsonObjects are copies of objects as the API would read them: kustomize's maps hold
// Go ints, which unstructured's DeepCopy (and so every comparison) refuses; through
// JSON they become the int64 and float64 of any object read from a cluster. One that
// does not convert is kept as it is.
func jsonObjects(objects []*unstructured.Unstructured) []*unstructured.Unstructured {
	out := make([]*unstructured.Unstructured, len(objects))
	for i, o := range objects {
		out[i] = o
		data, err := json.Marshal(o.Object)
		if err != nil {
			continue
		}
		u := &unstructured.Unstructured{}
		if err := u.UnmarshalJSON(data); err == nil {
			out[i] = u
		}
	}
	return out
}

// keep starts the record of what k renders, when the walk keeps objects; nil otherwise.
func (w *walker) keep(k *unstructured.Unstructured, rel string) *Rendered {
	if !w.opts.KeepObjects {
		return nil
	}
	r := &Rendered{Kustomization: deps.NodeID{Kind: deps.KindKustomization, Namespace: k.GetNamespace(), Name: k.GetName()}, Path: rel}
	w.rendered = append(w.rendered, r)
	return r
}

// failBuild records a build error as fail does, and on the Kustomization's record: a
// comparison must not read the objects it could not render as removed.
func (w *walker) failBuild(r *Rendered, rel string, err error) {
	w.fail(rel, err)
	if r == nil {
		return
	}
	if r.Error != "" {
		r.Error += "; "
	}
	r.Error += err.Error()
}

// finishRendered gives the record of the sync path the name of the Kustomization that
// applies it, and every record the file its Kustomization is defined in, once the walk
// has found them all.
func (w *walker) finishRendered() {
	if len(w.rendered) == 0 {
		return
	}
	where := map[deps.NodeID]deps.Node{}
	for _, n := range w.cl.Nodes {
		if _, seen := where[n.ID()]; !seen {
			where[n.ID()] = n
		}
	}
	for _, r := range w.rendered {
		if r.Kustomization.Name == "" {
			r.Kustomization = w.rootID
			if r.Kustomization.Name == "" {
				r.Kustomization = deps.NodeID{Kind: deps.KindKustomization}
			}
		}
		if n, ok := where[r.Kustomization]; ok {
			r.File, r.Line = n.File, n.Line
		}
		w.cl.Rendered = append(w.cl.Rendered, *r)
	}
}
