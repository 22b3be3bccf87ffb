package diff

import (
	"slices"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"

	"github.com/kubectl-gitops/kubectl-gitops/shared/deps"
	"github.com/kubectl-gitops/kubectl-gitops/shared/deps/dir"
)

// NotRendered is the change of a HelmRelease whose chart could not be rendered at a
// side: what it installs is unknown there, never read as removed.
const NotRendered Change = "not rendered"

// HelmReleaseChange is what one HelmRelease's chart installs differently from the
// base to the head, listed under the Kustomization that applies it.
type HelmReleaseChange struct {
	Name      string `json:"name"`
	Namespace string `json:"namespace"`
	// BaseChart and HeadChart are the charts rendered, "name@version".
	BaseChart string `json:"baseChart,omitempty"`
	HeadChart string `json:"headChart,omitempty"`
	// File and Line are where it is written, relative to --dir.
	File string `json:"file,omitempty"`
	Line int    `json:"line,omitempty"`
	// Change is added, removed, changed, unchanged, or not rendered (Why says why).
	Change  Change         `json:"change"`
	Summary ObjectSummary  `json:"summary"`
	Objects []ObjectChange `json:"objects"`
	Why     string         `json:"why,omitempty"`
	Notes   []string       `json:"notes,omitempty"`
	// differs: not rendered at one side for a reason the other side has not (a chart
	// that renders at the base and fails at the head): a change, not only a note.
	differs bool
}

// releasesOf are the HelmReleases id applies at a side, by "namespace/name".
func releasesOf(side *Side, id deps.NodeID) map[string]*releaseRender {
	out := map[string]*releaseRender{}
	if side == nil {
		return out
	}
	for key, r := range side.releases {
		if r.Kustomization == id {
			out[key] = r
		}
	}
	return out
}

// releaseSecrets are the values every HelmRelease of a side took from Secrets, long
// enough to mask without masking unrelated text.
func releaseSecrets(side *Side) []string {
	var out []string
	if side == nil {
		return out
	}
	for _, r := range side.releases {
		for _, s := range r.Secrets {
			if len(s) >= minMasked {
				out = append(out, s)
			}
		}
	}
	return out
}

// compareCharts compares the charts of the HelmReleases Kustomization id applies at
// the base and the head, sorted by namespace/name. Those unchanged are left out, and
// so are those of the base when the head's build failed (headFailed): not rendered is
// not removed.
func compareCharts(id deps.NodeID, base, head *Side, headFailed bool, secrets []string) []HelmReleaseChange {
	before, after := releasesOf(base, id), releasesOf(head, id)
	keys := []string{}
	for k := range after {
		keys = append(keys, k)
	}
	for k := range before {
		if _, ok := after[k]; !ok {
			keys = append(keys, k)
		}
	}
	slices.Sort(keys)
	var out []HelmReleaseChange
	for _, key := range keys {
		b, h := before[key], after[key]
		if h == nil && headFailed {
			continue
		}
		hc := compareRelease(b, h, secrets)
		if hc.Change == Same {
			continue
		}
		if h != nil && head != nil {
			hc.File = relFile(head.Root, h.File)
		} else if b != nil && base != nil {
			hc.File = relFile(base.Root, b.File)
		}
		out = append(out, hc)
	}
	return out
}

// compareRelease compares one HelmRelease's render at the base (nil: the base has
// none) with the head's (nil: the head has none).
func compareRelease(b, h *releaseRender, secrets []string) HelmReleaseChange {
	r := h
	if r == nil {
		r = b
	}
	hc := HelmReleaseChange{Name: r.Name, Namespace: r.Namespace, Line: r.Line, Objects: []ObjectChange{}, Notes: r.Notes}
	if b != nil {
		hc.BaseChart = b.Chart
	}
	if h != nil {
		hc.HeadChart = h.Chart
	}
	switch {
	case h != nil && h.Why != "":
		hc.Change, hc.Why = NotRendered, "at the head: "+h.Why
		hc.differs = b != nil && b.Why != h.Why
		return hc
	case b != nil && b.Why != "" && h != nil:
		// Rendered at the head alone: what it installed before is unknown, so its
		// objects are not new; nothing is compared.
		hc.Change, hc.Why, hc.differs = NotRendered, "at the base: "+b.Why, true
		return hc
	case b != nil && b.Why != "":
		// Removed, and not rendered at the base: what it installed is unknown, so no
		// object is counted (text: "removed", then "not rendered: at the base: …").
		hc.Change, hc.Why = Dropped, "at the base: "+b.Why
		return hc
	}
	var old []*unstructured.Unstructured
	if b != nil {
		old = b.Objects
	}
	var cur []*unstructured.Unstructured
	if h != nil {
		cur = h.Objects
	}
	k := compareObjectsOffline(old, cur, secrets)
	hc.Objects, hc.Summary = k.Objects, k.Summary
	switch {
	case b == nil:
		hc.Change = Added
	case h == nil:
		hc.Change = Dropped
	case len(hc.Objects) > 0:
		hc.Change = Modified
	default:
		hc.Change = Same
	}
	return hc
}

// compareObjectsOffline compares two lists of objects as compareRendered compares a
// Kustomization's: by group, kind, namespace and name.
func compareObjectsOffline(before, after []*unstructured.Unstructured, secrets []string) KustomizationChange {
	return compareRendered(dir.Rendered{Objects: after}, before, true, secrets)
}
