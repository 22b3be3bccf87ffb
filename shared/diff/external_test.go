package diff

import (
	"bytes"
	"encoding/base64"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/cli-runtime/pkg/genericiooptions"

	"github.com/kubectl-gitops/kubectl-gitops/shared/output"
)

const (
	secretBefore = "old-password-value"
	secretAfter  = "new-password-value"
	substituted  = "substituted-hidden"
)

func obj(apiVersion, kind, ns, name string, fields map[string]any) *unstructured.Unstructured {
	u := &unstructured.Unstructured{Object: map[string]any{"apiVersion": apiVersion, "kind": kind,
		"metadata": map[string]any{"name": name, "namespace": ns, "managedFields": []any{map[string]any{"manager": "kubectl"}}}}}
	for k, v := range fields {
		u.Object[k] = v
	}
	return u
}

// externalSample is a document whose objects kept their YAML as compareOne keeps it: a
// changed ConfigMap holding a substituted secret value, a changed Secret (live values
// in clear, as a careless caller might pass them), a created Deployment, a pruned
// ConfigMap and an unchanged one.
func externalSample(t *testing.T) *Diff {
	t.Helper()
	secrets := []string{substituted}
	objs := []struct {
		action       Action
		live, merged *unstructured.Unstructured
	}{
		{Changed, obj("v1", "ConfigMap", "shop", "a", map[string]any{"data": map[string]any{"key": "v1", "greeting": substituted}}),
			obj("v1", "ConfigMap", "shop", "a", map[string]any{"data": map[string]any{"key": "v2", "greeting": substituted}})},
		{Changed, obj("v1", "Secret", "shop", "creds", map[string]any{"data": map[string]any{"password": base64.StdEncoding.EncodeToString([]byte(secretBefore))}}),
			obj("v1", "Secret", "shop", "creds", map[string]any{"stringData": map[string]any{"password": secretAfter}})},
		{Created, nil, obj("apps/v1", "Deployment", "shop", "api", map[string]any{"spec": map[string]any{"replicas": int64(2)}})},
		{Pruned, obj("v1", "ConfigMap", "shop", "gone", map[string]any{"data": map[string]any{"key": "old"}}), nil},
		{Unchanged, nil, nil},
	}
	k := Kustomization{Name: "apps", Namespace: "flux-system"}
	for _, x := range objs {
		o := Object{ObjectRef: output.ObjectRef{APIVersion: "v1", Kind: "ConfigMap", Namespace: "shop", Name: "same"}, Action: x.action, Diff: "--- inline\n"}
		if u := x.merged; u != nil {
			o.ObjectRef = output.ObjectRef{APIVersion: u.GetAPIVersion(), Kind: u.GetKind(), Namespace: u.GetNamespace(), Name: u.GetName()}
		} else if u := x.live; u != nil {
			o.ObjectRef = output.ObjectRef{APIVersion: u.GetAPIVersion(), Kind: u.GetKind(), Namespace: u.GetNamespace(), Name: u.GetName()}
		}
		if err := o.keep(x.live, x.merged, secrets); err != nil {
			t.Fatal(err)
		}
		k.Objects = append(k.Objects, o)
	}
	d := New()
	d.Kustomizations = append(d.Kustomizations, k)
	return d
}

// script writes an external diff program: it prints its two arguments, then each file
// of both folders with its content, and exits with code.
func script(t *testing.T, code string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "show-diff")
	body := "#!/bin/sh\necho \"from=$1\"\necho \"to=$2\"\nfor f in \"$1\"/* \"$2\"/*; do echo \"== $(basename \"$(dirname \"$f\")\" | cut -d- -f1)/$(basename \"$f\")\"; cat \"$f\"; done\nexit " + code + "\n"
	if err := os.WriteFile(p, []byte(body), 0o755); err != nil {
		t.Fatal(err)
	}
	return p
}

