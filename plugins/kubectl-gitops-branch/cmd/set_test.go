package cmd

import (
	"bytes"
	"context"
	"encoding/json"
	"reflect"
	"strings"
	"testing"

	"github.com/spf13/cobra"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/cli-runtime/pkg/genericiooptions"
	k8stesting "k8s.io/client-go/testing"

	"github.com/kubectl-gitops/kubectl-gitops/shared/branch"
	"github.com/kubectl-gitops/kubectl-gitops/shared/cluster/clustertest"
	"github.com/kubectl-gitops/kubectl-gitops/shared/exitcode"
	"github.com/kubectl-gitops/kubectl-gitops/shared/flux"
	"github.com/kubectl-gitops/kubectl-gitops/shared/git/gittest"
)

// remoteWith is a bare repository with the branches given, each at one commit: the
// URL `set` asks for the branch with the user's git, without a network.
func remoteWith(t *testing.T, branches ...string) string {
	t.Helper()
	r := gittest.Bare(t)
	const emptyTree = "4b825dc642cb6eb9a060e54bf8d69288fbee4904"
	for _, b := range branches {
		r.Git("update-ref", "refs/heads/"+b, r.Git("commit-tree", emptyTree, "-m", b))
	}
	return r.Dir
}

func gitRepository(namespace, name, url string, labels map[string]any) *unstructured.Unstructured {
	return &unstructured.Unstructured{Object: map[string]any{
		"apiVersion": "source.toolkit.fluxcd.io/v1", "kind": "GitRepository",
		"metadata": map[string]any{"namespace": namespace, "name": name, "labels": labels, "resourceVersion": "1"},
		"spec":     map[string]any{"url": url, "interval": "1m", "ref": map[string]any{"branch": "main"}},
	}}
}

// execute runs `branch set|restore|show ARGS` on an in-memory cluster whose namespace
// is flux-system (explicit: -n was given); stdin is not a terminal.
func execute(t *testing.T, f *clustertest.Factory, args ...string) (string, error) {
	t.Helper()
	var out, errOut bytes.Buffer
	streams := genericiooptions.IOStreams{In: strings.NewReader(""), Out: &out, ErrOut: &errOut}
	var cmd *cobra.Command
	switch args[0] {
	case "set":
		cmd = newSwitchCommand(f, streams, false)
	case "restore":
		cmd = newSwitchCommand(f, streams, true)
	case "show":
		cmd = newShowCommand(f, streams)
	}
	cmd.SilenceErrors, cmd.SilenceUsage = true, true
	cmd.SetArgs(args[1:])
	cmd.SetOut(&out)
	cmd.SetErr(&errOut)
	err := cmd.ExecuteContext(context.Background())
	return out.String(), err
}

// fleet is two GitRepositories labelled team=a (flux-system/flux-system and
// apps/podinfo) and one unlabelled (apps/other), all on a remote with main and stable.
func fleet(t *testing.T, explicit bool) *clustertest.Factory {
	t.Helper()
	url := remoteWith(t, "main", "stable")
	team := map[string]any{"team": "a"}
	f := clustertest.New("flux-system", []runtime.Object{
		gitRepository("flux-system", "flux-system", url, team),
		gitRepository("apps", "podinfo", url, team),
		gitRepository("apps", "other", url, nil),
	}...)
	f.Explicit = explicit
	return f
}

