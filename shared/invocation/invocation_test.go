package invocation

import (
	"context"
	"testing"
)

func TestCommand(t *testing.T) {
	tests := []struct {
		invoked, args, want string
	}{
		{"kubectl gitops", "rollback resume apps -n x", "kubectl gitops rollback resume apps -n x"},
		{"flux gitops", "rollback resume apps -n x", "flux gitops rollback resume apps -n x"},
		// make build's per-plugin binary kubectl-gitops-rollback
		{"kubectl gitops rollback", "rollback resume apps -n x", "kubectl gitops rollback resume apps -n x"},
		// krew's per-plugin binaries: another plugin's command is that plugin's binary
		{"kubectl gitops-rollback", "rollback resume apps -n x", "kubectl gitops-rollback resume apps -n x"},
		{"kubectl gitops-trace", "deps apps -n x", "kubectl gitops-deps apps -n x"},
		{"flux gitops-rollback", "rollback history", "flux gitops-rollback history"},
		// a test binary, a renamed copy
		{"rollback.test", "deps", "kubectl gitops deps"},
		{"", "deps", "kubectl gitops deps"},
		{"helm gitops", "deps", "kubectl gitops deps"},
	}
	for _, tt := range tests {
		t.Run(tt.invoked+"/"+tt.args, func(t *testing.T) {
			ctx := NewContext(context.Background(), Parse(tt.invoked))
			if got := Command(ctx, tt.args); got != tt.want {
				t.Errorf("Command = %q, want %q", got, tt.want)
			}
		})
	}
	if got := Command(context.Background(), "deps -A"); got != "kubectl gitops deps -A" {
		t.Errorf("no name in the context: %q", got)
	}
	for invoked, want := range map[string]string{"": "kubectl gitops", "flux gitops": "flux gitops", "kubectl gitops-branch": "kubectl gitops"} {
		if got := Parse(invoked).Suite(); got != want {
			t.Errorf("Parse(%q).Suite() = %q, want %q", invoked, got, want)
		}
	}
}

func TestRewrite(t *testing.T) {
	flux := Parse("flux gitops")
	krew := Parse("kubectl gitops-branch")
	tests := []struct {
		name       string
		n          Name
		text, want string
	}{
		{"canonical command", flux, "kubectl gitops rollback unpin apps -n x", "flux gitops rollback unpin apps -n x"},
		{"per plugin", krew, "kubectl gitops rollback unpin apps -n x", "kubectl gitops-rollback unpin apps -n x"},
		{"default", Name{}, "kubectl gitops rollback unpin apps -n x", "kubectl gitops rollback unpin apps -n x"},
		{"not a suite command", flux, "flux resume kustomization apps", "flux resume kustomization apps"},
		{"not at the start", flux, "run kubectl gitops deps", "run kubectl gitops deps"},
		{"another plugin", flux, "kubectl gitops-deps", "kubectl gitops-deps"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.n.Rewrite(tt.text); got != tt.want {
				t.Errorf("Rewrite(%q) = %q, want %q", tt.text, got, tt.want)
			}
		})
	}
}
