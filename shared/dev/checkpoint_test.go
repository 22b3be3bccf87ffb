package dev

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/kubectl-gitops/kubectl-gitops/shared/exitcode"
	"github.com/kubectl-gitops/kubectl-gitops/shared/git/gittest"
	"github.com/kubectl-gitops/kubectl-gitops/shared/write"
)

func TestSave(t *testing.T) {
	for _, tc := range []struct {
		name    string
		branch  string
		files   map[string]string
		dryRun  bool
		code    exitcode.Code
		commit  bool   // a commit is made and recorded
		note    string // a note of the result, by its start
		wantErr string
	}{
		{"changes", "dev/feature-x", map[string]string{"apps/cm.yaml": "changed\n", "apps/new.yaml": "new\n"}, false, exitcode.OK, true, "", ""},
		{"nothing to commit", "dev/feature-x", nil, false, exitcode.OK, false, "nothing to checkpoint", ""},
		{"dry run", "dev/feature-x", map[string]string{"apps/new.yaml": "new\n"}, true, exitcode.OK, false, "would commit: ?? apps/new.yaml", ""},
		{"not on the session branch", "main", map[string]string{"apps/new.yaml": "new\n"}, false, exitcode.Usage, false, "", `is on "main", not on the session branch dev/feature-x`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			gittest.Isolate(t)
			repo := gittest.New(t)
			repo.Commit("initial", map[string]string{"apps/cm.yaml": "a\n"})
			repo.Git("checkout", "--quiet", "-B", tc.branch)
			before := repo.Git("rev-parse", "HEAD")
			repo.Write(tc.files)
			dyn := fakeCluster()
			s := session()
			if err := (Store{Dyn: dyn}).Create(context.Background(), s); err != nil {
				t.Fatal(err)
			}
			at := time.Date(2026, 11, 26, 10, 0, 0, 500, time.UTC)
			res, err := Save(context.Background(), dyn, CheckpointRequest{
				Hooks: write.Hooks{DryRun: tc.dryRun, Now: func() time.Time { return at }}, Session: s,
				Clone: &Clone{Dir: repo.Dir}, Message: "try the cache",
			})
			if exitcode.Of(err) != tc.code || (err != nil && !strings.Contains(err.Error(), tc.wantErr)) {
				t.Fatalf("Save = %v (code %d), want code %d %q", err, exitcode.Of(err), tc.code, tc.wantErr)
			}
			head := repo.Git("rev-parse", "HEAD")
			if moved := head != before; moved != tc.commit {
				t.Errorf("HEAD moved = %v, want %v", moved, tc.commit)
			}
			stored, gerr := (Store{Dyn: dyn}).Get(context.Background(), "flux-system", "feature-x")
			if gerr != nil {
				t.Fatal(gerr)
			}
			if tc.commit {
				if res.Checkpoint == nil || res.Checkpoint.Commit != head || repo.Git("status", "--porcelain") != "" || repo.Git("log", "-1", "--format=%s") != "try the cache" {
					t.Errorf("checkpoint %+v at %s: not everything committed with the message", res.Checkpoint, head)
				}
				if len(stored.Checkpoints) != 1 || stored.Checkpoints[0].Commit != head || !stored.Checkpoints[0].At.Equal(at.Truncate(time.Second)) {
					t.Errorf("recorded checkpoints %+v", stored.Checkpoints)
				}
			} else if len(stored.Checkpoints) != 0 {
				t.Errorf("recorded checkpoints %+v without a commit", stored.Checkpoints)
			}
			if tc.note != "" && (len(res.Notes) != 1 || !strings.HasPrefix(res.Notes[0], tc.note)) {
				t.Errorf("notes %q, want %q", res.Notes, tc.note)
			}
		})
	}
}
