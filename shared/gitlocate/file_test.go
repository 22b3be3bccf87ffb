package gitlocate

import (
	"context"
	"strings"
	"testing"

	"github.com/kubectl-gitops/kubectl-gitops/shared/git/gittest"
)

// TestLocateFile reads the one file an origin annotation names: the best document's
// line, the only one of the kind when an overlay renamed it, and Found false for a file
// the commit does not hold (the caller then walks).
func TestLocateFile(t *testing.T) {
	r := gittest.New(t)
	sha := r.Commit("two files", map[string]string{
		"apps/base/cm.yaml": text(
			"apiVersion: v1",  // 1
			"kind: ConfigMap", // 2
			"metadata:",       // 3
			"  name: other",   // 4
			"---",             // 5
			"apiVersion: v1",  // 6
			"kind: ConfigMap", // 7
			"metadata:",       // 8
			"  name: x",       // 9
			"  namespace: ns", // 10
		),
		"apps/base/deploy.yaml": text(
			"apiVersion: apps/v1", // 1
			"kind: Deployment",    // 2
			"metadata:",           // 3
			"  name: api",         // 4
		),
	})
	tests := []struct {
		name       string
		file       string
		kind, obj  string
		apiVersion string
		found      bool
		line       int
		reason     string
	}{
		{name: "named document", file: "apps/base/cm.yaml", kind: "ConfigMap", obj: "x", apiVersion: "v1", found: true, line: 6},
		{name: "only one of its kind, renamed by an overlay", file: "apps/base/deploy.yaml", kind: "Deployment", obj: "prod-api", apiVersion: "apps/v1", found: true, line: 1},
		{name: "several of the kind, none named so", file: "apps/base/cm.yaml", kind: "ConfigMap", obj: "prod-x", apiVersion: "v1", found: true, reason: "holds no document named"},
		{name: "not in the commit", file: "apps/base/gone.yaml", kind: "ConfigMap", obj: "x", apiVersion: "v1", reason: "is not a file at"},
		{name: "a folder", file: "apps/base", kind: "ConfigMap", obj: "x", apiVersion: "v1", reason: "is not a file at"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res, err := LocateFile(context.Background(), Request{GitDir: r.Dir, Commit: sha, Path: "./apps/overlay",
				APIVersion: tt.apiVersion, Kind: tt.kind, Namespace: "ns", Name: tt.obj}, tt.file)
			if err != nil {
				t.Fatal(err)
			}
			if res.Found != tt.found || res.Line != tt.line || !strings.Contains(res.Reason, tt.reason) || (tt.reason == "" && res.Reason != "") {
				t.Errorf("LocateFile(%s) = found %v line %d reason %q; want %v, %d, %q", tt.file, res.Found, res.Line, res.Reason, tt.found, tt.line, tt.reason)
			}
			if res.Commit == nil || res.Commit.Subject != "two files" {
				t.Errorf("commit = %+v, want the applied commit's subject", res.Commit)
			}
			if tt.found && res.File != tt.file {
				t.Errorf("file = %q, want %q", res.File, tt.file)
			}
		})
	}
	if _, err := LocateFile(context.Background(), Request{GitDir: r.Dir, Commit: sha, Kind: "ConfigMap", Name: "x"}, "../outside.yaml"); err == nil {
		t.Error("a file outside the repository was read")
	}
}
