package suggest

import (
	"slices"
	"testing"
)

func TestClosest(t *testing.T) {
	tests := []struct {
		word       string
		candidates []string
		want       []string
	}{
		{"aps", []string{"infra", "apps", "app", "apps", "aps-x"}, []string{"apps", "app", "aps-x"}},
		{"apps", []string{"apps"}, []string{}},
		{"zzz", []string{"apps", "infra"}, []string{}},
		{"infr", []string{"infra-x", "infra", "infr2", "infr3", "inf"}, []string{"infra", "infr2", "infr3"}},
	}
	for _, tt := range tests {
		if got := Closest(tt.word, tt.candidates, 2, 3); !slices.Equal(got, tt.want) {
			t.Errorf("Closest(%q, %v) = %v, want %v", tt.word, tt.candidates, got, tt.want)
		}
	}
}
