package diff

import (
	"bytes"
	"context"
	"encoding/base64"
	"fmt"
	"path/filepath"
	"strings"

	helmv2 "github.com/fluxcd/helm-controller/api/v2"
	"helm.sh/helm/v4/pkg/chart/v2/loader"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime"

	"github.com/kubectl-gitops/kubectl-gitops/shared/deps"
	"github.com/kubectl-gitops/kubectl-gitops/shared/deps/dir"
	"github.com/kubectl-gitops/kubectl-gitops/shared/flux"
	"github.com/kubectl-gitops/kubectl-gitops/shared/redact"
)

// The offline comparison renders each HelmRelease a cluster's walk found, at both
// sides, as helm-controller would install it: the chart of this repository (a
// GitRepository that is the repository Flux syncs the cluster from) as that side's
// tree holds it, or fetched from a HelmRepository (HTTP or OCI) with your own network
// access; its values composed from spec.values and the valuesFrom ConfigMaps and
// Secrets that side renders. What cannot be rendered says why, and its objects are
// never read as removed.

// releaseRender is one HelmRelease of one side rendered (or why not).
type releaseRender struct {
	// Kustomization applies the HelmRelease.
	Kustomization deps.NodeID
	Name          string
	Namespace     string
	// Chart is "name@version" of the chart rendered.
	Chart   string
	Objects []*unstructured.Unstructured
	// Secrets are the values its valuesFrom Secrets gave: masked wherever they show.
	Secrets []string
	// Why it was not rendered; "" when it was.
	Why   string
	Notes []string
	// File and Line are where it is written, relative paths left to the caller.
	File string
	Line int
}

// chartCache holds the charts fetched from Helm repositories in one run: each chart
// at each version asked is fetched once, whichever side or cluster asks again.
type chartCache struct {
	fetch   func(url, name, version string) ([]byte, string, error)
	entries map[string]*fetchedChart
}

type fetchedChart struct {
	archive []byte
	version string
	err     error
}

func newChartCache() *chartCache {
	return &chartCache{fetch: repoArchive, entries: map[string]*fetchedChart{}}
}

func (c *chartCache) get(url, name, version string) ([]byte, string, error) {
	key := url + "\x00" + name + "\x00" + version
	f, ok := c.entries[key]
	if !ok {
		f = &fetchedChart{}
		f.archive, f.version, f.err = c.fetch(url, name, version)
		c.entries[key] = f
	}
	return f.archive, f.version, f.err
}

// renderReleases renders every HelmRelease of side, keyed "namespace/name".
func renderReleases(ctx context.Context, side *Side, charts *chartCache) {
	side.releases = map[string]*releaseRender{}
	side.helmDone = true
	where := map[deps.NodeID]deps.Node{}
	for _, n := range side.Cluster.Nodes {
		if _, ok := where[n.ID()]; !ok {
			where[n.ID()] = n
		}
	}
	mapper := offlineScopes(side.Cluster.Rendered)
	side.index = indexObjects(side.Cluster.Rendered)
	for _, r := range side.Cluster.Rendered {
		for _, o := range r.Objects {
			if ctx.Err() != nil {
				return
			}
			if !holdsHelmRelease([]*unstructured.Unstructured{o}) {
				continue
			}
			ns := o.GetNamespace()
			if ns == "" {
				ns = dir.DefaultNamespace
			}
			rr := &releaseRender{Kustomization: r.Kustomization, Name: o.GetName(), Namespace: ns}
			if n, ok := where[deps.NodeID{Kind: deps.KindHelmRelease, Namespace: ns, Name: o.GetName()}]; ok {
				rr.File, rr.Line = n.File, n.Line
			}
			rr.render(ctx, side, o, charts, mapper)
			// The base is a temporary folder: named as the repository's top, so that
			// one reason reads the same at both sides.
			rr.Why = strings.ReplaceAll(rr.Why, side.Root, ".")
			side.releases[ns+"/"+o.GetName()] = rr
		}
	}
}