func TestSwitchUsage(t *testing.T) {
	const setExample = "'kubectl gitops branch set flux-system stable-release -n flux-system'"
	tests := []struct {
		args     []string
		explicit bool
		msg      string
	}{
		{[]string{"set"}, false, "requires at least 1 arg(s), only received 0"},
		// The one argument is the branch: no source is named.
		{[]string{"set", "stable"}, false, "name a GitRepository, or select them with -l or -A, e.g. " + setExample},
		{[]string{"set", "flux-system", ""}, false, "the branch name is empty: name one, e.g. " + setExample},
		{[]string{"set", "flux-system", "  "}, false, "the branch name is empty: name one, e.g. " + setExample},
		{[]string{"set", "", "stable"}, false, "the GitRepository name is empty: name one, e.g. " + setExample},
		{[]string{"set", "flux-system", "stable", "-l", "team=a"}, false, "name GitRepositories or select them with -l/-A, not both"},
		{[]string{"set", "flux-system", "stable", "-A"}, false, "name GitRepositories or select them with -l/-A, not both"},
		{[]string{"set", "stable", "-A"}, true, "--all-namespaces and --namespace cannot be used together"},
		{[]string{"set", "flux-system", "stable", "--timeout", "0s"}, false, "--timeout must be positive, e.g. --timeout 5m"},
		{[]string{"set", "flux-system", "stable", "--timeout", "-1m"}, false, "--timeout must be positive, e.g. --timeout 5m"},
		{[]string{"set", "flux-system", "stable", "--auto-restore", "--wait=false"}, false, "--auto-restore needs the wait: drop --wait=false"},
		{[]string{"set", "flux-system", "stable", "-o", "xml"}, false, `unknown output format "xml"`},
		{[]string{"restore"}, false, "name a GitRepository, or select them with -l or -A, e.g. 'kubectl gitops branch restore flux-system -n flux-system'"},
		{[]string{"restore", "flux-system", "-l", "team=a"}, false, "name GitRepositories or select them with -l/-A, not both"},
		{[]string{"restore", "-A"}, true, "--all-namespaces and --namespace cannot be used together"},
		{[]string{"restore", "flux-system", "--timeout", "0s"}, false, "--timeout must be positive, e.g. --timeout 5m"},
		{[]string{"show"}, false, "name a GitRepository, or select them with -l or -A, e.g. 'kubectl gitops branch show flux-system -n flux-system'"},
		{[]string{"show", "flux-system", "--remote", "--git-dir", "."}, false, "--remote and --git-dir cannot be used together"},
		{[]string{"show", "-l", "team=a", "flux-system"}, false, "name GitRepositories or select them with -l/-A, not both"},
	}
	for _, tt := range tests {
		t.Run(strings.Join(tt.args, " "), func(t *testing.T) {
			f := fleet(t, tt.explicit)
			writes := 0
			f.Dynamic.PrependReactor("patch", "*", func(a k8stesting.Action) (bool, runtime.Object, error) {
				writes++
				return false, nil, nil
			})
			out, err := execute(t, f, tt.args...)
			if exitcode.Of(err) != exitcode.Usage || err == nil || !strings.HasPrefix(err.Error(), tt.msg) || out != "" || writes != 0 {
				t.Errorf("err %v (code %d), %d writes, out %q; want code 2 with %q", err, exitcode.Of(err), writes, out, tt.msg)
			}
		})
	}
}

// switched is what a `set -o json` printed, one document per source.
func switched(t *testing.T, out string) []branch.Result {
	t.Helper()
	var results []branch.Result
	dec := json.NewDecoder(strings.NewReader(out))
	for dec.More() {
		var r branch.Result
		if err := dec.Decode(&r); err != nil {
			t.Fatalf("%v\n%s", err, out)
		}
		results = append(results, r)
	}
	return results
}

func refOf(t *testing.T, f *clustertest.Factory, namespace, name string) map[string]any {
	t.Helper()
	u, err := flux.Get(context.Background(), f.Dynamic, flux.KindGitRepository, namespace, name)
	if err != nil {
		t.Fatal(err)
	}
	ref, _, _ := unstructured.NestedMap(u.Object, "spec", "ref")
	return ref
}

