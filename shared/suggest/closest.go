package suggest

import "slices"

// Closest returns the candidates within edit distance limit of word, nearest first
// (ties keep the candidates' order), at most max, without repeats: the "did you mean"
// of a name typed on the command line.
func Closest(word string, candidates []string, limit, max int) []string {
	type cand struct {
		name string
		d, i int
	}
	var found []cand
	seen := map[string]bool{}
	for i, c := range candidates {
		if seen[c] || c == word {
			continue
		}
		if d := Distance(word, c, limit); d >= 0 {
			seen[c] = true
			found = append(found, cand{c, d, i})
		}
	}
	slices.SortStableFunc(found, func(a, b cand) int { return a.d - b.d })
	out := make([]string, 0, min(len(found), max))
	for _, c := range found[:min(len(found), max)] {
		out = append(out, c.name)
	}
	return out
}
