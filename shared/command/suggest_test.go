package command

import "testing"

func TestSuggestCommand(t *testing.T) {
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
		if got := SuggestCommand(tt.word); got != tt.want {
			t.Errorf("SuggestCommand(%q) = %q, want %q", tt.word, got, tt.want)
		}
	}
}
