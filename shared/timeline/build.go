package timeline

import (
	"context"
	"fmt"
	"time"

	kustomizev1 "github.com/fluxcd/kustomize-controller/api/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/client-go/dynamic"

	"github.com/kubectl-gitops/kubectl-gitops/shared/deps"
	"github.com/kubectl-gitops/kubectl-gitops/shared/flux"
	"github.com/kubectl-gitops/kubectl-gitops/shared/git"
	"github.com/kubectl-gitops/kubectl-gitops/shared/output"
	"github.com/kubectl-gitops/kubectl-gitops/shared/revision"
	"github.com/kubectl-gitops/kubectl-gitops/shared/status"
)

// Link is one Flux object of a traced chain.
type Link struct {
	Kind, Namespace, Name string
	// Cluster is the name of the cluster holding it (a key of Request.Clients).
	Cluster string
}

// Request is the chain to assemble a timeline for.
type Request struct {
	// Clients are the dynamic clients of the clusters the chain crosses, by name.
	Clients map[string]dynamic.Interface
	// Object is the traced object as read (its conditions give its readiness), and
	// ObjectCluster its cluster.
	Object        *unstructured.Unstructured
	ObjectCluster string
	// Chain is the Flux objects from the one applying the object up to the source
	// (last).
	Chain []Link
	// Revision is the revision the chain applied.
	Revision string
	// GitDir, when set, is a clone holding the commit: its commit time starts the
	// timeline.
	GitDir string
	// RequeueDependency is kustomize-controller's --requeue-dependency: how long a
	// Kustomization waits before it looks again at a dependency that was not ready.
	RequeueDependency time.Duration
}

// DefaultRequeueDependency is kustomize-controller's --requeue-dependency default.
const DefaultRequeueDependency = 30 * time.Second

// Build reads the chain's Flux objects (one GET each, and one list of Warning events
// per Kustomization that waited) and assembles the timeline. What cannot be read is a
// note, never a guess.
func Build(ctx context.Context, req Request) *Timeline {
	if req.RequeueDependency <= 0 {
		req.RequeueDependency = DefaultRequeueDependency
	}
	tl := &Timeline{Revision: req.Revision, Steps: []Step{}}
	b := builder{req: req, tl: tl}
	b.committed(ctx)
	b.fetched(ctx)
	b.applied(ctx)
	b.ready()
	tl.attribute(req)
	return tl
}

type builder struct {
	req Request
	tl  *Timeline
}

func (b *builder) note(format string, args ...any) {
	b.tl.Notes = append(b.tl.Notes, fmt.Sprintf(format, args...))
}

func (b *builder) get(ctx context.Context, l Link) (*unstructured.Unstructured, error) {
	dyn := b.req.Clients[l.Cluster]
	if dyn == nil {
		return nil, fmt.Errorf("no client for cluster %q", l.Cluster)
	}
	return flux.Get(ctx, dyn, l.Kind, l.Namespace, l.Name)
}

// committed is the commit's committer time from the clone (the push itself is not
// recorded anywhere Flux or Git keeps).
func (b *builder) committed(ctx context.Context) {
	if b.req.GitDir == "" {
		b.note("the commit time is not known: pass --git-dir with a clone holding it")
		return
	}
	rev, err := revision.Parse(b.req.Revision)
	if err != nil || rev.Commit() == "" {
		return
	}
	out, err := git.Line(ctx, b.req.GitDir, "show", "-s", "--format=%cI", rev.Commit()+"^{commit}")
	if err != nil {
		b.note("the clone does not hold commit %s: its time is not known", git.Short(rev.Commit()))
		return
	}
	at, err := time.Parse(time.RFC3339, out)
	if err != nil {
		return
	}
	b.tl.Steps = append(b.tl.Steps, Step{What: Committed, At: &metav1.Time{Time: at.UTC()}, From: "git: committer date",
		Object: output.ObjectRef{Kind: "Commit", Name: git.Short(rev.Commit())}})
}

