package dev

import (
	"context"
	"fmt"
	"strings"

	"github.com/kubectl-gitops/kubectl-gitops/shared/git"

	kustomizev1 "github.com/fluxcd/kustomize-controller/api/v1"
	"github.com/pmezard/go-difflib/difflib"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/client-go/dynamic"
	"sigs.k8s.io/yaml"

	"github.com/kubectl-gitops/kubectl-gitops/shared/exitcode"
	"github.com/kubectl-gitops/kubectl-gitops/shared/flux"
	"github.com/kubectl-gitops/kubectl-gitops/shared/rollback"
	"github.com/kubectl-gitops/kubectl-gitops/shared/write"
	"github.com/kubectl-gitops/kubectl-gitops/shared/yamldoc"
)

// DiffRequest compares manifests with the cluster and with the tracked branch.
type DiffRequest struct {
	write.Hooks
	Session   *Session
	Manifests []Manifest
	// Clone, when set, is where the tracked branch's head is read; without it only
	// the cluster is compared.
	Clone *Clone
	// Preview, when set (with Clone), says what Flux will change when it applies the
	// session branch as committed (see preview).
	Preview PreviewFunc
}

// Diff says, per object, what applying the manifests would change in the cluster
// (a server-side dry run against the live object, as kubectl diff does) and how they
// differ from what the tracked branch's head declares. It changes nothing.
func Diff(ctx context.Context, dyn dynamic.Interface, r DiffRequest) (*Result, error) {
	begin := r.Clock()
	res := newResult("diff", r.Session, false)
	declared, head, err := r.declared(ctx, dyn)
	if err != nil {
		return nil, err
	}
	if r.Clone == nil {
		res.Notes = append(res.Notes, "no clone (--git-dir): compared with the cluster only")
	} else {
		res.Notes = append(res.Notes, fmt.Sprintf("Git: %s at %s", r.Session.TrackedBranch, git.Short(head)))
	}
	for _, m := range r.Manifests {
		d := ObjectDiff{ObjectRef: objectOf(m.Object)}
		live, err := get(ctx, dyn, m)
		if err != nil {
			return nil, err
		}
		after, err := apply(ctx, dyn, m.Info.Mapping.Resource, m.Object, true)
		if err != nil {
			return nil, exitcode.New(exitcode.Of(err), "%s: the server-side dry run refused it: %v", d.ObjectRef, err)
		}
		d.Live = live != nil
		if d.Cluster, err = unified(live, after, "live", "after apply"); err != nil {
			return nil, err
		}
		if r.Clone != nil {
			declaredObj := find(declared, m.Object)
			d.InGit = declaredObj != nil
			if d.Git, err = unified(declaredObj, m.Object, r.Session.TrackedBranch+" "+git.Short(head), "file"); err != nil {
				return nil, err
			}
		}
		res.Diffs = append(res.Diffs, d)
	}
	r.preview(ctx, res)
	res.DurationSeconds = since(begin)
	return res, nil
}

// declared renders what the session's Kustomizations apply at the head of the tracked
// branch, as kustomize-controller builds it, with their targetNamespace.
func (r DiffRequest) declared(ctx context.Context, dyn dynamic.Interface) ([]*unstructured.Unstructured, string, error) {
	if r.Clone == nil {
		return nil, "", nil
	}
	head, err := r.Clone.Fetch(ctx, r.Session.TrackedBranch)
	if err != nil {
		return nil, "", err
	}
	var out []*unstructured.Unstructured
	for _, k := range r.Session.Kustomizations {
		var ks kustomizev1.Kustomization
		if err := flux.GetInto(ctx, dyn, k.Namespace, k.Name, &ks); err != nil {
			return nil, "", err
		}
		paths, err := rollback.Inputs(ctx, r.Clone.Dir, head, ks.Spec.Path)
		if err != nil {
			return nil, "", err
		}
		built, err := rollback.Build(ctx, r.Clone.Dir, head, ks.Spec.Path, paths)
		if err != nil {
			return nil, "", exitcode.New(exitcode.Failure, "Kustomization %s/%s does not build at %s: %v", k.Namespace, k.Name, git.Short(head), err)
		}
		for _, doc := range yamldoc.Split(built) {
			var u unstructured.Unstructured
			if err := yaml.Unmarshal(doc.Text, &u.Object); err != nil || u.Object == nil {
				continue
			}
			if ks.Spec.TargetNamespace != "" && u.GetNamespace() != "" {
				u.SetNamespace(ks.Spec.TargetNamespace)
			}
			out = append(out, &u)
		}
	}
	return out, head, nil
}

// find returns the declared object that is want: same group, kind and name, and the
// same namespace unless Git leaves it to the Kustomization.
func find(declared []*unstructured.Unstructured, want *unstructured.Unstructured) *unstructured.Unstructured {
	for _, u := range declared {
		if u.GetKind() == want.GetKind() && u.GetName() == want.GetName() && groupOf(u.GetAPIVersion()) == groupOf(want.GetAPIVersion()) &&
			(u.GetNamespace() == want.GetNamespace() || u.GetNamespace() == "") {
			return u
		}
	}
	return nil
}

// unified is a unified diff of two objects as YAML, without what the server keeps
// for itself; "" when they are the same.
func unified(a, b *unstructured.Unstructured, nameA, nameB string) (string, error) {
	ya, err := comparable(a)
	if err != nil {
		return "", err
	}
	yb, err := comparable(b)
	if err != nil {
		return "", err
	}
	if ya == yb {
		return "", nil
	}
	return difflib.GetUnifiedDiffString(difflib.UnifiedDiff{
		A: difflib.SplitLines(ya), B: difflib.SplitLines(yb), FromFile: nameA, ToFile: nameB, Context: 3,
	})
}

func comparable(u *unstructured.Unstructured) (string, error) {
	if u == nil {
		return "", nil
	}
	c := u.DeepCopy()
	for _, f := range []string{"managedFields", "resourceVersion", "uid", "generation", "creationTimestamp"} {
		unstructured.RemoveNestedField(c.Object, "metadata", f)
	}
	a := c.GetAnnotations()
	delete(a, "kubectl.kubernetes.io/last-applied-configuration")
	if len(a) == 0 {
		unstructured.RemoveNestedField(c.Object, "metadata", "annotations")
	} else {
		c.SetAnnotations(a)
	}
	out, err := yaml.Marshal(c.Object)
	return strings.TrimSpace(string(out)) + "\n", err
}
