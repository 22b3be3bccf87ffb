package revision

import (
	"errors"
	"testing"
)

// FuzzParse checks that Parse never panics, that every error is one of the
// two documented families, and that whatever Parse accepts re-encodes to a
// canonical string that parses back to the same value.
func FuzzParse(f *testing.F) {
	for _, tc := range canonicalExamples() {
		f.Add(tc.in)
	}
	for _, s := range []string{
		"main/" + sha1Hex, "feature/branch/" + sha1Hex, "HEAD/" + sha1Hex, "tag/" + sha256Hex,
		sha1Hex, sha256Hex, "/" + sha1Hex,
		"", "1.2.3", "0.1.0+abc", "main", "main@", "@sha1:" + sha1Hex, "main@sha1:abc",
		"main@SHA1:" + sha1Hex, "sha-:" + sha1Hex, "md5:ab/cd", ":", "@", "a@b:c@d",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		r, err := Parse(s)
		if err != nil {
			if !errors.Is(err, ErrNotDigest) && !errors.Is(err, ErrMalformed) {
				t.Fatalf("Parse(%q): error %v matches no sentinel", s, err)
			}
			if r != (Revision{}) {
				t.Fatalf("Parse(%q) returned %#v with error %v", s, r, err)
			}
			return
		}
		if r.Algorithm == "" || r.Digest == "" {
			t.Fatalf("Parse(%q) = %#v succeeded without algorithm or digest", s, r)
		}
		enc := r.String()
		r2, err := Parse(enc)
		if err != nil {
			t.Fatalf("Parse(%q) = %#v, but Parse(String() = %q) failed: %v", s, r, enc, err)
		}
		if r2 != r {
			t.Fatalf("Parse(%q) = %#v, Parse(%q) = %#v", s, r, enc, r2)
		}
		if enc2 := r2.String(); enc2 != enc {
			t.Fatalf("String not stable: %q then %q", enc, enc2)
		}
		_ = r.Commit()
	})
}
