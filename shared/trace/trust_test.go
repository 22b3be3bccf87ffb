package trace

import (
	"bytes"
	"context"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/kubectl-gitops/kubectl-gitops/shared/output"
)

const marker = "S3CRETMARK"

// paletteESC matches the escape sequences the palette itself writes; any other ESC in
// a human view came from the cluster.
var paletteESC = regexp.MustCompile(`\x1b\[(0|1|2|31|32|33)m`)

// TestTraceTrustsNothing traces an object whose chain carries credentials and escape
// sequences in every string a cluster can control, and checks every output format.
func TestTraceTrustsNothing(t *testing.T) {
	root := kustomization("flux-system", "./clusters/prod", "flux-system_flux-system_kustomize.toolkit.fluxcd.io_Kustomization")
	labelled(root, "flux-system", "flux-system")
	apps := labelled(kustomization("apps", "./apps\x1b]0;owned\x07", "shop_api_apps_Deployment"), "flux-system", "flux-system")
	apps.Object["status"].(map[string]any)["conditions"] = []any{map[string]any{
		"type": "Ready", "status": "False", "reason": "ReconciliationFailed\x1b[2J", "lastTransitionTime": "2026-01-01T00:00:00Z",
		"message": "unable to clone 'https://deploy:pa ss" + marker + "@git.example.com/fleet.git': auth\nReady: True",
	}}
	src := gitRepository()
	src.Object["spec"].(map[string]any)["url"] = "https://deploy:" + marker + "%zz@git.example.com/fleet.git?access_key=" + marker
	obj := labelled(obj("apps/v1", "Deployment", "shop", "api", nil), "flux-system", "apps")
	r := newTestTracer(root, apps, src, obj.DeepCopy()).Trace(context.Background(), obj)

	for _, color := range []bool{false, true} {
		var b bytes.Buffer
		if err := writeText(&b, []*Report{r}, color, time.Date(2026, 1, 2, 0, 0, 0, 0, time.UTC)); err != nil {
			t.Fatal(err)
		}
		out := b.String()
		if strings.Contains(out, marker) {
			t.Errorf("color=%v: the secret reached the human view:\n%s", color, out)
		}
		if stray := paletteESC.ReplaceAllString(out, ""); strings.ContainsAny(stray, "\x1b\x07") {
			t.Errorf("color=%v: a raw escape sequence reached the human view:\n%q", color, out)
		}
		for _, line := range strings.Split(out, "\n") {
			if strings.HasPrefix(strings.TrimSpace(line), "Ready: True") {
				t.Errorf("color=%v: a message forged a line: %q", color, line)
			}
		}
	}
	var errs bytes.Buffer
	WriteErrors(&errs, []*Report{{Result: ResultError, Error: "reading x: \x1b[2J https://u:" + marker + "@h/x\nerror: forged"}})
	if strings.Contains(errs.String(), marker) || strings.Count(errs.String(), "\n") != 1 || strings.Contains(errs.String(), "\x1b") {
		t.Errorf("stderr line not safe: %q", errs.String())
	}
	for _, format := range []string{output.FormatJSON, output.FormatYAML} {
		var b bytes.Buffer
		if err := output.Write(&b, format, r); err != nil {
			t.Fatal(err)
		}
		if strings.Contains(b.String(), marker) {
			t.Errorf("-o %s: the secret reached the document:\n%s", format, b.String())
		}
	}
}
