package diff

import (
	"fmt"
	"maps"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strings"

	"github.com/fluxcd/pkg/runtime/transform"
	ssautil "github.com/fluxcd/pkg/ssa/utils"
	chartcommon "helm.sh/helm/v4/pkg/chart/common"
	chartutilcommon "helm.sh/helm/v4/pkg/chart/common/util"
	chartv2 "helm.sh/helm/v4/pkg/chart/v2"
	"helm.sh/helm/v4/pkg/chart/v2/loader"
	chartutil "helm.sh/helm/v4/pkg/chart/v2/util"
	"helm.sh/helm/v4/pkg/engine"
	releaseutil "helm.sh/helm/v4/pkg/release/v1/util"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/client-go/discovery"
)

// capabilities are the cluster's, as Helm's .Capabilities shows them to templates;
// the zero value is Helm's defaults (the cluster could not be asked).
type capabilities struct {
	KubeVersion string
	APIVersions []string
}

// capabilitiesOf asks the cluster's discovery, as Helm does when it installs: the
// server's version, and every group version and group version/kind it serves (Helm's
// action.GetVersionSet, read here from discovery itself: Helm's action package would
// bring its linter and release machinery into the binary's start-up).
func capabilitiesOf(dc discovery.DiscoveryInterface) (capabilities, error) {
	v, err := dc.ServerVersion()
	if err != nil {
		return capabilities{}, err
	}
	set, err := versionSet(dc)
	if err != nil {
		return capabilities{}, err
	}
	return capabilities{KubeVersion: v.GitVersion, APIVersions: set}, nil
}

// versionSet is what Helm's action.GetVersionSet answers: a group that failed
// discovery is left out (Helm warns of an orphaned API service and goes on), and a
// cluster that lists nothing gets Helm's defaults. It is sorted, so that a template
// ranging over .Capabilities.APIVersions renders the same twice.
func versionSet(dc discovery.ServerResourcesInterface) ([]string, error) {
	groups, resources, err := dc.ServerGroupsAndResources()
	if err != nil && !discovery.IsGroupDiscoveryFailedError(err) {
		return nil, fmt.Errorf("could not get apiVersions from Kubernetes: %w", err)
	}
	if len(groups) == 0 && len(resources) == 0 {
		return chartcommon.DefaultVersionSet, nil
	}
	seen := map[string]bool{}
	for _, g := range groups {
		for _, gv := range g.Versions {
			seen[gv.GroupVersion] = true
		}
	}
	for _, r := range resources {
		for _, res := range r.APIResources {
			seen[path.Join(r.GroupVersion, res.Kind)] = true
		}
	}
	return slices.Sorted(maps.Keys(seen)), nil
}

// chartRender is one chart to render as helm-controller's next upgrade would.
type chartRender struct {
	// Dir is the chart's folder; ValuesFiles (relative to Root, the source's root)
	// replace its values.yaml as source-controller's chart build does.
	Dir, Root string
	// Chart, when set, is a chart fetched from a Helm repository, in place of Dir;
	// its ValuesFiles are files of the chart.
	Chart       *chartv2.Chart
	ValuesFiles []string
	// IgnoreMissingValuesFiles leaves out a values file that does not exist.
	IgnoreMissingValuesFiles bool
	Values                   map[string]any
	Release                  releaseRef
	// Upgrade: a release is installed, the templates see .Release.IsUpgrade.
	Upgrade bool
	Caps    capabilities
}

