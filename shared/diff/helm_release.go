package diff

import (
	"context"
	"fmt"
	"path/filepath"

	helmv2 "github.com/fluxcd/helm-controller/api/v2"
	"github.com/fluxcd/pkg/ssa"
	chartv2 "helm.sh/helm/v4/pkg/chart/v2"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/client-go/discovery"
	"k8s.io/client-go/dynamic"
	"k8s.io/client-go/kubernetes"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/kubectl-gitops/kubectl-gitops/shared/exitcode"
	"github.com/kubectl-gitops/kubectl-gitops/shared/flux"
	"github.com/kubectl-gitops/kubectl-gitops/shared/render"
	"github.com/kubectl-gitops/kubectl-gitops/shared/revision"
)

// HelmRelease is what one HelmRelease's next reconcile would do, as helm-controller
// v1.6.4 (Helm v4.2.4) would: the objects of the chart rendered with its values,
// compared with the live ones under helm-controller's field manager, each changed
// field drift (the live object differs from the release installed last) or pending
// (the chart or values changed since); objects of the installed release no longer
// rendered are removed.
type HelmRelease struct {
	Name      string `json:"name"`
	Namespace string `json:"namespace"`
	// Release is the Helm release, "namespace/name", and ReleaseVersion the deployed
	// version read from Helm's storage (0: none is deployed).
	Release        string `json:"release"`
	ReleaseVersion int    `json:"releaseVersion,omitempty"`
	// Chart is the chart of the deployed release, "name@version".
	Chart string `json:"chart,omitempty"`
	// Source is where the chart compared comes from ("Kind namespace/name"), and
	// Revision the source's revision; empty with --revision applied.
	Source   string `json:"source,omitempty"`
	Revision string `json:"revision,omitempty"`
	// RevisionFrom: "source" (what the source holds now), "flag" (--revision SHA),
	// "dir" (--dir), "applied" (the deployed release alone: drift only) or "history"
	// (two releases of its history, Revision "N..M"; ReleaseVersion is M).
	RevisionFrom string   `json:"revisionFrom"`
	Summary      Summary  `json:"summary"`
	Objects      []Object `json:"objects"`
	// Values is, with --history, the unified diff of the values the two releases were
	// installed with (values that may have come from Secrets masked).
	Values string   `json:"values,omitempty"`
	Notes  []string `json:"notes,omitempty"`
	// Error is why the chart could not be rendered.
	Error string `json:"error,omitempty"`
	// Skipped is why this HelmRelease was not compared.
	Skipped string `json:"skipped,omitempty"`
}

// Clients are the cluster's clients a comparison reads with.
type Clients struct {
	Dynamic dynamic.Interface
	// Client dry-runs, as the user (NewClient).
	Client client.Client
	// Kube reads Helm's storage Secrets with Helm's driver.
	Kube kubernetes.Interface
	// Discovery gives the templates the cluster's capabilities; nil: Helm's defaults.
	Discovery discovery.DiscoveryInterface
}

// helmDiffOptions are the DiffOptions of helm-controller's drift detection: objects
// labelled or annotated driftDetection: disabled are left alone, and
// spec.driftDetection.ignore rules are not compared.
func helmDiffOptions(hr *helmv2.HelmRelease) ssa.DiffOptions {
	opts := ssa.DiffOptions{Exclusions: map[string]string{helmv2.DriftDetectionMetadataKey: helmv2.DriftDetectionDisabledValue}}
	for _, rule := range hr.GetDriftDetection().Ignore {
		opts.DriftIgnoreRules = append(opts.DriftIgnoreRules, ignoreRule(rule.Paths, rule.Target))
	}
	return opts
}

