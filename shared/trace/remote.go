package trace

import (
	"context"
	"fmt"
	"sync"

	kstatus "github.com/fluxcd/cli-utils/pkg/kstatus/status"
	kustomizev1 "github.com/fluxcd/kustomize-controller/api/v1"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"

	"github.com/kubectl-gitops/kubectl-gitops/shared/cluster"
	"github.com/kubectl-gitops/kubectl-gitops/shared/exitcode"
	"github.com/kubectl-gitops/kubectl-gitops/shared/inventory"
	"github.com/kubectl-gitops/kubectl-gitops/shared/output"
	"github.com/kubectl-gitops/kubectl-gitops/shared/redact"
)

// RemoteObject is one object of a Kustomization's inventory as the cluster it applies
// to holds it.
type RemoteObject struct {
	Ref     output.ObjectRef `json:"ref"`
	Present bool             `json:"present"`
	// Status is kstatus's reading of the object (Current, InProgress, Failed,
	// Terminating), as Flux's own health checks read it.
	Status  string `json:"status,omitempty"`
	Message string `json:"message,omitempty"`
	// Error says why the object could not be read (RBAC, unknown type, …).
	Error string `json:"error,omitempty"`
}

// RemoteOpener returns the clients of the cluster a Kustomization applies to: the
// user's own context for it, or one built from the kubeConfig Secret when the user
// asked for that. A nil cluster and nil error means none is known.
type RemoteOpener func(ctx context.Context, target *Target) (*Cluster, error)

// Bounds of the remote view: a huge inventory must not make a trace slow or large.
const (
	maxRemoteObjects = 500
	remoteWorkers    = 8
)

// remoteView fills target.Objects with every inventory entry of ks as the target
// cluster holds it: present or not, and its health.
func (t *Tracer) remoteView(ctx context.Context, ks *kustomizev1.Kustomization, tg *Target) {
	cl, err := t.remote(ctx, tg)
	if err != nil {
		tg.ObjectsNote = "the objects it applied cannot be read: " + redact.Text(err.Error())
		return
	}
	if cl == nil {
		tg.ObjectsNote = "pass --remote-context (a context of your kubeconfig for that cluster) to list the objects it applied there"
		return
	}
	tg.Cluster = cl.Name
	if ks.Status.Inventory == nil {
		tg.ObjectsNote = "no inventory recorded in status: nothing applied yet"
		return
	}
	entries := ks.Status.Inventory.Entries
	if len(entries) > maxRemoteObjects {
		tg.ObjectsNote = fmt.Sprintf("the first %d of %d objects", maxRemoteObjects, len(entries))
		entries = entries[:maxRemoteObjects]
	}
	tg.Objects = make([]RemoteObject, len(entries))
	next := make(chan int)
	var wg sync.WaitGroup
	for w := 0; w < remoteWorkers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range next {
				tg.Objects[i] = readRemote(ctx, cl, entries[i].ID, entries[i].Version)
			}
		}()
	}
	for i := range entries {
		next <- i
	}
	close(next)
	wg.Wait()
	for _, o := range tg.Objects {
		if !o.Present && o.Error == "" {
			tg.Missing++
		}
	}
}

// readRemote reads one inventory entry in cl.
func readRemote(ctx context.Context, cl *Cluster, id, version string) RemoteObject {
	e, err := inventory.ParseEntry(id, version)
	if err != nil {
		return RemoteObject{Ref: output.ObjectRef{Name: id}, Error: err.Error()}
	}
	gvk, _ := e.GroupVersionKind()
	o := RemoteObject{Ref: output.ObjectRef{APIVersion: gvk.GroupVersion().String(), Kind: e.Kind, Namespace: e.Namespace, Name: e.Name}}
	m, err := cl.Mapper.RESTMapping(e.GroupKind(), e.Version)
	if err != nil {
		if meta.IsNoMatchError(err) {
			// The type is not served: its CRD is gone, so the object is too.
			o.Status = "NotFound"
			return o
		}
		o.Error = redact.Text(cluster.Classify(err).Error())
		return o
	}
	ri := cl.Dynamic.Resource(m.Resource)
	var obj *unstructured.Unstructured
	if m.Scope.Name() == meta.RESTScopeNameNamespace {
		obj, err = ri.Namespace(e.Namespace).Get(ctx, e.Name, metav1.GetOptions{})
	} else {
		obj, err = ri.Get(ctx, e.Name, metav1.GetOptions{})
	}
	if err != nil {
		switch c := cluster.Classify(err); exitcode.Of(c) {
		case exitcode.NotFound:
			o.Status = "NotFound"
		case exitcode.Forbidden:
			o.Error = "forbidden: you may not read it in that cluster"
		default:
			o.Error = redact.Text(c.Error())
		}
		return o
	}
	o.Present = true
	if res, err := kstatus.Compute(obj); err == nil {
		o.Status, o.Message = res.Status.String(), redact.Text(res.Message)
	}
	return o
}
