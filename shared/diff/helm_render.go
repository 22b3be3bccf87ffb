package diff

import (
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strings"

	"github.com/fluxcd/pkg/runtime/transform"
	ssautil "github.com/fluxcd/pkg/ssa/utils"
	"helm.sh/helm/v4/pkg/action"
	chartcommon "helm.sh/helm/v4/pkg/chart/common"
	chartv2 "helm.sh/helm/v4/pkg/chart/v2"
	"helm.sh/helm/v4/pkg/chart/v2/loader"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/client-go/discovery"
)

// capabilities are the cluster's, as Helm's .Capabilities shows them to templates;
// the zero value is Helm's defaults (the cluster could not be asked).
type capabilities struct {
	KubeVersion string
	APIVersions []string
}

// capabilitiesOf asks the cluster's discovery, as Helm does when it installs.
func capabilitiesOf(dc discovery.DiscoveryInterface) (capabilities, error) {
	v, err := dc.ServerVersion()
	if err != nil {
		return capabilities{}, err
	}
	set, err := action.GetVersionSet(dc)
	if err != nil && !discovery.IsGroupDiscoveryFailedError(err) {
		return capabilities{}, err
	}
	return capabilities{KubeVersion: v.GitVersion, APIVersions: set}, nil
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

// renderChart renders the chart with Helm's install action in client-only dry-run
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
	cfg := action.NewConfiguration()
	// Helm logs its warnings with slog: this command's streams are its document and
	// one error line.
	cfg.SetLogger(slog.DiscardHandler)
	install := action.NewInstall(cfg)
	install.DryRunStrategy = action.DryRunClient
	install.ReleaseName = r.Release.Name
	install.Namespace = r.Release.Namespace
	install.IsUpgrade = r.Upgrade
	install.Replace = true
	if r.Caps.KubeVersion != "" {
		kv, err := chartcommon.ParseKubeVersion(r.Caps.KubeVersion)
		if err != nil {
			return nil, err
		}
		install.KubeVersion = kv
	}
	install.APIVersions = r.Caps.APIVersions
	rel, err := install.Run(ch, r.Values)
	if err != nil {
		return nil, err
	}
	v1, err := asV1(rel)
	if err != nil {
		return nil, err
	}
	return ssautil.ReadObjects(strings.NewReader(v1.Manifest))
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