// ForHelmRelease compares the HelmRelease namespace/name with the cluster: with
// --revision applied, the deployed release's objects (drift only); else the chart
// its source holds now, rendered with its values (drift and pending, and removed).
func ForHelmRelease(ctx context.Context, cl Clients, namespace, name string, opts Options) (*HelmRelease, error) {
	var hr helmv2.HelmRelease
	if err := flux.GetInto(ctx, cl.Dynamic, namespace, name, &hr); err != nil {
		return nil, err
	}
	if hr.Spec.KubeConfig != nil {
		return nil, skip(exitcode.Usage, "HelmRelease %s/%s installs into another cluster (spec.kubeConfig): compare it with --context of that cluster is not supported yet", namespace, name)
	}
	ref := releaseOf(&hr)
	out := &HelmRelease{Name: name, Namespace: namespace, Release: ref.Namespace + "/" + ref.Name, Objects: []Object{}}
	rls, err := deployedRelease(cl.Kube.CoreV1().Secrets(ref.StorageNamespace), ref.Name)
	if err != nil {
		return nil, fmt.Errorf("reading Helm release %s from its storage in namespace %s: %w", ref.Name, ref.StorageNamespace, err)
	}
	var stored []*unstructured.Unstructured
	if rls != nil {
		out.ReleaseVersion = rls.Version
		if rls.Chart != nil && rls.Chart.Metadata != nil {
			out.Chart = rls.Chart.Metadata.Name + "@" + rls.Chart.Metadata.Version
		}
		if stored, err = releaseObjects(rls.Manifest, ref, cl.Client.RESTMapper()); err != nil {
			return nil, err
		}
	}
	values, valuesErr := helmValues(ctx, clusterValues(cl.Client, hr.Namespace), &hr)
	var deployedConfig map[string]any
	if rls != nil {
		deployedConfig = rls.Config
	}
	secrets := values.masked(&hr, deployedConfig)
	req := objectsRequest{Client: cl.Client, Controller: helmController, Options: helmDiffOptions(&hr), Workers: opts.Workers,
		Baseline: fixedBaseline(stored)}

	if opts.Revision == RevisionApplied {
		if rls == nil {
			return nil, skip(exitcode.NotFound, "HelmRelease %s/%s has no deployed Helm release %s in namespace %s: no drift to compare", namespace, name, ref.Name, ref.StorageNamespace)
		}
		out.RevisionFrom = RevisionApplied
		req.Rendered = sensitive(stored, secrets)
		if out.Objects, err = compareObjects(ctx, req, stored); err != nil {
			return nil, err
		}
		out.count()
		return out, nil
	}

	chart, err := chartFor(ctx, cl, &hr, opts)
	if err != nil {
		return nil, err
	}
	defer chart.Close()
	out.Source, out.Revision, out.RevisionFrom, out.Notes = chart.Source, chart.Revision, chart.From, chart.Notes
	if valuesErr != nil {
		out.Error = valuesErr.Error()
		return out, nil
	}
	desired, err := renderRelease(&hr, chart, values.Values, ref, rls != nil, cl, out)
	if err != nil {
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		out.Error = mask(err.Error(), secrets)
		return out, nil
	}
	req.Rendered = sensitive(desired, secrets)
	if out.Objects, err = compareObjects(ctx, req, desired); err != nil {
		return nil, err
	}
	removed, err := removedObjects(ctx, cl.Client, stored, desired, secrets)
	if err != nil {
		return nil, err
	}
	out.Objects = append(out.Objects, removed...)
	if rls == nil {
		out.Notes = append(out.Notes, fmt.Sprintf("no Helm release %s is deployed (storage namespace %s): the next reconcile installs", ref.Name, ref.StorageNamespace))
	}
	out.count()
	return out, nil
}

// renderRelease renders chart with values as helm-controller's next upgrade (an
// install when nothing is deployed), with the cluster's capabilities when they can be
// read, post-rendered and prepared as the release's objects are; notes go to out.
func renderRelease(hr *helmv2.HelmRelease, chart *chartSource, values map[string]any, ref releaseRef, upgrade bool, cl Clients, out *HelmRelease) ([]*unstructured.Unstructured, error) {
	if hr.GetUpgrade().PreserveValues {
		out.Notes = append(out.Notes, "spec.upgrade.preserveValues: the upgrade also reuses the deployed release's values; rendered with the HelmRelease's own")
	}
	caps := capabilities{}
	if cl.Discovery != nil {
		var err error
		if caps, err = capabilitiesOf(cl.Discovery); err != nil {
			out.Notes = append(out.Notes, "the cluster's capabilities could not be read: rendered with Helm's defaults")
		}
	}
	desired, err := renderChart(chartRender{Dir: chart.Dir, Root: chart.Root, Chart: chart.Chart, ValuesFiles: hr.Spec.Chart.Spec.ValuesFiles,
		IgnoreMissingValuesFiles: hr.Spec.Chart.Spec.IgnoreMissingValuesFiles, Values: values, Release: ref, Upgrade: upgrade, Caps: caps})
	if err != nil {
		return nil, err
	}
	if desired, err = postRender(hr, desired); err != nil {
		return nil, err
	}
	return releaseObjects(manifestOf(desired), ref, cl.Client.RESTMapper())
}

func (h *HelmRelease) count() {
	for _, o := range h.Objects {
		h.Summary.add(o.Action)
	}
}

// fixedBaseline is the deployed release's objects as the Baseline that tells drift
// (the live object differs from what was installed) from pending. No release: every
// field is pending.
func fixedBaseline(stored []*unstructured.Unstructured) *Baseline {
	objects := map[string]*unstructured.Unstructured{}
	for _, o := range stored {
		objects[render.Key(o.GetKind(), o.GetNamespace(), o.GetName())] = o
	}
	return &Baseline{load: func() (map[string]*unstructured.Unstructured, string) { return objects, "" }}
}