// render fills rr from the HelmRelease object u of side.
func (rr *releaseRender) render(ctx context.Context, side *Side, u *unstructured.Unstructured, charts *chartCache, mapper scopeMapper) {
	var hr helmv2.HelmRelease
	if err := runtime.DefaultUnstructuredConverter.FromUnstructured(u.Object, &hr); err != nil {
		rr.Why = "not read as a HelmRelease: " + err.Error()
		return
	}
	hr.Namespace = rr.Namespace
	if hr.Spec.Chart == nil {
		rr.Why = "its chart comes through spec.chartRef (an OCIRepository or HelmChart): not fetched offline"
		return
	}
	spec := hr.Spec.Chart.Spec
	srcNS := flux.RefNamespace(spec.SourceRef.Namespace, hr.Namespace)
	source := deps.SourceRef{Kind: spec.SourceRef.Kind, Namespace: srcNS, Name: spec.SourceRef.Name}
	cr := chartRender{ValuesFiles: spec.ValuesFiles, IgnoreMissingValuesFiles: spec.IgnoreMissingValuesFiles, Release: releaseOf(&hr)}
	switch spec.SourceRef.Kind {
	case flux.KindGitRepository:
		if source.Key() != side.Cluster.Source {
			rr.Why = fmt.Sprintf("its chart %s is in %s %s/%s, not this repository: not rendered", spec.Chart, source.Kind, source.Namespace, source.Name)
			return
		}
		cr.Root = side.Root
		cr.Dir = filepath.Join(side.Root, filepath.Clean("/"+spec.Chart))
	case flux.KindHelmRepository:
		repo := side.index.findObject("source.toolkit.fluxcd.io", flux.KindHelmRepository, srcNS, source.Name)
		if repo == nil {
			rr.Why = fmt.Sprintf("HelmRepository %s/%s is not in this repository: where chart %s comes from is unknown", srcNS, source.Name, spec.Chart)
			return
		}
		url, _, _ := unstructured.NestedString(repo.Object, "spec", "url")
		archive, _, err := charts.get(url, spec.Chart, spec.Version)
		if err != nil {
			rr.Why = fmt.Sprintf("cannot fetch chart %s %s from %s: %s", spec.Chart, orAny(spec.Version), redact.URL(url), redact.Text(err.Error()))
			if name, _, _ := unstructured.NestedString(repo.Object, "spec", "secretRef", "name"); name != "" {
				rr.Why += fmt.Sprintf(" (the repository's credentials, Secret %s/%s, are not read: Helm's own are used)", srcNS, name)
			}
			return
		}
		ch, err := loader.LoadArchive(bytes.NewReader(archive))
		if err != nil {
			rr.Why = fmt.Sprintf("chart %s from %s: %v", spec.Chart, redact.URL(url), err)
			return
		}
		cr.Chart = ch
	default:
		rr.Why = fmt.Sprintf("its chart %s comes from %s %s/%s: only a chart in this repository or a HelmRepository is rendered offline", spec.Chart, source.Kind, source.Namespace, source.Name)
		return
	}
	values, err := helmValues(ctx, renderedValues(side.index, hr.Namespace), &hr)
	rr.Secrets = values.Secrets
	if err != nil {
		rr.Why = "values: " + err.Error()
		return
	}
	cr.Values = values.Values
	objects, err := renderChart(cr)
	if err != nil {
		rr.Why = "rendering the chart: " + mask(err.Error(), rr.Secrets)
		return
	}
	if cr.Chart == nil {
		if ch, lerr := loader.Load(cr.Dir); lerr == nil && ch.Metadata != nil {
			rr.Chart = ch.Metadata.Name + "@" + ch.Metadata.Version
		}
	} else if cr.Chart.Metadata != nil {
		rr.Chart = cr.Chart.Metadata.Name + "@" + cr.Chart.Metadata.Version
	}
	if objects, err = postRender(&hr, objects); err != nil {
		rr.Why = mask(err.Error(), rr.Secrets)
		return
	}
	if rr.Objects, err = releaseObjects(manifestOf(objects), cr.Release, mapper); err != nil {
		rr.Why = mask(err.Error(), rr.Secrets)
		rr.Objects = nil
	}
}

// objectIndex is what a side renders, by group/kind namespace/name: each of its
// HelmReleases looks up its HelmRepository and valuesFrom there, and a scan of every
// object per lookup made a fleet of 300 HelmReleases spend a second in lookups.
type objectIndex map[string]*unstructured.Unstructured

func indexKey(group, kind, namespace, name string) string {
	return group + "/" + kind + "/" + namespace + "/" + name
}

// indexObjects indexes rendered; of several objects with one key, the first counts.
func indexObjects(rendered []dir.Rendered) objectIndex {
	idx := objectIndex{}
	for _, r := range rendered {
		for _, o := range r.Objects {
			ns := o.GetNamespace()
			if ns == "" {
				ns = dir.DefaultNamespace
			}
			g := ""
			if gv := o.GetAPIVersion(); strings.Contains(gv, "/") {
				g, _, _ = strings.Cut(gv, "/")
			}
			key := indexKey(g, o.GetKind(), ns, o.GetName())
			if _, dup := idx[key]; !dup {
				idx[key] = o
			}
		}
	}
	return idx
}

// findObject is the object group/kind namespace/name among what a side renders.
func (idx objectIndex) findObject(group, kind, namespace, name string) *unstructured.Unstructured {
	return idx[indexKey(group, kind, namespace, name)]
}

// renderedValues reads valuesFrom ConfigMaps and Secrets from what the side renders,
// in namespace. A Secret encrypted with SOPS is named as not read: its values are
// not known offline.
func renderedValues(rendered objectIndex, namespace string) valuesSource {
	return func(_ context.Context, kind, name string) (map[string][]byte, bool, error) {
		if kind != "ConfigMap" && kind != "Secret" {
			return nil, false, fmt.Errorf("valuesFrom kind %q is not ConfigMap or Secret", kind)
		}
		o := rendered.findObject("", kind, namespace, name)
		if o == nil {
			return nil, false, nil // composeValues says so, unless it is optional
		}
		if _, encrypted := o.Object["sops"]; encrypted {
			return nil, false, fmt.Errorf("encrypted with SOPS: not read offline")
		}
		data := map[string][]byte{}
		raw, _, _ := unstructured.NestedStringMap(o.Object, "data")
		for k, v := range raw {
			if kind == "Secret" {
				b, err := base64.StdEncoding.DecodeString(v)
				if err != nil {
					return nil, false, fmt.Errorf("key %s is not base64", k)
				}
				v = string(b)
			}
			data[k] = []byte(v)
		}
		if kind == "Secret" {
			plain, _, _ := unstructured.NestedStringMap(o.Object, "stringData")
			for k, v := range plain {
				data[k] = []byte(v)
			}
		}
		return data, true, nil
	}
}
