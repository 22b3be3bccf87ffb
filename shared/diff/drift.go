package diff

import (
	"context"
	"fmt"
	"os"
	"reflect"
	"strings"
	"sync"

	kustomizev1 "github.com/fluxcd/kustomize-controller/api/v1"
	"github.com/fluxcd/pkg/ssa"
	"github.com/fluxcd/pkg/ssa/normalize"
	ssautil "github.com/fluxcd/pkg/ssa/utils"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/kubectl-gitops/kubectl-gitops/shared/git"
	"github.com/kubectl-gitops/kubectl-gitops/shared/render"
	"github.com/kubectl-gitops/kubectl-gitops/shared/revision"
)

// Origin says who made a field of the live object differ from what the apply sets.
type Origin string

const (
	// Drift: the cluster changed it; the revision the Kustomization applied last
	// renders what the apply sets, and the live object differs.
	Drift Origin = "drift"
	// Pending: Git changed it; the revision compared renders it otherwise than the
	// revision applied last, and the apply brings the change.
	Pending Origin = "pending"
	// Unknown (empty): the revision applied last could not be rendered to tell: with
	// --dir (no Git to read it from), when nothing was applied yet, or when the clone
	// lacks that commit.
	Unknown Origin = ""
)

// Field is one field the apply changes on an object.
type Field struct {
	// Path is the field as kubectl's JSONPath writes it (.data.color,
	// .spec.template.spec.containers[0].image). Only the path: never a value.
	Path string `json:"path"`
	// Origin is drift or pending; empty when unknown (see Unknown).
	Origin Origin `json:"origin,omitempty"`
	// Managers are the field managers owning the field in the live object
	// (metadata.managedFields), for a drifted or unknown field: who wrote it and when.
	// Empty when the live object lacks the field (removed by hand: managedFields does
	// not record who removes).
	Managers []Manager `json:"managers,omitempty"`
}

// Conflict is a field another field manager owns that the apply takes over: the desired
// object sets it to another value, and kustomize-controller applies with force, so the
// other manager's value is replaced and it loses the field. To leave the field to the
// other manager, Flux offers a spec.ignore rule with IgnorePath on the Kustomization
// (the field is then neither compared nor applied) or the annotation
// kustomize.toolkit.fluxcd.io/ssa: IfNotPresent (or Ignore) on the object in Git.
type Conflict struct {
	Path string `json:"path"`
	// IgnorePath is the JSON pointer a spec.ignore rule takes for the field.
	IgnorePath string `json:"ignorePath"`
	// Managers are the other managers owning the field.
	Managers []Manager `json:"managers"`
}

// fieldAnalysis is what is needed to say, per field, who changed it and who owns it.
type fieldAnalysis struct {
	// live is the live object, managedFields included.
	live *unstructured.Unstructured
	// desired is the object the apply sends (rendered, normalized).
	desired *unstructured.Unstructured
	// target and applied are the object as rendered at the revision compared and at the
	// one applied last; hasBase is false when the latter is unknown.
	target, applied *unstructured.Unstructured
	hasBase         bool
	// owner is the controller's field manager: a conflict is a field another owns.
	owner string
}

// fields lists the fields where liveShown and merged (ssa's Diff results, ignored
// fields already stripped) differ, with their origin and owners, and the conflicts
// among them.
func (a fieldAnalysis) fields(liveShown, merged *unstructured.Unstructured) ([]Field, []Conflict) {
	var live map[string]any
	var entries []metav1.ManagedFieldsEntry
	if a.live != nil {
		live, entries = a.live.Object, a.live.GetManagedFields()
	}
	own := decodeOwnership(entries)
	var fields []Field
	var conflicts []Conflict
	for _, p := range changedPaths(liveShown.Object, merged.Object) {
		f := Field{Path: p.String(), Origin: a.origin(p)}
		owners := own.owners(live, p)
		sortManagers(owners)
		if f.Origin != Pending {
			f.Managers = owners
		}
		fields = append(fields, f)
		if _, set := valueAt(a.desired.Object, p); !set {
			continue
		}
		if other := others(owners, a.owner); len(other) > 0 {
			conflicts = append(conflicts, Conflict{Path: p.String(), IgnorePath: p.Pointer(), Managers: other})
		}
	}
	return fields, conflicts
}

