package git

import "testing"

func TestSameRepository(t *testing.T) {
	for _, tc := range []struct {
		a, b string
		same bool
	}{
		{"https://github.com/org/fleet", "https://github.com/org/fleet.git", true},
		{"https://user:token@github.com/org/fleet.git", "https://github.com/org/fleet/", true},
		{"ssh://git@github.com/org/fleet", "git@github.com:org/fleet.git", true},
		{"ssh://git@GitHub.com:22/org/fleet", "git@github.com:org/fleet", true},
		{"http://127.0.0.1:8080/fleet.git", "http://127.0.0.1:8080/fleet", true},
		{"http://127.0.0.1:8080/fleet.git", "http://127.0.0.1:8081/fleet", false},
		{"https://github.com/org/fleet", "https://github.com/org/other", false},
		{"https://github.com/org/fleet", "https://gitlab.com/org/fleet", false},
	} {
		if got := SameRepository(tc.a, tc.b); got != tc.same {
			t.Errorf("SameRepository(%q, %q) = %v, want %v", tc.a, tc.b, got, tc.same)
		}
	}
}
