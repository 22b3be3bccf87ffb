package trace

import (
	"context"
	"fmt"
	"strings"

	helmv2 "github.com/fluxcd/helm-controller/api/v2"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"

	"github.com/kubectl-gitops/kubectl-gitops/shared/exitcode"
	"github.com/kubectl-gitops/kubectl-gitops/shared/flux"
	"github.com/kubectl-gitops/kubectl-gitops/shared/history"
	"github.com/kubectl-gitops/kubectl-gitops/shared/output"
	"github.com/kubectl-gitops/kubectl-gitops/shared/revision"
	"github.com/kubectl-gitops/kubectl-gitops/shared/status"
)

// isHelmManaged reports whether helm-controller's labels or Helm's release annotations
// are on the object, or it is the storage of a Helm release.
func isHelmManaged(u *unstructured.Unstructured) bool {
	if _, ok := u.GetLabels()[flux.HelmNameLabel]; ok {
		return true
	}
	if _, ok := helmStorage(u); ok {
		return true
	}
	_, ok := u.GetAnnotations()[flux.HelmReleaseNameAnno]
	return ok
}

// helmDeployed is the status of a Helm release that Helm installed and did not replace.
const helmDeployed = "deployed"

// Helm's storage of a release: a Secret of this type, labelled owner=helm and
// name=<release>, in the release's storage namespace (sh.helm.release.v1.NAME.vN).
const (
	helmStorageType  = "helm.sh/release.v1"
	helmStorageOwner = "helm"
)

// helmStorage returns the release name of a Helm storage Secret. Only its type and
// labels are read, never its data.
func helmStorage(u *unstructured.Unstructured) (string, bool) {
	if u.GetAPIVersion() != "v1" || u.GetKind() != "Secret" {
		return "", false
	}
	typ, _, _ := unstructured.NestedString(u.Object, "type")
	l := u.GetLabels()
	if typ != helmStorageType || l["owner"] != helmStorageOwner || l["name"] == "" {
		return "", false
	}
	return l["name"], true
}

// storageNamespace is where helm-controller keeps a HelmRelease's Helm storage: the
// namespace recorded in its status, else the one its spec asks for (storageNamespace,
// defaulting to the HelmRelease's own namespace).
func storageNamespace(hr *helmv2.HelmRelease) string {
	if hr.Status.StorageNamespace != "" {
		return hr.Status.StorageNamespace
	}
	return hr.GetStorageNamespace()
}

// releaseName is the Helm release a HelmRelease manages: its latest release's name,
// else the one its spec gives (releaseName, defaulting to [targetNamespace-]name).
func releaseName(hr *helmv2.HelmRelease) string {
	if l := hr.Status.History.Latest(); l != nil && l.Name != "" {
		return l.Name
	}
	return hr.GetReleaseName()
}

// walkHelmRelease adds the HelmRelease that rendered obj, its HelmChart and the chart's
// source, and returns the HelmRelease so the walk can go on to the Kustomization that
// applied it.
func (t *Tracer) walkHelmRelease(ctx context.Context, r *Report, obj *unstructured.Unstructured) (*unstructured.Unstructured, bool) {
	ns, name, via := obj.GetLabels()[flux.HelmNamespaceLabel], obj.GetLabels()[flux.HelmNameLabel], "helm labels"
	if name == "" {
		// Only Helm's annotations: the release is usually named after the HelmRelease
		// and installed into its namespace; targetNamespace or releaseName break that,
		// and then the HelmRelease whose latest release matches is looked up.
		ns, name, via = obj.GetAnnotations()[flux.HelmReleaseNamespaceAnno], obj.GetAnnotations()[flux.HelmReleaseNameAnno], "helm annotations"
	}
	if ns == "" {
		ns = obj.GetNamespace()
	}
	ref := output.ObjectRef{APIVersion: helmv2.GroupVersion.String(), Kind: flux.KindHelmRelease, Namespace: ns, Name: name}
	var u *unstructured.Unstructured
	var err error
	if release, ok := helmStorage(obj); ok {
		// Helm's storage Secret of a release: the HelmRelease whose storage namespace
		// and release name match.
		ns, name, via = obj.GetNamespace(), release, "helm storage"
		ref.Namespace, ref.Name = ns, name
		u, err = t.findStorageOwner(ctx, ns, release, r.Hops[0].Cluster != t.cluster)
	} else {
		u, err = t.getFlux(ctx, flux.KindHelmRelease, ns, name)
		if err != nil && via == "helm annotations" && exitcode.Of(err) == exitcode.NotFound {
			u, err = t.findReleaseOwner(ctx, ns, name)
		}
	}
	if err != nil {
		if via != "helm labels" && exitcode.Of(err) == exitcode.NotFound {
			what, verdict := "installed by", fmt.Sprintf("%s was installed by Helm release %s/%s, not by Flux", r.Object, ns, name)
			if via == "helm storage" {
				what, verdict = "the storage of", fmt.Sprintf("%s is the storage of Helm release %s/%s, which no HelmRelease manages: not Flux's", r.Object, ns, name)
			}
			r.Hops[len(r.Hops)-1].Notes = append(r.Hops[len(r.Hops)-1].Notes,
				fmt.Sprintf("%s Helm release %s/%s, which no HelmRelease manages", what, ns, name))
			r.fail(ResultNotManaged, verdict)
			return nil, false
		}
		r.addErrorHop(RoleHelmRelease, ref, via, err)
		return nil, false
	}
	var hr helmv2.HelmRelease
	if err := flux.FromUnstructured(u, &hr); err != nil {
		r.addErrorHop(RoleHelmRelease, ref, via, err)
		return nil, false
	}
	if via == "helm storage" {
		last := &r.Hops[len(r.Hops)-1]
		note := fmt.Sprintf("Helm's record of release %s/%s, revision %s (its data is not shown)", ns, name, obj.GetLabels()["version"])
		if l := hr.Status.History.Latest(); l != nil && fmt.Sprint(l.Version) != obj.GetLabels()["version"] {
			note += fmt.Sprintf("; the release is at revision %d now", l.Version)
		}
		last.Notes = append(last.Notes, note)
	}
	hop := helmReleaseHop(u, &hr)
	hop.Via = via
	n := len(r.Hops)
	r.Hops = append(r.Hops, hop)
	t.walkChart(ctx, r, &hr)
	if r.Commit == nil {
		r.Commit = helmCommit(&hr, r.Hops[n:])
		t.explainBlocked(ctx, r.Commit)
	}
	return u, true
}

