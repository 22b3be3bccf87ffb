package git

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"net"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/kubectl-gitops/kubectl-gitops/shared/git/gittest"
)

func TestFetchCommits(t *testing.T) {
	gittest.Isolate(t)
	ctx := context.Background()
	repo := gittest.New(t)
	first := repo.Commit("first", map[string]string{"apps/a.yaml": "a: 1\n"})
	second := repo.Commit("second", map[string]string{"apps/a.yaml": "a: 2\n"})
	url := "file://" + repo.Dir
	// The file transport speaks protocol v2 as an HTTP server does.
	limits := DefaultFetchLimits()

	tests := []struct {
		name, commit, branch string
		extra                []string
		want                 string // a.yaml at the commit; "" for an error
		err                  string
	}{
		{name: "an extra commit the remote lacks does not stand in the way", commit: first, extra: []string{strings.Repeat("cd", 20)}, want: "a: 1\n"},
		{name: "no branch to fall back on: git's own error, named fetch", commit: strings.Repeat("ab", 20), err: "git fetch: "},
		{name: "an older commit, by its SHA", commit: first, want: "a: 1\n"},
		{name: "the branch head", commit: second, branch: "main", want: "a: 2\n"},
		{name: "a commit the remote lacks", commit: strings.Repeat("ab", 20), branch: "main", err: "does not hold commit abababababab"},
		{name: "an abbreviated SHA, through the branch", commit: first[:10], branch: "main", want: "a: 1\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir, cleanup, err := FetchCommits(ctx, url, tt.branch, limits, append([]string{tt.commit}, tt.extra...)...)
			defer cleanup()
			if tt.err != "" {
				if err == nil || !strings.Contains(err.Error(), tt.err) {
					t.Fatalf("err = %v, want %q", err, tt.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			got, err := Show(ctx, dir, tt.commit, "apps/a.yaml")
			if err != nil || string(got) != tt.want {
				t.Fatalf("apps/a.yaml at %s = %q, %v; want %q", Short(tt.commit), got, err, tt.want)
			}
			if n, _ := Line(ctx, dir, "rev-list", "--count", tt.commit); tt.branch == "" && n != "1" {
				t.Errorf("fetched %s commits, want the one asked for (shallow)", n)
			}
			cleanup()
			if _, err := os.Stat(dir); !os.IsNotExist(err) {
				t.Errorf("cleanup left %s: %v", dir, err)
			}
		})
	}
}

func TestFetchCommitsLimits(t *testing.T) {
	gittest.Isolate(t)
	ctx := context.Background()
	repo := gittest.New(t)
	sha := repo.Commit("big", map[string]string{"blob": randomText(1 << 20)})
	url := "file://" + repo.Dir

	_, cleanup, err := FetchCommits(ctx, url, "", FetchLimits{Timeout: time.Minute, MaxBytes: 64 << 10}, sha)
	cleanup()
	if !errors.Is(err, ErrTooLarge) {
		t.Fatalf("a 1 MiB commit with a 64 KiB limit: err = %v, want ErrTooLarge", err)
	}

	// A remote that accepts the connection and never answers.
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	go func() {
		for {
			c, err := l.Accept()
			if err != nil {
				return
			}
			defer c.Close()
		}
	}()
	start := time.Now()
	_, cleanup, err = FetchCommits(ctx, "http://"+l.Addr().String()+"/fleet.git", "main", FetchLimits{Timeout: time.Second, MaxBytes: 1 << 30}, sha)
	cleanup()
	if err == nil || !strings.Contains(err.Error(), "longer than 1s") || time.Since(start) > 10*time.Second {
		t.Fatalf("a remote that never answers: err = %v after %s, want the timeout named within seconds", err, time.Since(start))
	}
}

// randomText is n bytes that do not compress: a pack as large as the file.
func randomText(n int) string {
	b := make([]byte, n/2)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}
