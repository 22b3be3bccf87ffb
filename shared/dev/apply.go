package dev

import (
	"context"
	"fmt"
	"strings"
	"time"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/client-go/dynamic"

	"github.com/kubectl-gitops/kubectl-gitops/shared/cluster"
	"github.com/kubectl-gitops/kubectl-gitops/shared/exitcode"
	"github.com/kubectl-gitops/kubectl-gitops/shared/flux"
	"github.com/kubectl-gitops/kubectl-gitops/shared/invocation"
	"github.com/kubectl-gitops/kubectl-gitops/shared/output"
	"github.com/kubectl-gitops/kubectl-gitops/shared/write"
)

// TestRequest applies manifests in a session.
type TestRequest struct {
	write.Hooks
	Session   *Session
	Manifests []Manifest
}

// Test applies the manifests with the suite's field manager after a server-side dry
// run of all of them, and records every object in the session. An object outside what
// the session paused is refused before anything is written: Flux would revert it, or
// the session could not give it back to Git at the end.
func Test(ctx context.Context, dyn dynamic.Interface, r TestRequest) (*Result, error) {
	begin := r.Clock()
	s := r.Session
	res := newResult("test", s, r.DryRun)
	live := make([]*unstructured.Unstructured, len(r.Manifests))
	for i, m := range r.Manifests {
		u, err := get(ctx, dyn, m)
		if err != nil {
			return nil, err
		}
		if err := s.reach(m, u); err != nil {
			return nil, err
		}
		live[i] = u
	}
	r.Say("server-side dry run of %s", output.Count(len(r.Manifests), "object", "objects"))
	for _, m := range r.Manifests {
		if _, err := apply(ctx, dyn, m.Info.Mapping.Resource, m.Object, true); err != nil {
			return nil, exitcode.New(exitcode.Of(err), "%s: the server-side dry run refused it: %v; nothing was applied", objectOf(m.Object), err)
		}
	}
	names := make([]string, len(r.Manifests))
	for i, m := range r.Manifests {
		names[i] = objectOf(m.Object).String()
	}
	if err := r.Ask(fmt.Sprintf("apply %s in dev session %s", strings.Join(first(names, 5), ", "), s.ID)); err != nil {
		return nil, err
	}
	if r.DryRun {
		for i, m := range r.Manifests {
			res.Applied = append(res.Applied, Change{ObjectRef: objectOf(m.Object), Operation: operation(live[i], nil)})
		}
		res.DurationSeconds = since(begin)
		return res, nil
	}
	// The record first: a Ctrl-C during the applies still leaves every object the
	// session may have written in the record, for abort to clean up.
	at := r.Clock().UTC().Truncate(time.Second)
	if err := (Store{Dyn: dyn}).Modify(ctx, s, func(fresh *Session) {
		for i, m := range r.Manifests {
			fresh.record(Applied{ObjectRef: objectOf(m.Object), Created: live[i] == nil, At: at})
		}
	}); err != nil {
		return nil, err
	}
	for i, m := range r.Manifests {
		out, err := apply(ctx, dyn, m.Info.Mapping.Resource, m.Object, false)
		if err != nil {
			return res, exitcode.New(exitcode.Of(err), "%s: %v (the objects before it were applied; all are in the session)", objectOf(m.Object), err)
		}
		res.Applied = append(res.Applied, Change{ObjectRef: objectOf(m.Object), Operation: operation(live[i], out)})
	}
	res.Next = "when it works, save the files with '" + invocation.Command(ctx, "dev checkpoint MSG") + "'"
	res.DurationSeconds = since(begin)
	return res, nil
}

// record adds an applied object, keeping the first entry's Created: an object the
// session created stays the session's however often it is applied again.
func (s *Session) record(a Applied) {
	for i, old := range s.Applied {
		if old.Kind == a.Kind && old.Namespace == a.Namespace && old.Name == a.Name && groupOf(old.APIVersion) == groupOf(a.APIVersion) {
			a.Created = old.Created
			s.Applied[i] = a
			return
		}
	}
	s.Applied = append(s.Applied, a)
}