// helmCommit states what a HelmRelease installed, the revision the objects it rendered
// came from: the chart of its latest Helm release and, for a chart built from Git
// (reconcileStrategy Revision puts the commit in the version, 0.1.0+1a2b3c4d5e6f), that
// commit, in full when the HelmChart still holds a build of it. The Kustomization that
// applied the HelmRelease may be behind (blocked, failed): its commit is not the one
// the chart came from. hops are the HelmRelease's hop and those walkChart added.
func helmCommit(hr *helmv2.HelmRelease, hops []Hop) *Commit {
	c := &Commit{By: output.ObjectRef{APIVersion: helmv2.GroupVersion.String(), Kind: flux.KindHelmRelease, Namespace: hr.Namespace, Name: hr.Name}}
	latest := hr.Status.History.Latest() // sorts the history, newest first
	// The installed chart is the newest release Helm deployed: a failed upgrade is
	// what was attempted, not what runs.
	entries := history.NewHelmRelease(hr).Entries
	for i, e := range entries {
		if e.Status == helmDeployed || i == len(entries)-1 {
			c.Chart, c.ChartVersion, c.SHA = e.Chart.Name, e.Chart.Version, e.SHA
			break
		}
	}
	// The HelmChart's source revision names the commit in full when it is the one the
	// installed version carries.
	var chart *Hop
	for i := range hops {
		if hops[i].Role == RoleHelmChart {
			chart = &hops[i]
		}
	}
	if chart != nil && c.SHA != "" {
		if rev, err := revision.Parse(chart.Revision); err == nil && strings.HasPrefix(rev.Commit(), c.SHA) {
			c.Applied, c.SHA = chart.Revision, rev.Commit()
		}
	}
	if hr.Status.LastAttemptedRevision != "" && hr.Status.LastAttemptedRevision != c.ChartVersion {
		c.Attempted = hr.Status.LastAttemptedRevision
	}
	st := status.FromConditions(hr.Status.Conditions, hr.Generation, hr.Status.ObservedGeneration, hr.Spec.Suspend)
	known, current := false, false
	switch {
	case chart != nil:
		// spec.chart: the HelmChart's artifact is the chart version helm-controller
		// installs next.
		c.Source = chart.ChartVersion
		known, current = c.Source != "", c.Source == c.ChartVersion
	case hr.Spec.ChartRef != nil:
		// chartRef: helm-controller records the version it attempted last.
		c.Source = hr.Status.LastAttemptedRevision
		known, current = c.Source != "", c.Source == c.ChartVersion && st.ReadyAtGeneration()
	}
	if latest == nil {
		known, current = true, false
	}
	judge(c, known, current, st, "the HelmRelease", "the HelmChart holds a chart version that Flux has not installed yet")
	if latest == nil && c.Status == CommitApplying {
		c.Reason = "no Helm release installed yet"
		if st.Ready.Message != "" {
			c.Reason += ": " + st.Ready.Message
		}
	}
	return c
}