// maskPaths masks secret values in field paths: a key made of a substituted Secret
// value names the value.
func maskPaths(fields []Field, conflicts []Conflict, secrets []string) {
	for i := range fields {
		fields[i].Path = mask(fields[i].Path, secrets)
	}
	for i := range conflicts {
		conflicts[i].Path = mask(conflicts[i].Path, secrets)
		conflicts[i].IgnorePath = mask(conflicts[i].IgnorePath, secrets)
	}
}

// origin says whether Git changed p between the revision applied last and the one
// compared (pending) or not, so that the live object differs because the cluster
// changed (drift).
func (a fieldAnalysis) origin(p fieldPath) Origin {
	if !a.hasBase || a.target == nil {
		return Unknown
	}
	if a.applied == nil {
		return Pending // the object is new in Git since the revision applied last
	}
	tv, tok := valueAt(a.target.Object, p)
	av, aok := valueAt(a.applied.Object, p)
	if tok != aok || !reflect.DeepEqual(tv, av) {
		return Pending
	}
	return Drift
}

// Baseline is the Kustomization rendered at the revision it applied last
// (status.lastAppliedRevision), prepared as the apply prepares objects, to tell drift
// from pending changes. It is rendered on first use, once: only a Kustomization with a
// changed object pays for the second build.
type Baseline struct {
	once    sync.Once
	load    func() (map[string]*unstructured.Unstructured, string)
	loaded  bool
	objects map[string]*unstructured.Unstructured
	note    string
}

// get returns the baseline's objects, and false when the revision applied last is
// unknown (Note says why).
func (b *Baseline) get() (map[string]*unstructured.Unstructured, bool) {
	if b == nil {
		return nil, false
	}
	b.once.Do(func() {
		b.objects, b.note = b.load()
		b.loaded = true
	})
	return b.objects, b.objects != nil
}

// Note says, once the baseline was needed, why it is unknown; "" otherwise. Read it
// after Compare returns.
func (b *Baseline) Note() string {
	if b == nil || !b.loaded {
		return ""
	}
	return b.note
}

// index prepares a render of k and indexes its objects by render.Key.
func index(k *kustomizev1.Kustomization, r *render.Result) (map[string]*unstructured.Unstructured, error) {
	objects := make([]*unstructured.Unstructured, len(r.Objects))
	for i, o := range r.Objects {
		objects[i] = o.DeepCopy()
	}
	if err := prepare(k, objects); err != nil {
		return nil, err
	}
	out := map[string]*unstructured.Unstructured{}
	for _, o := range objects {
		out[render.Key(o.GetKind(), o.GetNamespace(), o.GetName())] = o
	}
	return out, nil
}

// prepare does to rendered objects what the controller's apply does before it applies
// them: ssa's normalization, spec.commonMetadata, the owner labels.
func prepare(k *kustomizev1.Kustomization, objects []*unstructured.Unstructured) error {
	if err := normalize.UnstructuredList(objects); err != nil {
		return err
	}
	if cm := k.Spec.CommonMetadata; cm != nil {
		ssautil.SetCommonMetadata(objects, cm.Labels, cm.Annotations)
	}
	ssa.NewResourceManager(nil, nil, ssa.Owner{Field: ControllerName, Group: group}).SetOwnerLabels(objects, k.Name, k.Namespace)
	return nil
}

