package suggest

import "testing"

// naiveDistance is the textbook full-matrix Levenshtein, the oracle for the
// banded version.
func naiveDistance(a, b string) int {
	d := make([][]int, len(a)+1)
	for i := range d {
		d[i] = make([]int, len(b)+1)
		d[i][0] = i
	}
	for j := range d[0] {
		d[0][j] = j
	}
	for i := 1; i <= len(a); i++ {
		for j := 1; j <= len(b); j++ {
			c := 1
			if a[i-1] == b[j-1] {
				c = 0
			}
			d[i][j] = min(d[i-1][j]+1, d[i][j-1]+1, d[i-1][j-1]+c)
		}
	}
	return d[len(a)][len(b)]
}

func TestBoundedDistance(t *testing.T) {
	words := []string{"", "a", "ab", "ba", "abc", "infra", "infrastructure", "infra-structure",
		"apps", "app", "aps", "spps", "cert-manager", "certmanager", "cert-manger", "kube-system",
		"flux-system", "flux-sytem", "xyz", "monitoring", "monitorign", "abcdef", "fedcba"}
	for _, a := range words {
		for _, b := range words {
			want := naiveDistance(a, b)
			if want > 2 {
				want = -1
			}
			if got := Distance(a, b, 2); got != want {
				t.Errorf("Distance(%q, %q, 2) = %d, want %d", a, b, got, want)
			}
		}
	}
}