// TestRunExternal runs a script as KUBECTL_EXTERNAL_DIFF: it is given a LIVE and a
// MERGED folder holding one file per object that differs (kubectl's names, an absent
// side empty), its output is passed through, no Secret value reaches the files, and
// both folders are gone afterwards. Exit 1 (differences, as diff(1)) is no error; 2 is.
func TestRunExternal(t *testing.T) {
	t.Setenv(ExternalDiffEnv, script(t, "1"))
	var out, errOut bytes.Buffer
	if err := externalSample(t).RunExternal(genericiooptions.IOStreams{Out: &out, ErrOut: &errOut}); err != nil {
		t.Fatalf("RunExternal: %v\n%s", err, errOut.String())
	}
	got := out.String()
	for _, want := range []string{
		"== LIVE/v1.ConfigMap.shop.a\napiVersion: v1\ndata:\n  greeting: ***\n  key: v1\n",
		"== MERGED/v1.ConfigMap.shop.a\napiVersion: v1\ndata:\n  greeting: ***\n  key: v2\n",
		"== LIVE/v1.Secret.shop.creds\napiVersion: v1\ndata:\n  password: '***'\n",
		"== MERGED/v1.Secret.shop.creds\napiVersion: v1\nkind: Secret\nmetadata:\n  name: creds\n  namespace: shop\nstringData:\n  password: '***'\n",
		"== LIVE/apps.v1.Deployment.shop.api\n== ",
		"== MERGED/apps.v1.Deployment.shop.api\napiVersion: apps/v1\nkind: Deployment\n",
		"== LIVE/v1.ConfigMap.shop.gone\napiVersion: v1\ndata:\n  key: old\n",
		"== MERGED/v1.ConfigMap.shop.gone\n",
	} {
		if !strings.Contains(got, want) {
			t.Errorf("program output lacks %q:\n%s", want, got)
		}
	}
	for _, leak := range []string{secretBefore, secretAfter, substituted, base64.StdEncoding.EncodeToString([]byte(secretBefore)), "managedFields", "same"} {
		if strings.Contains(got, leak) {
			t.Errorf("the files hold %q:\n%s", leak, got)
		}
	}
	for _, line := range strings.Split(got, "\n") {
		for _, prefix := range []string{"from=", "to="} {
			if dir, ok := strings.CutPrefix(line, prefix); ok {
				if !strings.Contains(filepath.Base(dir), map[string]string{"from=": "LIVE-", "to=": "MERGED-"}[prefix]) {
					t.Errorf("%s%s: want kubectl's LIVE-/MERGED- folders", prefix, dir)
				}
				if _, err := os.Stat(dir); !os.IsNotExist(err) {
					t.Errorf("%s is left behind (%v)", dir, err)
				}
			}
		}
	}

	t.Setenv(ExternalDiffEnv, script(t, "2"))
	if err := externalSample(t).RunExternal(genericiooptions.IOStreams{Out: &out, ErrOut: &errOut}); err == nil {
		t.Error("a program exiting 2 (its own failure) is no error")
	}
}

// TestWithoutInlineDiffs: the text view beside an external program names the objects
// without their diffs, and leaves the document it was made from as it was.
func TestWithoutInlineDiffs(t *testing.T) {
	d := externalSample(t)
	plain := d.WithoutInlineDiffs()
	for _, o := range plain.Kustomizations[0].Objects {
		if o.Diff != "" {
			t.Errorf("%s keeps its diff", o.String())
		}
	}
	if d.Kustomizations[0].Objects[0].Diff == "" {
		t.Error("the original document lost its diffs")
	}
}

// TestExternalProgram reads KUBECTL_EXTERNAL_DIFF as kubectl diff does: the program,
// then only its safe further words, after the two folders; diff -u -N without it.
func TestExternalProgram(t *testing.T) {
	tests := []struct {
		env, program string
		args         []string
	}{
		{"", "diff", []string{"-u", "-N", "A", "B"}},
		{"meld", "meld", []string{"A", "B"}},
		{"colordiff -u -N --color=always", "colordiff", []string{"A", "B", "-u", "-N", "--color=always"}},
		{"diff -u;rm -rf /", "diff", []string{"A", "B", "-rf"}}, // as kubectl: each word on its own
		{"diff $(x) -N", "diff", []string{"A", "B", "-N"}},
	}
	for _, tt := range tests {
		program, args := externalProgram(tt.env, "A", "B")
		if program != tt.program || strings.Join(args, " ") != strings.Join(tt.args, " ") {
			t.Errorf("%q: %s %q, want %s %q", tt.env, program, args, tt.program, tt.args)
		}
	}
}
