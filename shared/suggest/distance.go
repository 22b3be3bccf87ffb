// Package suggest finds the names a user probably meant: "did you mean" for a typo in
// a dependsOn entry or a command.
package suggest

// Distance returns the Levenshtein distance between a and b if it is
// at most limit, and -1 otherwise. Only the diagonal band of width
// 2*limit+1 is computed and the loop stops as soon as a whole row exceeds
// the limit, so comparing against many candidates stays cheap: O(len*limit)
// per pair instead of O(len²).
//
// Kubernetes object names are ASCII (RFC 1123), so bytes are compared.
func Distance(a, b string, limit int) int {
	if len(a) > len(b) {
		a, b = b, a
	}
	if len(b)-len(a) > limit {
		return -1
	}
	inf := limit + 1
	// Names are at most 253 bytes and usually under 64: keep the rows on
	// the stack for the common case, since this runs once per candidate.
	var bufA, bufB [64]int
	prev, cur := bufA[:0], bufB[:0]
	if len(b)+1 > len(bufA) {
		prev, cur = make([]int, 0, len(b)+1), make([]int, 0, len(b)+1)
	}
	prev, cur = prev[:len(b)+1], cur[:len(b)+1]
	for j := range prev {
		prev[j] = min(j, inf)
	}
	for i := 1; i <= len(a); i++ {
		lo := max(1, i-limit)
		hi := min(len(b), i+limit)
		// The cells just outside the band are read by this row (lo-1) and
		// the next one (hi+1); keep them "too far".
		if lo == 1 {
			cur[0] = min(i, inf)
		} else {
			cur[lo-1] = inf
		}
		if hi < len(b) {
			cur[hi+1] = inf
		}
		rowMin := cur[lo-1]
		for j := lo; j <= hi; j++ {
			v := prev[j-1]
			if a[i-1] != b[j-1] {
				v++
			}
			v = min(v, prev[j]+1, cur[j-1]+1, inf)
			cur[j] = v
			rowMin = min(rowMin, v)
		}
		if rowMin > limit {
			return -1
		}
		prev, cur = cur, prev
	}
	if d := prev[len(b)]; d <= limit {
		return d
	}
	return -1
}