// TestSwitchSelection: the names, -l and -A choose the sources, the last argument is
// the branch, --yes writes without a terminal and --dry-run asks nothing.
func TestSwitchSelection(t *testing.T) {
	tests := []struct {
		args    []string
		want    []string // namespace/name of each result, in order
		dryRun  bool
		changed []bool
	}{
		{[]string{"set", "flux-system", "stable", "--yes", "--wait=false", "-o", "json"}, []string{"flux-system/flux-system"}, false, []bool{true}},
		// A source named twice is switched once: the second finds it on the branch.
		{[]string{"set", "flux-system", "flux-system", "stable", "--yes", "--wait=false", "-o", "json"}, []string{"flux-system/flux-system", "flux-system/flux-system"}, false, []bool{true, false}},
		{[]string{"set", "-l", "team=a", "-A", "stable", "--yes", "--wait=false", "-o", "json"}, []string{"apps/podinfo", "flux-system/flux-system"}, false, []bool{true, true}},
		{[]string{"set", "-A", "stable", "--dry-run", "-o", "json"}, []string{"apps/other", "apps/podinfo", "flux-system/flux-system"}, true, []bool{false, false, false}},
		{[]string{"set", "-l", "team=a", "stable", "--dry-run", "-o", "json"}, []string{"flux-system/flux-system"}, true, []bool{false}},
	}
	for _, tt := range tests {
		t.Run(strings.Join(tt.args, " "), func(t *testing.T) {
			f := fleet(t, false)
			out, err := execute(t, f, tt.args...)
			if err != nil {
				t.Fatalf("%v\n%s", err, out)
			}
			var got []string
			for i, r := range switched(t, out) {
				got = append(got, r.Object.Namespace+"/"+r.Object.Name)
				if r.Action != "set" || r.To == nil || r.To.String() != "branch stable" || r.DryRun != tt.dryRun || i >= len(tt.changed) || r.Changed != tt.changed[i] {
					t.Errorf("result %d: %+v", i, r)
				}
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("switched %q, want %q", got, tt.want)
			}
		})
	}
}

// TestSwitchConfirmation: without --yes and without a terminal, nothing is written.
func TestSwitchConfirmation(t *testing.T) {
	f := fleet(t, false)
	out, err := execute(t, f, "set", "flux-system", "stable", "--wait=false")
	if exitcode.Of(err) != exitcode.Usage || err == nil || !strings.HasPrefix(err.Error(), "refusing to switch GitRepository flux-system/flux-system from branch main to branch stable without --yes") {
		t.Errorf("err %v (code %d), out %q", err, exitcode.Of(err), out)
	}
	if ref := refOf(t, f, "flux-system", "flux-system"); !reflect.DeepEqual(ref, map[string]any{"branch": "main"}) {
		t.Errorf("written without --yes: %v", ref)
	}
	// A branch the remote lacks is refused before the question.
	_, err = execute(t, f, "set", "flux-system", "nope", "--yes")
	if exitcode.Of(err) != exitcode.NotFound || err == nil || !strings.HasPrefix(err.Error(), `branch "nope" does not exist in `) {
		t.Errorf("missing branch: %v (code %d)", err, exitcode.Of(err))
	}
	// A selection that matches nothing.
	_, err = execute(t, f, "set", "-l", "team=b", "-A", "stable", "--yes")
	if exitcode.Of(err) != exitcode.NotFound || err == nil || err.Error() != "no GitRepository matches -l team=b in any namespace" {
		t.Errorf("empty selection: %v (code %d)", err, exitcode.Of(err))
	}

	// set then restore, with --yes: back to main.
	if _, err := execute(t, f, "set", "flux-system", "stable", "--yes", "--wait=false"); err != nil {
		t.Fatal(err)
	}
	if ref := refOf(t, f, "flux-system", "flux-system"); !reflect.DeepEqual(ref, map[string]any{"branch": "stable"}) {
		t.Errorf("after set: %v", ref)
	}
	out, err = execute(t, f, "restore", "flux-system", "--yes", "--wait=false", "-o", "json")
	if err != nil {
		t.Fatal(err)
	}
	if rs := switched(t, out); len(rs) != 1 || rs[0].Action != "restore" || !rs[0].Changed || rs[0].To.String() != "branch main" {
		t.Errorf("restore printed %s", out)
	}
	if ref := refOf(t, f, "flux-system", "flux-system"); !reflect.DeepEqual(ref, map[string]any{"branch": "main"}) {
		t.Errorf("after restore: %v", ref)
	}
}