// sensitive marks every object as holding values of valuesFrom Secrets: the chart
// may put them anywhere. No secrets: nothing is masked.
func sensitive(objects []*unstructured.Unstructured, secrets []string) *render.Result {
	r := &render.Result{Sensitive: map[string]bool{}, SecretValues: secrets}
	if len(secrets) == 0 {
		return r
	}
	for _, o := range objects {
		r.Sensitive[render.Key(o.GetKind(), o.GetNamespace(), o.GetName())] = true
	}
	return r
}

// manifestOf writes objects back as a manifest, for releaseObjects.
func manifestOf(objects []*unstructured.Unstructured) string {
	var b []byte
	for _, o := range objects {
		y, err := yamlOf(o)
		if err != nil {
			continue
		}
		b = append(b, "---\n"...)
		b = append(b, y...)
	}
	return string(b)
}

// chartSource is the chart folder (or the chart fetched from a Helm repository) to
// render and where it came from.
type chartSource struct {
	Dir, Root              string
	Chart                  *chartv2.Chart
	Source, Revision, From string
	Notes                  []string
	co                     *gitCheckout
}

// Close removes a fetched chart.
func (c *chartSource) Close() {
	if c != nil && c.co != nil {
		c.co.Close()
	}
}

// chartFor finds the chart helm-controller's next upgrade installs: spec.chart's
// HelmChart template, whose source is a GitRepository (fetched as a Kustomization's
// is, or read from --git-dir), a HelmRepository, or --dir. A chart that cannot be had
// is a SkipError: one line, never an empty render (which would read as everything
// removed). On error nothing is left behind.
func chartFor(ctx context.Context, cl Clients, hr *helmv2.HelmRelease, opts Options) (*chartSource, error) {
	c, err := findChart(ctx, cl, hr, opts)
	if err != nil {
		c.Close()
		return nil, err
	}
	return c, nil
}

func findChart(ctx context.Context, cl Clients, hr *helmv2.HelmRelease, opts Options) (*chartSource, error) {
	who := fmt.Sprintf("HelmRelease %s/%s", hr.Namespace, hr.Name)
	if hr.Spec.Chart == nil {
		return nil, skip(exitcode.Usage, "%s reads its chart through spec.chartRef: not supported yet; compare its drift with --revision applied", who)
	}
	spec := hr.Spec.Chart.Spec
	srcNS := flux.RefNamespace(spec.SourceRef.Namespace, hr.Namespace)
	out := &chartSource{Source: spec.SourceRef.Kind + " " + srcNS + "/" + spec.SourceRef.Name}
	if opts.Dir != "" {
		out.Root, out.From = opts.Dir, "dir"
		out.Dir = filepath.Join(opts.Dir, filepath.Clean("/"+spec.Chart))
		out.Notes = append(out.Notes, fmt.Sprintf("chart rendered from the folder %s as it is", out.Dir))
		return out, nil
	}
	if spec.SourceRef.Kind != flux.KindGitRepository && spec.SourceRef.Kind != flux.KindHelmRepository {
		return out, skip(exitcode.Usage, "%s installs chart %s from %s: only a chart in a GitRepository or a HelmRepository is fetched; pass --dir with the chart's source, or compare its drift with --revision applied", who, spec.Chart, out.Source)
	}
	src, err := flux.Get(ctx, cl.Dynamic, spec.SourceRef.Kind, srcNS, spec.SourceRef.Name)
	if err != nil {
		if exitcode.Of(err) == exitcode.NotFound {
			return out, &SkipError{Err: err}
		}
		return out, err
	}
	if spec.SourceRef.Kind == flux.KindHelmRepository {
		return out, out.fromRepository(ctx, cl, hr, src, opts)
	}
	rev, _, _ := unstructured.NestedString(src.Object, "status", "artifact", "revision")
	out.Revision, out.From = rev, "source"
	commit := ""
	switch {
	case opts.Revision != "":
		commit, out.Revision, out.From = opts.Revision, opts.Revision, "flag"
	case rev == "":
		return out, skip(exitcode.NotFound, "%s holds no artifact yet: no chart to compare (pass --revision SHA)", out.Source)
	default:
		commit = commitOf(rev)
		if commit == "" {
			return out, fmt.Errorf("revision %q of %s names no Git commit", rev, out.Source)
		}
	}
	co, err := checkout(ctx, opts.Fetch, src, who, out.Source, opts.GitDir, commit)
	if err != nil {
		return out, err
	}
	out.co = co
	if co.Note != "" {
		out.Notes = append(out.Notes, co.Note)
	}
	out.Root = co.Tree
	out.Dir = filepath.Join(co.Tree, filepath.Clean("/"+spec.Chart))
	return out, nil
}

// commitOf is the commit a Git revision (main@sha1:…) names; "" when none.
func commitOf(rev string) string {
	r, err := revision.Parse(rev)
	if err != nil {
		return ""
	}
	return r.Commit()
}
