package revision

import (
	"errors"
	"strings"
	"testing"
)

const (
	sha1Hex   = "5394cb7f48332b2de7c17dd8b8384bbc84b7e738"
	sha256Hex = "d52bde83c5b2bd0fa7910264e0afc3ac9cfe9b6636ca29c05c09742f01d5a4bd"
)

type canonicalExample struct {
	name string
	in   string
	want Revision
}

// canonicalExamples are inputs already in the form String() produces, so
// they must round-trip byte for byte.
func canonicalExamples() []canonicalExample {
	return []canonicalExample{
		{"branch", "main@sha1:" + sha1Hex, Revision{"main", "sha1", sha1Hex}},
		{"branch with slash", "feature/x@sha1:" + sha1Hex, Revision{"feature/x", "sha1", sha1Hex}},
		{"tag", "v1.2.3@sha1:" + sha1Hex, Revision{"v1.2.3", "sha1", sha1Hex}},
		{"semver without v", "1.2.3@sha1:" + sha1Hex, Revision{"1.2.3", "sha1", sha1Hex}},
		{"ref.name", "refs/heads/x@sha1:" + sha1Hex, Revision{"refs/heads/x", "sha1", sha1Hex}},
		{"ref.name tag", "refs/tags/v1@sha1:" + sha1Hex, Revision{"refs/tags/v1", "sha1", sha1Hex}},
		{"bare sha1 commit", "sha1:" + sha1Hex, Revision{"", "sha1", sha1Hex}},
		{"bucket sha256", "sha256:" + sha256Hex, Revision{"", "sha256", sha256Hex}},
		{"sha256 git branch", "main@sha256:" + sha256Hex, Revision{"main", "sha256", sha256Hex}},
		{"oci tag", "latest@sha256:" + sha256Hex, Revision{"latest", "sha256", sha256Hex}},
		{"oci semver tag", "6.5.4-rc.1_build@sha256:" + sha256Hex, Revision{"6.5.4-rc.1_build", "sha256", sha256Hex}},
		{"ref with colon and at", "we:ird@ref@sha1:" + sha1Hex, Revision{"we:ird@ref", "sha1", sha1Hex}},
		{"HEAD kept in v2 form", "HEAD@sha1:" + sha1Hex, Revision{"HEAD", "sha1", sha1Hex}},
		{"version-like branch", "v2-dev@sha1:" + sha1Hex, Revision{"v2-dev", "sha1", sha1Hex}},
		{"date branch", "2024-01@sha1:" + sha1Hex, Revision{"2024-01", "sha1", sha1Hex}},
		{"unknown algorithm", "main@blake3:AbC_-=09", Revision{"main", "blake3", "AbC_-=09"}},
		{"oci-style algorithm", "sha256+b64u:LCa0a2j_xo_5m0U8HTBBNBNCLXBkg7-g-YpeiGJm564", Revision{"", "sha256+b64u", "LCa0a2j_xo_5m0U8HTBBNBNCLXBkg7-g-YpeiGJm564"}},
		{"sha512", "sha512:" + strings.Repeat("ab", 64), Revision{"", "sha512", strings.Repeat("ab", 64)}},
	}
}

func TestParseCanonical(t *testing.T) {
	for _, tc := range canonicalExamples() {
		t.Run(tc.name, func(t *testing.T) {
			got, err := Parse(tc.in)
			if err != nil {
				t.Fatalf("Parse(%q): %v", tc.in, err)
			}
			if got != tc.want {
				t.Fatalf("Parse(%q) = %#v, want %#v", tc.in, got, tc.want)
			}
			if s := got.String(); s != tc.in {
				t.Errorf("String() = %q, want round-trip %q", s, tc.in)
			}
		})
	}
}

func TestParseLegacy(t *testing.T) {
	tests := []struct {
		name, in, canonical string
	}{
		{"branch", "main/" + sha1Hex, "main@sha1:" + sha1Hex},
		{"nested branch", "feature/branch/" + sha1Hex, "feature/branch@sha1:" + sha1Hex},
		{"HEAD means no ref", "HEAD/" + sha1Hex, "sha1:" + sha1Hex},
		{"tag with sha256", "tag/" + sha256Hex, "tag@sha256:" + sha256Hex},
		{"bare sha1", sha1Hex, "sha1:" + sha1Hex},
		{"bare sha256", sha256Hex, "sha256:" + sha256Hex},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := Parse(tc.in)
			if err != nil {
				t.Fatalf("Parse(%q): %v", tc.in, err)
			}
			if s := got.String(); s != tc.canonical {
				t.Errorf("String() = %q, want %q", s, tc.canonical)
			}
			want, err := Parse(tc.canonical)
			if err != nil {
				t.Fatalf("Parse(%q): %v", tc.canonical, err)
			}
			if got != want {
				t.Errorf("legacy %#v not Equal to canonical %#v", got, want)
			}
		})
	}
}

