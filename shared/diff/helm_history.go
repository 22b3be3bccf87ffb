package diff

import (
	"context"
	"errors"
	"fmt"
	"path"
	"reflect"
	"regexp"
	"strconv"

	helmv2 "github.com/fluxcd/helm-controller/api/v2"
	rspb "helm.sh/helm/v4/pkg/release/v1"
	"helm.sh/helm/v4/pkg/storage"
	"helm.sh/helm/v4/pkg/storage/driver"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"sigs.k8s.io/yaml"

	"github.com/kubectl-gitops/kubectl-gitops/shared/exitcode"
	"github.com/kubectl-gitops/kubectl-gitops/shared/flux"
	"github.com/kubectl-gitops/kubectl-gitops/shared/output"
	"github.com/kubectl-gitops/kubectl-gitops/shared/render"
)

// RevisionHistory is a HelmRelease's RevisionFrom when two releases of its history
// are compared (--history N..M).
const RevisionHistory = "history"

// HistoryRange is --history N..M: two versions of a Helm release.
type HistoryRange struct{ From, To int }

var historyPattern = regexp.MustCompile(`^([1-9][0-9]*)\.\.([1-9][0-9]*)$`)

// ParseHistoryRange reads N..M (the release versions 'rollback history helmrelease/NAME'
// lists), two different versions.
func ParseHistoryRange(s string) (HistoryRange, error) {
	m := historyPattern.FindStringSubmatch(s)
	if m == nil {
		return HistoryRange{}, exitcode.New(exitcode.Usage, "--history %q: give two release versions as N..M (e.g. 3..4), as 'rollback history helmrelease/NAME' lists them", s)
	}
	from, _ := strconv.Atoi(m[1])
	to, _ := strconv.Atoi(m[2])
	if from == to {
		return HistoryRange{}, exitcode.New(exitcode.Usage, "--history %s compares a release with itself: give two versions", s)
	}
	return HistoryRange{From: from, To: to}, nil
}

func (r HistoryRange) String() string { return fmt.Sprintf("%d..%d", r.From, r.To) }

// ForHelmReleaseHistory compares two releases of the HelmRelease namespace/name, read
// from Helm's storage with Helm's own driver: the objects of the first no longer in
// the second are removed, those only in the second created, those in both changed
// (a unified diff of the two manifests' objects, the changed fields named), and the
// values each was installed with, as a unified diff. Nothing is read from the live
// objects. A Secret's values, and values that may have come from valuesFrom Secrets,
// are masked; a storage Secret the user may not read is exit 5, naming it.
func ForHelmReleaseHistory(ctx context.Context, cl Clients, namespace, name string, r HistoryRange) (*HelmRelease, error) {
	var hr helmv2.HelmRelease
	if err := flux.GetInto(ctx, cl.Dynamic, namespace, name, &hr); err != nil {
		return nil, err
	}
	ref := releaseOf(&hr)
	out := &HelmRelease{Name: name, Namespace: namespace, Release: ref.Namespace + "/" + ref.Name, Objects: []Object{},
		Revision: r.String(), RevisionFrom: RevisionHistory, ReleaseVersion: r.To}
	store := storage.Init(driver.NewSecrets(cl.Kube.CoreV1().Secrets(ref.StorageNamespace)))
	read := func(version int) (*rspb.Release, error) {
		secret := fmt.Sprintf("Secret %s/sh.helm.release.v1.%s.v%d", ref.StorageNamespace, ref.Name, version)
		got, err := store.Get(ref.Name, version)
		switch {
		case errors.Is(err, driver.ErrReleaseNotFound):
			return nil, exitcode.New(exitcode.NotFound, "Helm release %s has no version %d (no %s): list its versions with 'rollback history helmrelease/%s -n %s'", ref.Name, version, secret, name, namespace)
		case apierrors.IsForbidden(err):
			return nil, exitcode.New(exitcode.Forbidden, "you may not read %s, where Helm keeps release %s version %d: ask for get on secrets in namespace %s", secret, ref.Name, version, ref.StorageNamespace)
		case err != nil:
			return nil, fmt.Errorf("reading %s: %w", secret, err)
		}
		return asV1(got)
	}
	from, err := read(r.From)
	if err != nil {
		return nil, err
	}
	to, err := read(r.To)
	if err != nil {
		return nil, err
	}
	out.Chart = chartOf(from) + " -> " + chartOf(to)
	values, _ := helmValues(ctx, clusterValues(cl.Client, hr.Namespace), &hr)
	secrets := append(values.masked(&hr, from.Config), values.masked(&hr, to.Config)...)

	a, err := releaseObjects(from.Manifest, ref, cl.Client.RESTMapper())
	if err != nil {
		return nil, err
	}
	b, err := releaseObjects(to.Manifest, ref, cl.Client.RESTMapper())
	if err != nil {
		return nil, err
	}
	if out.Objects, err = compareReleases(a, b, r, secrets); err != nil {
		return nil, err
	}
	if out.Values, err = valuesDiff(from.Config, to.Config, r, secrets); err != nil {
		return nil, err
	}
	out.count()
	return out, nil
}

