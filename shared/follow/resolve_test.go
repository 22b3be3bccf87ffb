package follow

import (
	"bytes"
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/kubectl-gitops/kubectl-gitops/shared/exitcode"
)

func TestResolve(t *testing.T) {
	main, stable := "abcdef0123456789abcdef0123456789abcdef01", "0123456789abcdef0123456789abcdef01234567"
	remotes := map[string]map[string]string{
		"https://git.example.com/fleet": {"main": main, "stable-release": stable},
		"https://git.example.com/other": {"main": stable},
	}
	asked := map[string]int{}
	heads := func(_ context.Context, url string) (map[string]string, error) {
		asked[url]++
		if h, ok := remotes[url]; ok {
			return h, nil
		}
		return nil, errors.New("git ls-remote: repository not found")
	}
	repos := []Tracked{
		{Namespace: "flux-system", Name: "flux-system", URL: "https://git.example.com/fleet", Branch: "main"},
		{Namespace: "flux-system", Name: "stable", URL: "https://git.example.com/fleet", Branch: "stable-release"},
		{Namespace: "team", Name: "other", URL: "https://git.example.com/other", Branch: "main"},
	}
	for _, tc := range []struct {
		name, rev string
		want      []string // name@commit
		code      exitcode.Code
		says      string
	}{
		{name: "no revision: each at its branch head", rev: "", want: []string{"flux-system@" + main, "stable@" + stable, "other@" + stable}},
		{name: "a branch: those tracking it", rev: "main", want: []string{"flux-system@" + main, "other@" + stable}},
		{name: "a full SHA: those whose head it is", rev: stable, want: []string{"stable@" + stable, "other@" + stable}},
		{name: "a prefix", rev: "abcdef0", want: []string{"flux-system@" + main}},
		{name: "a commit no branch has at its head", rev: "fedcba9", code: exitcode.NotFound, says: "flux-system/flux-system: main at abcdef012345"},
		{name: "a branch nobody tracks", rev: "feature-x", code: exitcode.NotFound, says: `tracks branch "feature-x"`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			clear(asked)
			got, err := Resolve(context.Background(), repos, tc.rev, "in any namespace", heads)
			if tc.code != exitcode.OK {
				if exitcode.Of(err) != tc.code || !strings.Contains(err.Error(), tc.says) {
					t.Fatalf("error %v (code %d), want code %d saying %q", err, exitcode.Of(err), tc.code, tc.says)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			var names []string
			for _, s := range got {
				names = append(names, s.Name+"@"+s.Commit)
				if s.Phase != PhaseFetching {
					t.Errorf("%s starts %s, want Fetching", s.Name, s.Phase)
				}
			}
			if strings.Join(names, " ") != strings.Join(tc.want, " ") {
				t.Errorf("sources %v, want %v", names, tc.want)
			}
			for url, n := range asked {
				if n != 1 {
					t.Errorf("%s asked %d times, want once", url, n)
				}
			}
		})
	}
	t.Run("a remote that cannot be asked is an error naming it, without credentials", func(t *testing.T) {
		_, err := Resolve(context.Background(), []Tracked{{Namespace: "a", Name: "b", URL: "https://user:s3cret@git.example.com/gone", Branch: "main"}}, "", "in a", heads)
		if err == nil || strings.Contains(err.Error(), "s3cret") || !strings.Contains(err.Error(), "GitRepository a/b") {
			t.Fatalf("error %v", err)
		}
	})
}

// Without a terminal, each change is one line, and nothing that did not change is
// printed again.
func TestLines(t *testing.T) {
	var buf bytes.Buffer
	at := time.Date(2026, 12, 4, 10, 0, 0, 0, time.UTC)
	l := &Lines{W: &buf, Now: func() time.Time { return at }}
	cs := []Consumer{ks("apps", oldSHA, oldSHA, ready()), ks("infrastructure", oldSHA, newSHA, progressing())}
	l.Show(Evaluate(Snapshot{Sources: []Source{src(PhaseFetched)}, Consumers: cs, Report: graph(t, cs)}))
	cs[1] = ks("infrastructure", newSHA, newSHA, ready())
	l.Show(Evaluate(Snapshot{Sources: []Source{src(PhaseFetched)}, Consumers: cs, Report: graph(t, cs)}))
	want := `10:00:00 GitRepository flux-system/flux-system Fetched: main@sha1:` + newSHA + `
10:00:00 Kustomization flux-system/apps Waiting: waits on Kustomization flux-system/infrastructure
10:00:00 Kustomization flux-system/infrastructure Applying: last applied main@sha1:` + oldSHA + `
10:00:00 Kustomization flux-system/apps Applying: last applied main@sha1:` + oldSHA + `
10:00:00 Kustomization flux-system/infrastructure Applied: main@sha1:` + newSHA + `
`
	if buf.String() != want {
		t.Errorf("lines:\n%s\nwant:\n%s", buf.String(), want)
	}
}