func TestParseErrors(t *testing.T) {
	tests := []struct {
		name     string
		in       string
		sentinel error
		mention  string // substring the message must contain
	}{
		{"empty", "", ErrMalformed, "empty revision"},
		{"chart version", "1.2.3", ErrNotDigest, "no digest"},
		{"chart version with build", "0.1.0+abc", ErrNotDigest, "no digest"},
		{"branch name only", "main", ErrNotDigest, "no digest"},
		{"short legacy hex", "main/abc123", ErrNotDigest, "no digest"},
		{"uppercase legacy hex", strings.ToUpper(sha1Hex), ErrNotDigest, "no digest"},
		{"legacy empty ref", "/" + sha1Hex, ErrMalformed, "empty ref before '/'"},
		{"empty ref", "@sha1:" + sha1Hex, ErrMalformed, "empty ref before '@'"},
		{"nothing after at", "main@", ErrMalformed, "missing digest"},
		{"no algorithm after at", "main@" + sha1Hex, ErrMalformed, "has no algorithm"},
		{"empty algorithm", ":" + sha1Hex, ErrMalformed, "empty digest algorithm"},
		{"uppercase algorithm", "main@SHA1:" + sha1Hex, ErrMalformed, "invalid digest algorithm \"SHA1\""},
		{"algorithm trailing separator", "sha-:" + sha1Hex, ErrMalformed, "invalid digest algorithm"},
		{"empty digest", "main@sha1:", ErrMalformed, "empty sha1 digest"},
		{"sha1 too short", "main@sha1:abc", ErrMalformed, "must be 40 hex characters, got 3"},
		{"sha1 too long", "sha1:" + sha256Hex, ErrMalformed, "must be 40 hex characters, got 64"},
		{"sha256 too short", "v1@sha256:" + sha1Hex, ErrMalformed, "must be 64 hex characters, got 40"},
		{"bad hex", "main@sha1:" + strings.Repeat("g", 40), ErrMalformed, "not lowercase hex: 'g' at offset 0"},
		{"uppercase hex", "main@sha1:" + strings.ToUpper(sha1Hex), ErrMalformed, "not lowercase hex"},
		{"colon in digest", "sha1:" + sha1Hex + ":x", ErrMalformed, "not lowercase hex: ':'"},
		{"bad unknown-algorithm digest", "md5:ab/cd", ErrMalformed, "contains '/' at offset 2"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := Parse(tc.in)
			if err == nil {
				t.Fatalf("Parse(%q) = %#v, want error", tc.in, got)
			}
			if got != (Revision{}) {
				t.Errorf("Parse(%q) returned %#v alongside an error", tc.in, got)
			}
			if !errors.Is(err, tc.sentinel) {
				t.Errorf("error %v does not match %v", err, tc.sentinel)
			}
			other := ErrNotDigest
			if tc.sentinel == ErrNotDigest {
				other = ErrMalformed
			}
			if errors.Is(err, other) {
				t.Errorf("error %v also matches %v", err, other)
			}
			var pe *ParseError
			if !errors.As(err, &pe) || pe.Input != tc.in {
				t.Errorf("error %v is not a *ParseError for %q", err, tc.in)
			}
			if !strings.Contains(err.Error(), tc.mention) {
				t.Errorf("error %q does not mention %q", err, tc.mention)
			}
		})
	}
}

func TestParseErrorTruncatesInput(t *testing.T) {
	_, err := Parse(strings.Repeat("x", 10000))
	if err == nil {
		t.Fatal("want error")
	}
	if n := len(err.Error()); n > 400 {
		t.Errorf("error message is %d bytes long, want it bounded", n)
	}
}

func TestCommit(t *testing.T) {
	tests := []struct {
		r    Revision
		want string
	}{
		{Revision{"main", "sha1", sha1Hex}, sha1Hex},
		{Revision{"main", "sha256", sha256Hex}, sha256Hex},
		{Revision{"", "blake3", "abc"}, ""},
		{Revision{}, ""},
	}
	for _, tc := range tests {
		if got := tc.r.Commit(); got != tc.want {
			t.Errorf("%#v.Commit() = %q, want %q", tc.r, got, tc.want)
		}
	}
}

func TestZeroValue(t *testing.T) {
	var r Revision
	if r.String() != "" || r.Commit() != "" {
		t.Errorf("zero Revision should render empty, got %q %q", r.String(), r.Commit())
	}
}