// fetched is when the source stored the revision's artifact.
func (b *builder) fetched(ctx context.Context) {
	if len(b.req.Chain) == 0 {
		return
	}
	src := b.req.Chain[len(b.req.Chain)-1]
	step := Step{Object: ref(src), Cluster: src.Cluster, What: Fetched}
	u, err := b.get(ctx, src)
	if err != nil {
		step.Note = "cannot read it: " + err.Error()
		b.tl.Steps = append(b.tl.Steps, step)
		return
	}
	if iv, _, _ := unstructured.NestedString(u.Object, "spec", "interval"); iv != "" {
		step.settings.interval, _ = time.ParseDuration(iv)
	}
	step.settings.receiver = b.receiverOf(ctx, src)
	rev, _, _ := unstructured.NestedString(u.Object, "status", "artifact", "revision")
	at, _, _ := unstructured.NestedString(u.Object, "status", "artifact", "lastUpdateTime")
	switch t, err := time.Parse(time.RFC3339, at); {
	case rev != b.req.Revision:
		step.Note = fmt.Sprintf("it holds %s now: when it fetched %s is no longer recorded", rev, b.req.Revision)
	case err != nil:
		step.Note = "its artifact has no lastUpdateTime"
	default:
		step.At, step.From = &metav1.Time{Time: t.UTC()}, "status.artifact.lastUpdateTime"
	}
	b.tl.Steps = append(b.tl.Steps, step)
}

// applied adds, from the source down to the object, each Kustomization's apply of the
// revision, and before the one applying the object, those it dependsOn.
func (b *builder) applied(ctx context.Context) {
	chain := b.req.Chain
	for i := len(chain) - 2; i >= 0; i-- {
		l := chain[i]
		switch l.Kind {
		case flux.KindKustomization:
			if b.req.Clients[l.Cluster] == nil {
				b.tl.Steps = append(b.tl.Steps, Step{Object: ref(l), Cluster: l.Cluster, What: Applied, Note: fmt.Sprintf("cluster %q was not read", l.Cluster)})
				continue
			}
			var k kustomizev1.Kustomization
			if err := flux.GetInto(ctx, b.req.Clients[l.Cluster], l.Namespace, l.Name, &k); err != nil {
				b.tl.Steps = append(b.tl.Steps, Step{Object: ref(l), Cluster: l.Cluster, What: Applied, Note: "cannot read it: " + err.Error()})
				continue
			}
			if i == 0 {
				for _, d := range k.Spec.DependsOn {
					dl := Link{Kind: flux.KindKustomization, Namespace: flux.RefNamespace(d.Namespace, k.Namespace), Name: d.Name, Cluster: l.Cluster}
					var dk kustomizev1.Kustomization
					if err := flux.GetInto(ctx, b.req.Clients[l.Cluster], dl.Namespace, dl.Name, &dk); err != nil {
						continue
					}
					s := kustomizationStep(dl, &dk, b.req.Revision)
					// A dependency's own retries are what held its dependent back
					// when it failed and then recovered.
					s.settings.failures = failures(ctx, b.req.Clients[l.Cluster], dl)
					s.Dependency = true
					b.tl.Steps = append(b.tl.Steps, s)
				}
			}
			s := kustomizationStep(l, &k, b.req.Revision)
			s.settings.failures = failures(ctx, b.req.Clients[l.Cluster], l)
			b.tl.Steps = append(b.tl.Steps, s)
		case flux.KindHelmRelease:
			b.tl.Steps = append(b.tl.Steps, b.helmReleaseStep(ctx, l))
		}
	}
}

// kustomizationStep reads, from the Kustomization's status.history, when it applied
// rev. Flux keeps one snapshot per set of objects (their digest): a revision that did
// not change this Kustomization's objects updates the snapshot of an earlier one, whose
// firstReconciled is then older than the revision: that is said, not taken as the time.
func kustomizationStep(l Link, k *kustomizev1.Kustomization, rev string) Step {
	s := Step{Object: ref(l), Cluster: l.Cluster, What: Applied}
	s.settings.interval = k.Spec.Interval.Duration
	s.settings.retry = k.Spec.Interval.Duration
	if k.Spec.RetryInterval != nil {
		s.settings.retry = k.Spec.RetryInterval.Duration
	}
	s.settings.wait = k.Spec.Wait || len(k.Spec.HealthChecks) > 0 || len(k.Spec.HealthCheckExprs) > 0
	s.settings.suspended = status.LastSuspensionOf(k.Annotations)
	if k.Spec.Suspend {
		s.settings.suspendedNow = status.SuspensionOf(k.Annotations)
		if s.settings.suspendedNow == nil {
			s.settings.suspendedNow = &status.Suspension{}
		}
	}
	s.settings.timeout = k.Spec.Interval.Duration
	if k.Spec.Timeout != nil {
		s.settings.timeout = k.Spec.Timeout.Duration
	}
	for _, h := range k.Status.History {
		if h.Metadata["revision"] != rev || h.LastReconciledStatus != "ReconciliationSucceeded" {
			continue
		}
		s.At, s.From = h.FirstReconciled.DeepCopy(), "status.history: firstReconciled"
		s.settings.lastReconciled = h.LastReconciled.Time
		if h.TotalReconciliations == 1 {
			d := duration(h.LastReconciledDuration.Duration)
			s.Took = &d
		}
		return s
	}
	switch {
	case k.Status.LastAppliedRevision != rev && k.Spec.Suspend:
		s.Note = fmt.Sprintf("it has not applied %s: it is suspended%s", rev, suspensionText(s.settings.suspendedNow))
	case k.Status.LastAppliedRevision != rev:
		s.Note = fmt.Sprintf("it has not applied %s (it applied %s)", rev, orNone(k.Status.LastAppliedRevision))
	default:
		s.What = Unchanged
		s.Note = "applied it without a change to its objects (its history keeps the revision that last changed them)"
	}
	return s
}

