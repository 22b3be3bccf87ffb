package diff

import (
	"context"
	"sync"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"sigs.k8s.io/controller-runtime/pkg/client"
)

// readOnce is the client one comparison goes through: each live object is read from
// the API server once, and every later read of it (the ownership analysis needs its
// managedFields, which ssa's Diff strips; the cleanup prediction reads it again) gets a
// copy of that first answer, a missing object its NotFound. The dry run writes nothing,
// so the first answer stays right for the comparison; two requests per object (ssa's
// read and its dry-run apply) instead of four for a changed one.
type readOnce struct {
	client.Client
	mu   sync.Mutex
	seen map[readKey]readResult
}

type readKey struct {
	gvk schema.GroupVersionKind
	key client.ObjectKey
}

type readResult struct {
	obj *unstructured.Unstructured
	err error
}

func newReadOnce(c client.Client) *readOnce {
	return &readOnce{Client: c, seen: map[readKey]readResult{}}
}

// Get answers an unstructured object's read from the first answer for it.
func (r *readOnce) Get(ctx context.Context, key client.ObjectKey, obj client.Object, opts ...client.GetOption) error {
	u, ok := obj.(*unstructured.Unstructured)
	if !ok || len(opts) > 0 {
		return r.Client.Get(ctx, key, obj, opts...)
	}
	k := readKey{gvk: u.GroupVersionKind(), key: key}
	r.mu.Lock()
	res, found := r.seen[k]
	r.mu.Unlock()
	if !found {
		err := r.Client.Get(ctx, key, u)
		if err != nil && ctx.Err() != nil {
			return err // cut short: not an answer to keep
		}
		res = readResult{err: err}
		if err == nil {
			res.obj = u.DeepCopy()
		}
		r.mu.Lock()
		r.seen[k] = res
		r.mu.Unlock()
		return err
	}
	if res.err != nil {
		return res.err
	}
	u.Object = res.obj.DeepCopy().Object
	return nil
}
