package redact

import (
	"strings"
	"testing"
)

// textUnfiltered is Text with every expression run unconditionally: what Text did
// before it skipped the expressions that cannot match.
func textUnfiltered(s string) string {
	if !strings.ContainsAny(s, "@?") {
		return s
	}
	s = quotedURL().ReplaceAllStringFunc(s, func(q string) string { return q[:1] + URL(q[1:len(q)-1]) + q[:1] })
	s = authorityInText().ReplaceAllString(s, "://")
	s = urlInText().ReplaceAllStringFunc(s, URL)
	s = queryInText().ReplaceAllStringFunc(s, func(m string) string {
		key := m[1:strings.IndexByte(m, '=')]
		if apiParam(key) {
			return m
		}
		return m[:strings.IndexByte(m, '=')+1] + Mask
	})
	return userinfoInText().ReplaceAllString(s, "")
}

// prefilterCases are texts on both sides of every skip: revisions, URLs with and
// without credentials, queries, scp-style addresses, blanks and quotes between ':'
// and '@', invalid UTF-8.
var prefilterCases = []string{
	"", "main@sha1:5394cb7f48332b2de7c17dd8b8384bbc84b7e738", "applied main@sha1:5394cb7f4833, at main@sha1:5394cb7f4833",
	"v1.0.0@sha256:abc", "a:b c@d", "a:b\tc@d", "a:b'c@d", `a:b"c@d`, "a:bc@d", "x@y:z@w", "@@::@@", ":@", "a:@",
	"user:pw@host:org/repo.git", "git@github.com:org/repo", "https://user:pw@host/x", "https://host/x?token=abc",
	"GET https://h/o?limit=500&sig=s 403", "x?a=b", "x?a", "x&a=b@c", "'https://u:p w@h/x'", "\xff:\xfe@x", "é:ü@ß",
	"unable to clone 'ssh://git:pw@host/repo': auth", "k=v?&=", "ref main@sha1:abc (https://h/x?y=z)",
}

func TestTextSkipsOnlyWhatCannotMatch(t *testing.T) {
	for _, in := range prefilterCases {
		if got, want := Text(in), textUnfiltered(in); got != want {
			t.Errorf("Text(%q) = %q, the expressions alone give %q", in, got, want)
		}
	}
}

func FuzzTextPrefilter(f *testing.F) {
	for _, s := range prefilterCases {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, in string) {
		if got, want := Text(in), textUnfiltered(in); got != want {
			t.Errorf("Text(%q) = %q, the expressions alone give %q", in, got, want)
		}
	})
}

// BenchmarkTextRevision is the text a bulk trace shows per object: a revision.
func BenchmarkTextRevision(b *testing.B) {
	for i := 0; i < b.N; i++ {
		Text("applied main@sha1:5394cb7f4833, at main@sha1:5394cb7f4833")
	}
}

func BenchmarkTextRevisionUnfiltered(b *testing.B) {
	for i := 0; i < b.N; i++ {
		textUnfiltered("applied main@sha1:5394cb7f4833, at main@sha1:5394cb7f4833")
	}
}
