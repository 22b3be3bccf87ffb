package main_test

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/kubectl-gitops/kubectl-gitops/shared/testbed"
)

// TestNextStepsNameTheInvocation runs the built binaries on the demo fleet under each
// name they are installed as: the undo commands, next steps and hints they print at run
// time name the command the user typed (`flux gitops …` under the Flux CLI, krew's
// `kubectl gitops-rollback …` for the per-plugin binary), as their help texts do.
func TestNextStepsNameTheInvocation(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 4*time.Minute)
	defer cancel()
	dir := installed(t)
	bin, _ := testbed.PluginBin()
	// krew links the gitops-rollback plugin's binary as kubectl-gitops_rollback.
	if err := os.Symlink(filepath.Join(bin, "kubectl-gitops-rollback"), filepath.Join(dir, "kubectl-gitops_rollback")); err != nil {
		t.Fatal(err)
	}
	bed, _ := testbed.StartDemo(t, ctx)
	env := append(os.Environ(), "KUBECONFIG="+bed.Kubeconfig, "NO_COLOR=1")
	suspend := []string{"suspend", "apps", "-n", "flux-system", "--reason", "INC-42", "--dry-run", "-o", "json"}
	setBranch := []string{"branch", "set", "flux-system", "stable-release", "-n", "flux-system", "--dry-run", "-o", "json"}
	unknown := []string{"pin", "apps", "-n", "flux-system", "--to", "0000000", "--dry-run"}
	for _, tc := range []struct {
		name, bin string
		args      []string
		code      int
		want      string
	}{
		{"flux suspend", filepath.Join(dir, "flux-gitops"), append([]string{"rollback"}, suspend...), 0, `"undo": "flux gitops rollback resume kustomization/apps -n flux-system"`},
		{"flux branch set", filepath.Join(dir, "flux-gitops"), setBranch, 0, `"undo": "flux gitops branch restore flux-system -n flux-system"`},
		{"flux hint", filepath.Join(dir, "flux-gitops"), append([]string{"rollback"}, unknown...), 3, "list the candidates with 'flux gitops rollback history'"},
		{"krew per-plugin suspend", filepath.Join(dir, "kubectl-gitops_rollback"), suspend, 0, `"undo": "kubectl gitops-rollback resume kustomization/apps -n flux-system"`},
		{"krew per-plugin hint", filepath.Join(dir, "kubectl-gitops_rollback"), unknown, 3, "list the candidates with 'kubectl gitops-rollback history'"},
		// make build's per-plugin binary runs as `kubectl gitops rollback`: canonical
		{"per-plugin suspend", filepath.Join(bin, "kubectl-gitops-rollback"), suspend, 0, `"undo": "kubectl gitops rollback resume kustomization/apps -n flux-system"`},
		{"suite suspend", filepath.Join(dir, "kubectl-gitops"), append([]string{"rollback"}, suspend...), 0, `"undo": "kubectl gitops rollback resume kustomization/apps -n flux-system"`},
	} {
		r := runEnv(t, ctx, env, tc.bin, tc.args...)
		if r.Code != tc.code || !strings.Contains(r.Stdout+r.Stderr, tc.want) {
			t.Errorf("%s: %s %s: want exit %d with %q\n%s", tc.name, filepath.Base(tc.bin), strings.Join(tc.args, " "), tc.code, tc.want, r)
		}
		if canonical := strings.Contains(tc.want, "kubectl gitops "); !canonical && strings.Contains(r.Stdout+r.Stderr, "kubectl gitops ") {
			t.Errorf("%s: names a command the user did not type:\n%s", tc.name, r)
		}
	}
	// Through kubectl itself: `kubectl gitops-rollback` runs krew's link.
	r, err := testbed.KubectlWith(ctx, bed.Assets, bed.Kubeconfig, "", dir, append([]string{"gitops-rollback"}, suspend...)...)
	if want := `"undo": "kubectl gitops-rollback resume kustomization/apps -n flux-system"`; err != nil || r.Code != 0 || !strings.Contains(r.Stdout, want) {
		t.Errorf("kubectl gitops-rollback %s: %v, want %q\n%s", strings.Join(suspend, " "), err, want, r)
	}
}