// helmReleaseStep is when the HelmRelease's latest release was first deployed.
func (b *builder) helmReleaseStep(ctx context.Context, l Link) Step {
	s := Step{Object: ref(l), Cluster: l.Cluster, What: Installed}
	u, err := b.get(ctx, l)
	if err != nil {
		s.Note = "cannot read it: " + err.Error()
		return s
	}
	history, _, _ := unstructured.NestedSlice(u.Object, "status", "history")
	if len(history) == 0 {
		s.Note = "it has no release history"
		return s
	}
	latest, _ := history[0].(map[string]any)
	at, _, _ := unstructured.NestedString(latest, "firstDeployed")
	if t, err := time.Parse(time.RFC3339, at); err == nil {
		s.At, s.From = &metav1.Time{Time: t.UTC()}, "status.history[0].firstDeployed"
	}
	return s
}

// ready is when the object itself became ready after the apply, as its conditions say:
// a Deployment's rollout finished (Progressing NewReplicaSetAvailable), else its Ready
// or Available condition's last transition to True.
func (b *builder) ready() {
	u := b.req.Object
	if u == nil {
		return
	}
	conds, _, _ := unstructured.NestedSlice(u.Object, "status", "conditions")
	var at time.Time
	from := ""
	for _, c := range conds {
		m, _ := c.(map[string]any)
		typ, _ := m["type"].(string)
		st, _ := m["status"].(string)
		reason, _ := m["reason"].(string)
		switch {
		case typ == "Progressing" && reason == "NewReplicaSetAvailable":
			if t, err := time.Parse(time.RFC3339, str(m["lastUpdateTime"])); err == nil {
				at, from = t, "status.conditions[Progressing].lastUpdateTime"
			}
		case (typ == "Ready" || typ == "Available") && st == "True" && from == "":
			if t, err := time.Parse(time.RFC3339, str(m["lastTransitionTime"])); err == nil {
				at, from = t, "status.conditions["+typ+"].lastTransitionTime"
			}
		}
	}
	if from == "" {
		return
	}
	b.tl.Steps = append(b.tl.Steps, Step{What: Ready, Cluster: b.req.ObjectCluster, At: &metav1.Time{Time: at.UTC()}, From: from,
		Object: output.ObjectRef{APIVersion: u.GetAPIVersion(), Kind: u.GetKind(), Namespace: u.GetNamespace(), Name: u.GetName()}})
}

func ref(l Link) output.ObjectRef {
	return output.ObjectRef{Kind: l.Kind, Namespace: l.Namespace, Name: l.Name}
}

func str(v any) string {
	s, _ := v.(string)
	return s
}

func orNone(s string) string {
	if s == "" {
		return "nothing yet"
	}
	return s
}

// suspensionText is ": REASON (by WHO)" of a suspension record, "" without one.
func suspensionText(s *status.Suspension) string {
	if s == nil || (s.Reason == "" && s.By == "") {
		return ""
	}
	out := ": " + s.Reason
	if s.By != "" {
		out += " (by " + s.By + ")"
	}
	return out
}

// receiverOf is the Receiver ("namespace/name") whose webhook triggers the source,
// "" when none does or Receivers cannot be read.
func (b *builder) receiverOf(ctx context.Context, src Link) string {
	dyn := b.req.Clients[src.Cluster]
	gvr, _ := flux.NotificationGVR(flux.KindReceiver)
	if dyn == nil {
		return ""
	}
	list, err := dyn.Resource(gvr).List(ctx, metav1.ListOptions{})
	if err != nil {
		return ""
	}
	ref := deps.SourceRef{Kind: src.Kind, Namespace: src.Namespace, Name: src.Name}
	for i := range list.Items {
		if r := deps.ReceiverOf(&list.Items[i]); r.Triggers(ref) {
			return r.Namespace + "/" + r.Name
		}
	}
	return ""
}