// created reports whether the session created the object.
func (s *Session) created(o output.ObjectRef) bool {
	for _, a := range s.Applied {
		if a.Kind == o.Kind && a.Namespace == o.Namespace && a.Name == o.Name && groupOf(a.APIVersion) == groupOf(o.APIVersion) {
			return a.Created
		}
	}
	return false
}

func groupOf(apiVersion string) string {
	g, _, ok := strings.Cut(apiVersion, "/")
	if !ok {
		return ""
	}
	return g
}

// reach refuses an object the session cannot own for its duration: a usage error (an
// argument that cannot work, nothing written), as the paused Kustomization itself is.
func (s *Session) reach(m Manifest, live *unstructured.Unstructured) error {
	o := objectOf(m.Object)
	if strings.HasPrefix(m.Object.GetAPIVersion(), "kustomize.toolkit.fluxcd.io/") && s.pauses(o.Namespace, o.Name) {
		return exitcode.New(exitcode.Usage, "%s is paused by this session: change what it applies, not the Kustomization itself", o)
	}
	if live == nil {
		return nil
	}
	l := live.GetLabels()
	ksName, ksNamespace := l[flux.KustomizeNameLabel], l[flux.KustomizeNamespaceLabel]
	switch {
	case ksName != "" && s.pauses(ksNamespace, ksName):
		return nil
	case ksName != "":
		return exitcode.New(exitcode.Usage, "%s is applied by Kustomization %s/%s, which this session did not pause: Flux would revert it (start a session on that Kustomization); nothing was applied", o, ksNamespace, ksName)
	case l[flux.HelmNameLabel] != "":
		return exitcode.New(exitcode.Usage, "%s is installed by HelmRelease %s/%s: helm-controller owns it (change the release's values instead); nothing was applied", o, l[flux.HelmNamespaceLabel], l[flux.HelmNameLabel])
	case s.created(o):
		return nil
	}
	return exitcode.New(exitcode.Usage, "%s exists and no Kustomization applies it: the session could not give it back to Git at the end; nothing was applied", o)
}

func get(ctx context.Context, dyn dynamic.Interface, m Manifest) (*unstructured.Unstructured, error) {
	ri := dyn.Resource(m.Info.Mapping.Resource).Namespace(m.Object.GetNamespace())
	u, err := ri.Get(ctx, m.Object.GetName(), metav1.GetOptions{})
	if apierrors.IsNotFound(err) {
		return nil, nil
	}
	if err != nil {
		return nil, cluster.Classify(err)
	}
	return u, nil
}

// apply is a server-side apply with the suite's field manager, forced: the session
// takes the fields it changes from kustomize-controller, which takes them back, forced
// too, when the paused Kustomization applies Git again.
func apply(ctx context.Context, dyn dynamic.Interface, gvr schema.GroupVersionResource, u *unstructured.Unstructured, dryRun bool) (*unstructured.Unstructured, error) {
	obj := u.DeepCopy()
	obj.SetManagedFields(nil)
	obj.SetResourceVersion("")
	opts := metav1.ApplyOptions{FieldManager: cluster.FieldManager, Force: true}
	if dryRun {
		opts.DryRun = []string{metav1.DryRunAll}
	}
	out, err := dyn.Resource(gvr).Namespace(u.GetNamespace()).Apply(ctx, u.GetName(), obj, opts)
	if err != nil {
		return nil, cluster.Classify(err)
	}
	return out, nil
}

func operation(before, after *unstructured.Unstructured) string {
	switch {
	case before == nil:
		return "created"
	case after != nil && after.GetResourceVersion() == before.GetResourceVersion():
		return "unchanged"
	}
	return "configured"
}

func objectOf(u *unstructured.Unstructured) output.ObjectRef {
	return output.ObjectRef{APIVersion: u.GetAPIVersion(), Kind: u.GetKind(), Namespace: u.GetNamespace(), Name: u.GetName()}
}