// analysisOf gathers, for a changed object, the live object with its managedFields
// (ssa's Diff strips them) and its renders at both revisions. A live object that
// cannot be read leaves the owners unknown.
func analysisOf(ctx context.Context, req objectsRequest, desired *unstructured.Unstructured) fieldAnalysis {
	live := &unstructured.Unstructured{}
	live.SetGroupVersionKind(desired.GroupVersionKind())
	if err := req.Client.Get(ctx, client.ObjectKeyFromObject(desired), live); err != nil {
		live = nil
	}
	objects, known := req.Baseline.get()
	return fieldAnalysis{live: live, desired: desired, target: desired, hasBase: known, owner: req.Controller.Owner.Field,
		applied: objects[render.Key(desired.GetKind(), desired.GetNamespace(), desired.GetName())]}
}

// baselineFor is the Baseline to compare rendered (k at rev, the revision compared,
// from where RevisionFrom says) with: rendered itself when rev is the revision applied
// last, else the render of that revision from the clone. With --dir there is no Git
// to read the revision applied last from: unknown, and a note says so.
func baselineFor(ctx context.Context, k *kustomizev1.Kustomization, opts Options, rev, from string, rendered *render.Result, req render.Request) *Baseline {
	return &Baseline{load: func() (map[string]*unstructured.Unstructured, string) {
		if opts.Dir != "" {
			return nil, "with --dir, whether a changed field drifted or Git changed it is unknown: compare in a clone with --git-dir"
		}
		r := rendered
		if from != RevisionApplied && !sameCommit(rev, k.Status.LastAppliedRevision) {
			var note string
			if r, note = renderApplied(ctx, k, opts.GitDir, req); r == nil {
				return nil, note
			}
		}
		objects, err := index(k, r)
		if err != nil {
			return nil, "the revision applied last could not be prepared (" + err.Error() + "): whether a changed field drifted or Git changed it is unknown"
		}
		return objects, ""
	}}
}

// sameCommit reports whether two revisions (main@sha1:…, or a bare SHA) name the same
// commit.
func sameCommit(a, b string) bool {
	commit := func(s string) string {
		if r, err := revision.Parse(s); err == nil && r.Commit() != "" {
			return r.Commit()
		}
		return s
	}
	ca, cb := commit(a), commit(b)
	return ca != "" && cb != "" && (strings.HasPrefix(ca, cb) || strings.HasPrefix(cb, ca))
}

// renderApplied renders k at status.lastAppliedRevision from the clone gitDir. When
// that cannot be done (nothing applied yet, the clone lacks the commit, the build
// fails) it returns nil and why: fields are then of unknown origin.
func renderApplied(ctx context.Context, k *kustomizev1.Kustomization, gitDir string, req render.Request) (*render.Result, string) {
	const unknown = "whether a changed field drifted or Git changed it is unknown"
	applied := k.Status.LastAppliedRevision
	if applied == "" {
		return nil, "the Kustomization applied nothing yet: " + unknown
	}
	r, err := revision.Parse(applied)
	if err != nil || r.Commit() == "" {
		return nil, fmt.Sprintf("the revision applied last (%s) names no Git commit: %s", applied, unknown)
	}
	if !git.HasCommit(ctx, gitDir, r.Commit()) {
		return nil, fmt.Sprintf("the clone lacks the commit applied last (%s): %s (run 'git -C %s fetch')", git.Short(r.Commit()), unknown, gitDir)
	}
	tmp, err := os.MkdirTemp("", "gitops-diff-applied-")
	if err != nil {
		return nil, fmt.Sprintf("%v: %s", err, unknown)
	}
	defer os.RemoveAll(tmp)
	if err := git.Extract(ctx, gitDir, r.Commit(), tmp); err != nil {
		return nil, fmt.Sprintf("reading commit %s: %v: %s", git.Short(r.Commit()), err, unknown)
	}
	req.Tree = tmp
	rendered, err := render.Build(ctx, req)
	if err != nil {
		return nil, fmt.Sprintf("the revision applied last (%s) does not build: %s", git.Short(r.Commit()), unknown)
	}
	return rendered, ""
}