func chartOf(r *rspb.Release) string {
	if r.Chart == nil || r.Chart.Metadata == nil {
		return "unknown chart"
	}
	return r.Chart.Metadata.Name + "@" + r.Chart.Metadata.Version
}

// compareReleases lists the objects of b against those of a, then those of a that b
// no longer holds.
func compareReleases(a, b []*unstructured.Unstructured, r HistoryRange, secrets []string) ([]Object, error) {
	before := map[string]*unstructured.Unstructured{}
	for _, u := range a {
		before[render.Key(u.GetKind(), u.GetNamespace(), u.GetName())] = u
	}
	var out []Object
	for _, u := range b {
		key := render.Key(u.GetKind(), u.GetNamespace(), u.GetName())
		old, had := before[key]
		delete(before, key)
		o := Object{ObjectRef: output.ObjectRef{APIVersion: u.GetAPIVersion(), Kind: u.GetKind(), Namespace: u.GetNamespace(), Name: u.GetName()}}
		switch {
		case !had:
			o.Action = Created
		case reflect.DeepEqual(old.Object, u.Object):
			o.Action = Unchanged
		default:
			o.Action = Changed
			// Paths only, never values: named before a Secret's values are scrubbed.
			for _, p := range changedPaths(old.Object, u.Object) {
				o.Fields = append(o.Fields, Field{Path: p.String()})
			}
			hide := secrets
			if isSecret(u) {
				o.ChangedKeys = changedKeys(old, u)
				hide = append(append(hide, secretValues(old)...), secretValues(u)...)
				old, u = old.DeepCopy(), u.DeepCopy()
				scrubSecret(old)
				scrubSecret(u)
			}
			maskPaths(o.Fields, nil, hide)
			name := path.Join(o.Kind, o.Namespace, o.Name)
			a, err := yamlOf(old)
			if err != nil {
				return nil, err
			}
			b, err := yamlOf(u)
			if err != nil {
				return nil, err
			}
			text, err := unifiedText(a, b, fmt.Sprintf("v%d/%s", r.From, name), fmt.Sprintf("v%d/%s", r.To, name))
			if err != nil {
				return nil, err
			}
			o.Diff = mask(text, hide)
		}
		out = append(out, o)
	}
	for _, u := range a {
		if _, gone := before[render.Key(u.GetKind(), u.GetNamespace(), u.GetName())]; gone {
			out = append(out, Object{ObjectRef: output.ObjectRef{APIVersion: u.GetAPIVersion(), Kind: u.GetKind(), Namespace: u.GetNamespace(), Name: u.GetName()},
				Action: Removed, Reason: fmt.Sprintf("in version %d, not in version %d", r.From, r.To)})
		}
	}
	return out, nil
}

// valuesDiff is the unified diff of the values two releases were installed with
// (what the user supplied: spec.values and valuesFrom), secrets masked.
func valuesDiff(a, b map[string]any, r HistoryRange, secrets []string) (string, error) {
	ya, err := yaml.Marshal(a)
	if err != nil {
		return "", err
	}
	yb, err := yaml.Marshal(b)
	if err != nil {
		return "", err
	}
	text, err := unifiedText(string(ya), string(yb), fmt.Sprintf("v%d/values.yaml", r.From), fmt.Sprintf("v%d/values.yaml", r.To))
	return mask(text, secrets), err
}