// renderChart renders the chart as Helm's install action does in client-only dry-run
// (helm template): no request reaches the cluster, so a template's lookup finds
// nothing. Hooks and the crds/ folder are not part of the manifest, as in the
// release helm-controller stores.
func renderChart(r chartRender) ([]*unstructured.Unstructured, error) {
	ch := r.Chart
	read := func(f string) ([]byte, error) { return os.ReadFile(filepath.Join(r.Root, filepath.Clean("/"+f))) }
	if ch == nil {
		var err error
		if ch, err = loader.Load(r.Dir); err != nil {
			return nil, fmt.Errorf("loading the chart: %w", err)
		}
	} else {
		read = func(f string) ([]byte, error) { return chartFile(ch, f) }
	}
	if len(r.ValuesFiles) > 0 {
		merged := map[string]any{}
		for _, f := range r.ValuesFiles {
			b, err := read(f)
			if err != nil && r.IgnoreMissingValuesFiles {
				continue
			}
			if err != nil {
				return nil, fmt.Errorf("valuesFiles %s: %w", f, err)
			}
			v, err := chartcommon.ReadValues(b)
			if err != nil {
				return nil, fmt.Errorf("valuesFiles %s: %w", f, err)
			}
			merged = transform.MergeMaps(merged, v)
		}
		ch.Values = merged
	}
	manifest, err := renderManifest(ch, r.Values, r.Release, r.Upgrade, r.Caps)
	if err != nil {
		return nil, err
	}
	return ssautil.ReadObjects(strings.NewReader(manifest))
}

// renderManifest is the manifest of Helm's install action (Install.Run with
// DryRunStrategy client, no post-renderer) made of the same calls in the same order:
// the release name checked, dependencies processed (conditions, tags, import-values),
// capabilities of a client-only render, values coalesced and checked against the
// chart's values.schema.json, the chart's kubeVersion checked, templates rendered
// without a cluster, NOTES.txt left out, hooks split off and the rest sorted in
// install order. It does not call the action package itself: that package brings
// Helm's linter, whose start-up (govalidator's regular expressions) every command of
// the suite would pay. TestRenderManifestMatchesInstall holds the two equal.
func renderManifest(ch *chartv2.Chart, vals map[string]any, rel releaseRef, upgrade bool, c capabilities) (string, error) {
	if err := chartutil.ValidateReleaseName(rel.Name); err != nil {
		return "", fmt.Errorf("release name check failed: %w", fmt.Errorf("release name %q: %w", rel.Name, err))
	}
	if err := chartutil.ProcessDependencies(ch, vals); err != nil {
		return "", fmt.Errorf("chart dependencies processing failed: %w", err)
	}
	caps := chartcommon.DefaultCapabilities.Copy()
	if c.KubeVersion != "" {
		kv, err := chartcommon.ParseKubeVersion(c.KubeVersion)
		if err != nil {
			return "", err
		}
		caps.KubeVersion = *kv
	}
	caps.APIVersions = append(slices.Clone(caps.APIVersions), c.APIVersions...)
	options := chartcommon.ReleaseOptions{Name: rel.Name, Namespace: rel.Namespace, Revision: 1, IsInstall: !upgrade, IsUpgrade: upgrade}
	values, err := chartutilcommon.ToRenderValuesWithSchemaValidation(ch, vals, options, caps, false)
	if err != nil {
		return "", err
	}
	if ch.Metadata.KubeVersion != "" && !chartutil.IsCompatibleRange(ch.Metadata.KubeVersion, caps.KubeVersion.String()) {
		return "", fmt.Errorf("chart requires kubeVersion: %s which is incompatible with Kubernetes %s", ch.Metadata.KubeVersion, caps.KubeVersion.Version)
	}
	var e engine.Engine
	files, err := e.Render(ch, values)
	if err != nil {
		return "", err
	}
	for name := range files {
		if strings.HasSuffix(name, "NOTES.txt") {
			delete(files, name)
		}
	}
	_, manifests, err := releaseutil.SortManifests(files, nil, releaseutil.InstallOrder)
	if err != nil {
		return "", err
	}
	var b strings.Builder
	for _, m := range manifests {
		fmt.Fprintf(&b, "---\n# Source: %s\n%s\n", m.Name, m.Content)
	}
	return b.String(), nil
}

// chartFile is the file name of a chart fetched from a repository.
func chartFile(ch *chartv2.Chart, name string) ([]byte, error) {
	name = strings.TrimPrefix(filepath.ToSlash(filepath.Clean("/"+name)), "/")
	for _, f := range ch.Raw {
		if f.Name == name {
			return f.Data, nil
		}
	}
	return nil, fmt.Errorf("no file %s in chart %s", name, ch.Name())
}