// helmReleaseHop is the hop of a HelmRelease: its health and the chart of its latest
// Helm release.
func helmReleaseHop(u *unstructured.Unstructured, hr *helmv2.HelmRelease) Hop {
	hop := Hop{Role: RoleHelmRelease, Ref: refOf(u), Health: health(u)}
	if latest := hr.Status.History.Latest(); latest != nil {
		hop.Chart, hop.ChartVersion, hop.ReleaseName = latest.ChartName, latest.ChartVersion, latest.Namespace+"/"+latest.Name
	}
	hop.LastAppliedRevision = hr.Status.LastAttemptedRevision
	return hop
}

// findReleaseOwner lists HelmReleases and returns the one whose latest release is
// namespace/name.
func (t *Tracer) findReleaseOwner(ctx context.Context, namespace, name string) (*unstructured.Unstructured, error) {
	var found *unstructured.Unstructured
	err := flux.List(ctx, t.dyn, flux.KindHelmRelease, "", func(u *unstructured.Unstructured) error {
		var hr helmv2.HelmRelease
		if flux.FromUnstructured(u, &hr) != nil {
			return nil
		}
		if l := hr.Status.History.Latest(); l != nil && l.Name == name && l.Namespace == namespace {
			found = u.DeepCopy()
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	if found == nil {
		return nil, exitcode.New(exitcode.NotFound, "no HelmRelease manages Helm release %s/%s", namespace, name)
	}
	return found, nil
}

// findStorageOwner lists HelmReleases and returns the one that keeps Helm release
// release in namespace, as helm-controller does: its storage namespace and release
// name. For storage in this cluster (remote false) one that applies to its own cluster
// wins over one with a spec.kubeConfig, whose storage is in another cluster; for
// storage in another cluster (remote), the other way round.
func (t *Tracer) findStorageOwner(ctx context.Context, namespace, release string, remote bool) (*unstructured.Unstructured, error) {
	var found *unstructured.Unstructured
	preferred := false
	err := flux.List(ctx, t.dyn, flux.KindHelmRelease, "", func(u *unstructured.Unstructured) error {
		var hr helmv2.HelmRelease
		if flux.FromUnstructured(u, &hr) != nil || storageNamespace(&hr) != namespace || releaseName(&hr) != release {
			return nil
		}
		if is := (hr.Spec.KubeConfig != nil) == remote; found == nil || (!preferred && is) {
			found, preferred = u.DeepCopy(), is
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	if found == nil {
		return nil, exitcode.New(exitcode.NotFound, "no HelmRelease keeps Helm release %s in namespace %s", release, namespace)
	}
	return found, nil
}

// walkChart adds the HelmChart (for spec.chart) or the chartRef source, then the
// chart's source.
func (t *Tracer) walkChart(ctx context.Context, r *Report, hr *helmv2.HelmRelease) {
	if hr.Spec.ChartRef != nil {
		ns := flux.RefNamespace(hr.Spec.ChartRef.Namespace, hr.Namespace)
		t.addSource(ctx, r, RoleChartSource, hr.Spec.ChartRef.Kind, ns, hr.Spec.ChartRef.Name, "chartRef")
		return
	}
	if hr.Status.HelmChart == "" {
		r.Hops[len(r.Hops)-1].Notes = append(r.Hops[len(r.Hops)-1].Notes, "no HelmChart recorded in status yet")
		return
	}
	ns, name, ok := strings.Cut(hr.Status.HelmChart, "/")
	if !ok {
		ns, name = hr.Namespace, hr.Status.HelmChart
	}
	ref := *fluxRef(flux.KindHelmChart, ns, name)
	u, err := t.getFlux(ctx, flux.KindHelmChart, ns, name)
	if err != nil {
		r.addErrorHop(RoleHelmChart, ref, "status.helmChart", err)
		return
	}
	hop := Hop{Role: RoleHelmChart, Ref: refOf(u), Via: "status.helmChart", Health: health(u)}
	hop.Chart, _, _ = unstructured.NestedString(u.Object, "spec", "chart")
	hop.ChartVersion, _, _ = unstructured.NestedString(u.Object, "status", "artifact", "revision")
	hop.Revision, _, _ = unstructured.NestedString(u.Object, "status", "observedSourceArtifactRevision")
	kind, _, _ := unstructured.NestedString(u.Object, "spec", "sourceRef", "kind")
	srcName, _, _ := unstructured.NestedString(u.Object, "spec", "sourceRef", "name")
	hop.SourceRef = fluxRef(kind, ns, srcName)
	r.Hops = append(r.Hops, hop)
	if kind != "" && srcName != "" {
		t.addSource(ctx, r, RoleChartSource, kind, ns, srcName, "sourceRef")
	}
}
