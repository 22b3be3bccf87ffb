package cmd

import (
	"bytes"
	"context"
	"strings"
	"testing"

	"github.com/spf13/cobra"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/cli-runtime/pkg/genericiooptions"

	"github.com/kubectl-gitops/kubectl-gitops/shared/cluster/clustertest"
	"github.com/kubectl-gitops/kubectl-gitops/shared/command"
	"github.com/kubectl-gitops/kubectl-gitops/shared/exitcode"
	"github.com/kubectl-gitops/kubectl-gitops/shared/history"
	"github.com/kubectl-gitops/kubectl-gitops/shared/output"
	"github.com/kubectl-gitops/kubectl-gitops/shared/output/outputtest"
)

const sha1, sha2 = "1111111111111111111111111111111111111111", "2222222222222222222222222222222222222222"

func appsWithHistory() *unstructured.Unstructured {
	snap := func(sha, status string) map[string]any {
		return map[string]any{
			"digest": "sha256:" + sha, "firstReconciled": "2026-01-01T00:00:00Z", "lastReconciled": "2026-01-02T00:00:00Z",
			"lastReconciledDuration": "1s", "lastReconciledStatus": status, "totalReconciliations": int64(3),
			"metadata": map[string]any{"revision": "main@sha1:" + sha},
		}
	}
	u := &unstructured.Unstructured{Object: map[string]any{
		"apiVersion": "kustomize.toolkit.fluxcd.io/v1", "kind": "Kustomization",
		"metadata": map[string]any{"namespace": "flux-system", "name": "apps"},
		"spec":     map[string]any{"path": "./apps", "sourceRef": map[string]any{"kind": "GitRepository", "name": "flux-system"}},
		"status": map[string]any{
			"lastAppliedRevision": "main@sha1:" + sha2,
			"history":             []any{snap(sha2, "ReconciliationSucceeded"), snap(sha1, "ReconciliationSucceeded")},
		},
	}}
	return u
}

// run runs `rollback history ARGS` through its Options on an in-memory cluster.
func run(t *testing.T, format string, args ...string) (string, error) {
	t.Helper()
	var out bytes.Buffer
	o := &HistoryOptions{Named: command.Named{Kind: "Kustomization"}, streams: genericiooptions.IOStreams{Out: &out, ErrOut: &out}}
	o.Output.AddFlag(&cobra.Command{}, "table")
	o.Output.Value = format
	f := clustertest.New("flux-system", appsWithHistory())
	if err := o.Complete(f, nil, args); err != nil {
		return "", err
	}
	if err := o.Validate(); err != nil {
		return "", err
	}
	err := o.Run(context.Background())
	return out.String(), err
}

func TestHistoryOptions(t *testing.T) {
	out, err := run(t, "", "apps")
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(out), "\n")
	if len(lines) != 3 || !strings.HasPrefix(lines[0], "REVISION") || !strings.Contains(lines[1], sha2) || !strings.HasSuffix(lines[1], "current") || !strings.HasSuffix(lines[2], "last-good") {
		t.Errorf("table:\n%s", out)
	}

	out, err = run(t, "json", "apps")
	if err != nil {
		t.Fatal(err)
	}
	err = outputtest.Decode(output.FormatJSON, []byte(out), output.KindHistory, func() any { return &history.History{} }, func(d any) {
		h := d.(*history.History)
		if h.Object.Name != "apps" || len(h.Entries) != 2 || h.Entries[0].SHA != sha2 || !h.Entries[0].Current || h.Entries[1].Current {
			t.Errorf("document = %+v", h)
		}
	})
	if err != nil {
		t.Errorf("%v\n%s", err, out)
	}

	for _, tc := range []struct {
		args   []string
		format string
		code   exitcode.Code
		msg    string
	}{
		{[]string{"nope"}, "", exitcode.NotFound, "Kustomization flux-system/nope not found"},
		{[]string{""}, "", exitcode.Usage, "name is empty"},
		{[]string{"apps"}, "xml", exitcode.Usage, `unknown output format "xml"`},
	} {
		_, err := run(t, tc.format, tc.args...)
		if exitcode.Of(err) != tc.code || err == nil || !strings.Contains(err.Error(), tc.msg) {
			t.Errorf("%v -o %q: %v (code %d), want code %d with %q", tc.args, tc.format, err, exitcode.Of(err), tc.code, tc.msg)
		}
	}
}
