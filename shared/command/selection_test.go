package command

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/spf13/cobra"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/cli-runtime/pkg/genericiooptions"

	"github.com/kubectl-gitops/kubectl-gitops/shared/cluster/clustertest"
	"github.com/kubectl-gitops/kubectl-gitops/shared/exitcode"
	"github.com/kubectl-gitops/kubectl-gitops/shared/flux"
)

func TestSelectionValidate(t *testing.T) {
	tests := []struct {
		name string
		sel  Selection
		code exitcode.Code // OK for no error
		msg  string
	}{
		{"names", Selection{Names: []string{"a", "b"}}, exitcode.OK, ""},
		{"selector", Selection{Selector: "app=x"}, exitcode.OK, ""},
		{"all namespaces", Selection{AllNamespaces: true}, exitcode.OK, ""},
		{"selector in every namespace", Selection{Selector: "app=x", AllNamespaces: true}, exitcode.OK, ""},
		{"names and selector", Selection{Names: []string{"a"}, Selector: "app=x"}, exitcode.Usage, "name GitRepositories or select them with -l/-A, not both"},
		{"names and -A", Selection{Names: []string{"a"}, AllNamespaces: true}, exitcode.Usage, "not both"},
		{"-A and -n", Selection{AllNamespaces: true, explicit: true}, exitcode.Usage, "--all-namespaces and --namespace cannot be used together"},
		{"nothing", Selection{}, exitcode.Usage, "name a GitRepository, or select them with -l or -A, e.g. 'EXAMPLE'"},
		{"empty name", Selection{Names: []string{"a", ""}}, exitcode.Usage, "the GitRepository name is empty: name one, e.g. 'EXAMPLE'"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tt.sel.Kind = flux.KindGitRepository
			err := tt.sel.Validate("EXAMPLE")
			if exitcode.Of(err) != tt.code || (err != nil && !strings.Contains(err.Error(), tt.msg)) {
				t.Errorf("Validate = %v (code %d), want code %d %q", err, exitcode.Of(err), tt.code, tt.msg)
			}
		})
	}
}

func TestPlural(t *testing.T) {
	for kind, want := range map[string]string{flux.KindGitRepository: "GitRepositories", flux.KindKustomization: "Kustomizations", flux.KindHelmRelease: "HelmReleases"} {
		if got := plural(kind); got != want {
			t.Errorf("plural(%q) = %q, want %q", kind, got, want)
		}
	}
}

func gitRepository(namespace, name string, labels map[string]string) *unstructured.Unstructured {
	u := &unstructured.Unstructured{Object: map[string]any{"apiVersion": "source.toolkit.fluxcd.io/v1", "kind": flux.KindGitRepository}}
	u.SetNamespace(namespace)
	u.SetName(name)
	u.SetLabels(labels)
	return u
}

func TestSelectionResolve(t *testing.T) {
	f := clustertest.New("flux-system",
		gitRepository("flux-system", "infra", map[string]string{"tier": "infra"}),
		gitRepository("flux-system", "apps", map[string]string{"tier": "apps"}),
		gitRepository("shop", "shop", map[string]string{"tier": "apps"}))
	tests := []struct {
		name     string
		args     []string
		selector string
		all      bool
		want     []types.NamespacedName
		code     exitcode.Code
		msg      string
	}{
		{"names as given, even missing", []string{"apps", "gone"}, "", false,
			[]types.NamespacedName{{Namespace: "flux-system", Name: "apps"}, {Namespace: "flux-system", Name: "gone"}}, exitcode.OK, ""},
		{"selector in the namespace", nil, "tier=apps", false, []types.NamespacedName{{Namespace: "flux-system", Name: "apps"}}, exitcode.OK, ""},
		{"selector everywhere", nil, "tier=apps", true,
			[]types.NamespacedName{{Namespace: "flux-system", Name: "apps"}, {Namespace: "shop", Name: "shop"}}, exitcode.OK, ""},
		{"every one", nil, "", true, []types.NamespacedName{{Namespace: "flux-system", Name: "apps"}, {Namespace: "flux-system", Name: "infra"}, {Namespace: "shop", Name: "shop"}}, exitcode.OK, ""},
		{"selector matching nothing", nil, "tier=db", false, nil, exitcode.NotFound, "no GitRepository matches -l tier=db in namespace flux-system"},
		{"nothing anywhere", nil, "tier=db", true, nil, exitcode.NotFound, "no GitRepository matches -l tier=db in any namespace"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := Selection{Kind: flux.KindGitRepository, Selector: tt.selector, AllNamespaces: tt.all}
			if err := s.Complete(f, tt.args); err != nil {
				t.Fatal(err)
			}
			got, err := s.Resolve(context.Background(), f.Dynamic)
			if exitcode.Of(err) != tt.code || (err != nil && !strings.Contains(err.Error(), tt.msg)) {
				t.Fatalf("Resolve error %v (code %d), want code %d %q", err, exitcode.Of(err), tt.code, tt.msg)
			}
			if len(got) != len(tt.want) {
				t.Fatalf("Resolve = %v, want %v", got, tt.want)
			}
			for i := range got {
				if got[i] != tt.want[i] {
					t.Errorf("Resolve = %v, want %v", got, tt.want)
				}
			}
		})
	}
}

