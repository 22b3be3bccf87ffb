package main

import (
	"context"
	"encoding/json"
	"strings"
	"testing"

	"github.com/kubectl-gitops/kubectl-gitops/shared/testbed"
)

// testReadOnlyCommands checks what rollback history and branch show read from the
// demo fleet, and their error paths.
func testReadOnlyCommands(t *testing.T, ctx context.Context, bed *testbed.Bed, fleet *testbed.Fleet) {
	kubectl := func(args ...string) testbed.Run {
		t.Helper()
		run, err := testbed.Kubectl(ctx, bed.Assets, bed.Kubeconfig, append([]string{"gitops"}, args...)...)
		if err != nil {
			t.Fatal(err)
		}
		return run
	}

	run := kubectl("rollback", "history", "apps", "-n", "flux-system", "-o", "json")
	var hist struct {
		Kind    string
		Entries []struct {
			Revision string
			SHA      string
			Status   string
			Current  bool
		}
	}
	if err := json.Unmarshal([]byte(run.Stdout), &hist); err != nil || run.Code != 0 {
		t.Fatalf("rollback history: %v\n%s", err, run)
	}
	if hist.Kind != "History" || len(hist.Entries) == 0 || hist.Entries[0].SHA != fleet.Commit || !hist.Entries[0].Current || hist.Entries[0].Status != "ReconciliationSucceeded" {
		t.Errorf("history = %+v, want the fleet commit %s as current and succeeded", hist, fleet.Commit)
	}

	run = kubectl("branch", "show", "flux-system", "-n", "flux-system", "-o", "json")
	var show struct {
		URL      string
		Tracks   string
		Revision string
	}
	if err := json.Unmarshal([]byte(run.Stdout), &show); err != nil || run.Code != 0 {
		t.Fatalf("branch show: %v\n%s", err, run)
	}
	if show.URL != fleet.Repo.URL || show.Tracks != "branch main" || show.Revision != "main@sha1:"+fleet.Commit {
		t.Errorf("branch show = %+v", show)
	}

	for _, tc := range []struct {
		args []string
		code int
		want string
	}{
		{[]string{"rollback", "history", "nope", "-n", "flux-system"}, 3, "Kustomization flux-system/nope not found"},
		{[]string{"branch", "show", "nope", "-n", "flux-system"}, 3, "GitRepository flux-system/nope not found"},
		{[]string{"branch", "show", "flux-system", "-n", "flux-system", "--as", "nobody"}, 5, "forbidden"},
		{[]string{"rollback", "history", "apps", "-o", "xml"}, 2, `unknown output format "xml"`},
	} {
		run := kubectl(tc.args...)
		if run.Code != tc.code || !strings.HasPrefix(run.Stderr, "error: ") || !strings.Contains(run.Stderr, tc.want) || strings.Count(strings.TrimSpace(run.Stderr), "\n") != 0 {
			t.Errorf("%v: want exit %d and one error line with %q, got\n%s", tc.args, tc.code, tc.want, run)
		}
	}
}
