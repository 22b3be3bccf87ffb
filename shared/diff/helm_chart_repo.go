package diff

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/Masterminds/semver/v3"
	helmv2 "github.com/fluxcd/helm-controller/api/v2"
	chartv2 "helm.sh/helm/v4/pkg/chart/v2"
	"helm.sh/helm/v4/pkg/chart/v2/loader"
	"helm.sh/helm/v4/pkg/getter"
	"helm.sh/helm/v4/pkg/registry"
	repo "helm.sh/helm/v4/pkg/repo/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"

	"github.com/kubectl-gitops/kubectl-gitops/shared/exitcode"
	"github.com/kubectl-gitops/kubectl-gitops/shared/flux"
	"github.com/kubectl-gitops/kubectl-gitops/shared/redact"
)

// repoTimeout bounds each request to a chart repository, as the Git fetch is bounded.
const repoTimeout = 2 * time.Minute

// repoChart fetches chart name at version (an exact version or a constraint; ""
// is the latest) from a Helm repository at url with Helm's own getters: an HTTP
// repository's index.yaml, then the archive it points at; an oci:// registry's tags,
// then the chart pulled, with your own registry credentials (Docker's config, as the
// helm command reads them), never the cluster's. It returns the chart loaded and the
// version fetched.
func repoChart(url, name, version string) (*chartv2.Chart, string, error) {
	archive, got, err := repoArchive(url, name, version)
	if err != nil {
		return nil, "", err
	}
	ch, err := loader.LoadArchive(bytes.NewReader(archive))
	return ch, got, err
}

// repoArchive fetches what repoChart loads: the chart's packaged archive, kept as
// bytes so that one fetch serves several renders (a render changes the chart it is
// given: each loads its own).
func repoArchive(url, name, version string) ([]byte, string, error) {
	if registry.IsOCI(url) {
		return ociArchive(url, name, version)
	}
	g, err := getter.NewHTTPGetter(getter.WithTimeout(repoTimeout))
	if err != nil {
		return nil, "", err
	}
	base := strings.TrimSuffix(url, "/")
	buf, err := g.Get(base + "/index.yaml")
	if err != nil {
		return nil, "", fmt.Errorf("reading the index of %s: %w", url, err)
	}
	tmp, err := os.MkdirTemp("", "gitops-diff-index-")
	if err != nil {
		return nil, "", err
	}
	defer os.RemoveAll(tmp)
	path := filepath.Join(tmp, "index.yaml")
	if err := os.WriteFile(path, buf.Bytes(), 0o600); err != nil {
		return nil, "", err
	}
	index, err := repo.LoadIndexFile(path)
	if err != nil {
		return nil, "", fmt.Errorf("the index of %s: %w", url, err)
	}
	cv, err := index.Get(name, version)
	if err != nil {
		return nil, "", fmt.Errorf("chart %s version %q in %s: %w", name, orAny(version), url, err)
	}
	if len(cv.URLs) == 0 {
		return nil, "", fmt.Errorf("chart %s %s in %s has no URL", name, cv.Version, url)
	}
	chartURL, err := repo.ResolveReferenceURL(base+"/", cv.URLs[0])
	if err != nil {
		return nil, "", err
	}
	archive, err := g.Get(chartURL)
	if err != nil {
		return nil, "", fmt.Errorf("downloading chart %s %s: %w", name, cv.Version, err)
	}
	return archive.Bytes(), cv.Version, nil
}

