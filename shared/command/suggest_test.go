package command

import (
	"context"
	"testing"

	"github.com/kubectl-gitops/kubectl-gitops/shared/invocation"
)

func TestSuggestCommand(t *testing.T) {
	flux := invocation.NewContext(context.Background(), invocation.Parse("flux gitops"))
	krew := invocation.NewContext(context.Background(), invocation.Parse("kubectl gitops-trace"))
	if got := SuggestCommand(flux, "dpes"); got != "flux gitops deps" {
		t.Errorf("as flux gitops: %q", got)
	}
	if got := SuggestCommand(krew, "dpes"); got != "kubectl gitops-deps" {
		t.Errorf("as kubectl gitops-trace: %q", got)
	}
	tests := []struct{ word, want string }{
		{"deps", "kubectl gitops deps"},
		{"dpes", "kubectl gitops deps"},
		{"dep", "kubectl gitops deps"},
		{"rolback", "kubectl gitops rollback"},
		{"deploy", ""},
		{"deploy/api", ""},
		{"cm", ""},
		{"secrets", ""},
		{"ds", ""},
	}
	for _, tt := range tests {
		if got := SuggestCommand(context.Background(), tt.word); got != tt.want {
			t.Errorf("SuggestCommand(%q) = %q, want %q", tt.word, got, tt.want)
		}
	}
}