func TestNamed(t *testing.T) {
	f := clustertest.New("apps")
	n := Named{Kind: flux.KindKustomization}
	if err := n.Complete(f, nil); err != nil || n.Namespace != "apps" {
		t.Fatalf("Complete = %v, %+v", err, n)
	}
	if c, err := n.Cluster.Client(); err != nil || c == nil {
		t.Fatalf("Complete took no cluster: %v", err)
	}
	if err := n.Validate("kubectl gitops rollback history apps"); exitcode.Of(err) != exitcode.Usage ||
		err.Error() != "the Kustomization name is empty: name one, e.g. 'kubectl gitops rollback history apps'" {
		t.Errorf("empty name: %v", err)
	}
	if err := n.Complete(f, []string{"web"}); err != nil || n.Name != "web" || n.Validate("x") != nil {
		t.Errorf("named: %v, %+v", err, n)
	}
}

func TestWriteFlags(t *testing.T) {
	tests := []struct {
		name    string
		waitFor string
		args    []string
		want    Write
		code    exitcode.Code
	}{
		{"defaults without a wait", "", nil, Write{Timeout: time.Minute}, exitcode.OK},
		{"defaults with a wait", "Flux applied it", nil, Write{Wait: true, Timeout: 5 * time.Minute}, exitcode.OK},
		{"every flag", "Flux applied it", []string{"--dry-run", "--yes", "--wait=false", "--timeout", "30s"}, Write{DryRun: true, Yes: true, Timeout: 30 * time.Second}, exitcode.OK},
		{"zero timeout", "Flux applied it", []string{"--timeout", "0s"}, Write{Wait: true}, exitcode.Usage},
		{"negative timeout", "Flux applied it", []string{"--timeout=-1m"}, Write{Wait: true, Timeout: -time.Minute}, exitcode.Usage},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var w Write
			cmd := &cobra.Command{Use: "x"}
			w.AddFlags(cmd, ServerDryRun, tt.waitFor)
			if err := cmd.ParseFlags(tt.args); err != nil {
				t.Fatal(err)
			}
			if w != tt.want {
				t.Errorf("flags = %+v, want %+v", w, tt.want)
			}
			if err := w.Validate(); exitcode.Of(err) != tt.code {
				t.Errorf("Validate = %v, want code %d", err, tt.code)
			}
		})
	}
}

// TestConfirm: --yes asks nothing; without a terminal, the writer refuses and says why.
func TestConfirm(t *testing.T) {
	streams, _, _, errOut := genericiooptions.NewTestIOStreams()
	if err := Confirm(streams, true)("suspend Kustomization a/b"); err != nil {
		t.Errorf("--yes: %v", err)
	}
	err := Confirm(streams, false)("suspend Kustomization a/b")
	var coded *exitcode.Error
	if !errors.As(err, &coded) || coded.Code != exitcode.Usage ||
		err.Error() != "refusing to suspend Kustomization a/b without --yes: there is no terminal to confirm on (nothing was changed)" {
		t.Errorf("no terminal: %v", err)
	}
	// A preview below the question stays out of the refusal's one line.
	err = Confirm(streams, false)("resume Kustomization a/b\n  changes: the apply of main@sha1:abc makes 1 difference")
	if err == nil || err.Error() != "refusing to resume Kustomization a/b without --yes: there is no terminal to confirm on (nothing was changed)" {
		t.Errorf("a summary with a preview: %v", err)
	}
	if errOut.Len() != 0 {
		t.Errorf("asked without a terminal: %q", errOut.String())
	}
	if Progress(streams) != nil {
		t.Error("progress lines without a terminal")
	}
}