// ociArchive pulls name from the registry url at the highest tag matching version,
// with Helm's registry client and the user's registry credentials (opts: tests give
// the client of a registry on loopback).
func ociArchive(url, name, version string, opts ...registry.ClientOption) ([]byte, string, error) {
	client, err := registry.NewClient(opts...)
	if err != nil {
		return nil, "", err
	}
	ref := strings.TrimPrefix(strings.TrimSuffix(url, "/"), registry.OCIScheme+"://") + "/" + name
	tag := version
	if _, err := semver.StrictNewVersion(strings.TrimPrefix(version, "v")); err != nil {
		tags, err := client.Tags(ref)
		if err != nil {
			return nil, "", fmt.Errorf("listing the tags of %s: %w", ref, err)
		}
		if tag, err = highest(tags, version); err != nil {
			return nil, "", fmt.Errorf("chart %s: %w", ref, err)
		}
	}
	result, err := client.Pull(ref + ":" + tag)
	if err != nil {
		return nil, "", fmt.Errorf("pulling %s:%s: %w", ref, tag, err)
	}
	return result.Chart.Data, tag, nil
}

// highest is the highest of tags (semantic versions) that constraint allows.
func highest(tags []string, constraint string) (string, error) {
	c, err := semver.NewConstraint(orAny(constraint))
	if err != nil {
		return "", err
	}
	var best *semver.Version
	bestTag := ""
	for _, t := range tags {
		v, err := semver.NewVersion(t)
		if err != nil || !c.Check(v) {
			continue
		}
		if best == nil || v.GreaterThan(best) {
			best, bestTag = v, t
		}
	}
	if best == nil {
		return "", fmt.Errorf("no tag matches version %q", orAny(constraint))
	}
	return bestTag, nil
}

func orAny(version string) string {
	if version == "" {
		return "*"
	}
	return version
}

// fromRepository fetches the chart of the HelmRepository src for hr: the version
// the HelmChart resolved last (status.artifact.revision) while its spec asks for
// what the HelmRelease asks for now, else spec.chart.spec.version resolved against
// the repository. What cannot be fetched is a SkipError, one line.
func (c *chartSource) fromRepository(ctx context.Context, cl Clients, hr *helmv2.HelmRelease, src *unstructured.Unstructured, opts Options) error {
	spec := hr.Spec.Chart.Spec
	who := fmt.Sprintf("HelmRelease %s/%s", hr.Namespace, hr.Name)
	switch {
	case opts.GitDir != "":
		return skip(exitcode.Usage, "--git-dir reads Git commits, but %s installs chart %s from %s: leave --git-dir out (the chart is fetched from the repository), or pass --dir", who, spec.Chart, c.Source)
	case opts.Revision != "":
		return skip(exitcode.Usage, "--revision names a Git commit, but %s installs chart %s from %s: compare what the repository serves (no --revision) or the drift (--revision applied)", who, spec.Chart, c.Source)
	}
	url, _, _ := unstructured.NestedString(src.Object, "spec", "url")
	version := spec.Version
	hc, err := flux.Get(ctx, cl.Dynamic, flux.KindHelmChart, src.GetNamespace(), hr.GetHelmChartName())
	if err == nil {
		chart, _, _ := unstructured.NestedString(hc.Object, "spec", "chart")
		want, _, _ := unstructured.NestedString(hc.Object, "spec", "version")
		resolved, _, _ := unstructured.NestedString(hc.Object, "status", "artifact", "revision")
		if chart == spec.Chart && orAny(want) == orAny(spec.Version) && resolved != "" {
			version = resolved
		}
	}
	ch, got, err := repoChart(url, spec.Chart, version)
	if err != nil {
		why := redact.Text(err.Error())
		if name, _, _ := unstructured.NestedString(src.Object, "spec", "secretRef", "name"); name != "" {
			why += fmt.Sprintf(" (the repository's credentials, Secret %s/%s, are not read: Helm's own are used)", src.GetNamespace(), name)
		}
		return skip(exitcode.Failure, "cannot fetch chart %s %s from %s (%s): %s", spec.Chart, orAny(version), c.Source, redact.URL(url), why)
	}
	c.Chart, c.Revision, c.From = ch, got, "source"
	c.Notes = append(c.Notes, fmt.Sprintf("fetched chart %s %s from %s with Helm's getter", spec.Chart, got, redact.URL(url)))
	return nil
}
