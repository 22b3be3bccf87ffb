// Package revision parses the revision strings Flux writes into
// status.artifact.revision of its sources and into the
// lastAppliedRevision / lastAttemptedRevision fields of Kustomizations and
// HelmReleases.
//
// Flux v2 writes revisions as "<ref>@<algorithm>:<digest>" (for example
// "main@sha1:5394cb7f…" or "v1.2.3@sha256:…"), or as "<algorithm>:<digest>"
// when there is no named ref (a pinned commit, a Bucket). Objects last
// reconciled by Flux before v2.0 may still carry the legacy "<ref>/<hex>"
// form, so Parse accepts it too and normalises it: the plugins compare
// revisions across objects written at different times, and a string
// comparison would call the two spellings of one commit different.
//
// Where Flux itself compares revisions as strings (dependsOn's "revision is not up to
// date" check, a Kustomization's applied revision against its source's), the suite
// compares the strings too, so that it calls "current" exactly what Flux does. Where the
// suite decides on its own whether a commit was fetched or applied (the waits after a
// reconcile, the SHA shown for a revision), it parses with this package: a legacy
// spelling of the same commit is the same commit.
//
// HelmChart artifacts are the exception: their revision is a chart version
// ("1.2.3", "0.1.0+abc") with no digest at all. Parse reports those with an
// error matching ErrNotDigest so callers can fall back to showing the string
// as a plain version instead of treating it as corrupt.
package revision

import (
	"fmt"
	"strings"
)

// sentinelError is a constant error type so the sentinels below cannot be
// reassigned by any importer (a plain errors.New variable could be).
type sentinelError string

func (e sentinelError) Error() string { return string(e) }

const (
	// ErrNotDigest matches (via errors.Is) the error Parse returns for a
	// string that carries no digest at all, such as a HelmChart version.
	// It is a signal to fall back, not a sign of corruption.
	ErrNotDigest = sentinelError("revision has no digest")

	// ErrMalformed matches (via errors.Is) the error Parse returns for a
	// string that looks like a digest revision but is broken: bad hex, wrong
	// length for the algorithm, an empty ref before '@', and so on.
	ErrMalformed = sentinelError("malformed revision")
)

// maxQuoted bounds how much of the input a ParseError repeats, so a garbage
// status field cannot flood a terminal with one error line.
const maxQuoted = 160

// ParseError describes why Parse rejected its input. Use errors.Is with
// ErrNotDigest or ErrMalformed to tell the two families apart.
type ParseError struct {
	// Input is the string given to Parse.
	Input string
	// Reason says what was wrong, in words meant for a user.
	Reason string
	// Kind is ErrNotDigest or ErrMalformed.
	Kind error
}

func (e *ParseError) Error() string {
	in := e.Input
	if len(in) > maxQuoted {
		in = in[:maxQuoted] + "..."
	}
	return fmt.Sprintf("parse revision %q: %s", in, e.Reason)
}

// Unwrap returns the sentinel (ErrNotDigest or ErrMalformed) so errors.Is
// works through wrapping.
func (e *ParseError) Unwrap() error { return e.Kind }

// Revision is a parsed Flux revision. The zero value means "no revision".
type Revision struct {
	// Ref is the named pointer the source followed: a branch ("main"), a tag
	// or semver match ("v1.2.3"), a full ref ("refs/heads/main") or an OCI
	// tag. Empty when the source was pinned to a commit or has no ref (a
	// Bucket).
	Ref string
	// Algorithm names the digest algorithm, e.g. "sha1" or "sha256".
	Algorithm string
	// Digest is the encoded digest, lowercase hex for the sha* algorithms.
	Digest string
}

// Parse parses a Flux revision. Accepted forms:
//
//	main@sha1:<40 hex>             branch
//	v1.2.3@sha1:<40 hex>           tag or semver
//	refs/heads/main@sha1:<40 hex>  spec.ref.name
//	sha1:<40 hex>                  bare commit
//	main@sha256:<64 hex>           SHA-256 Git repository
//	sha256:<64 hex>                Bucket, or a bare SHA-256 commit
//	1.0.0@sha256:<64 hex>          OCIRepository tag
//	main/<40 hex>, <40 hex>        legacy (pre Flux 2.0), normalised
//
// The ref is everything before the last '@': a digest never contains '@',
// while refs and tags may contain '/', ':', '.', '-' and '_'. For sha1,
// sha256, sha384 and sha512 the digest must be lowercase hex of the right
// length; other algorithms only need a lowercase alphanumeric name (with
// '+', '.', '_' or '-' separators, as in OCI digests) and a digest made of
// [A-Za-z0-9=_-].
//
// Errors are *ParseError and match ErrNotDigest when the string has no
// digest (a HelmChart version), ErrMalformed otherwise.
func Parse(s string) (Revision, error) {
	if s == "" {
		return Revision{}, &ParseError{Input: s, Reason: "empty revision", Kind: ErrMalformed}
	}
	if i := strings.LastIndexByte(s, '@'); i >= 0 {
		ref, dig := s[:i], s[i+1:]
		if ref == "" {
			return Revision{}, &ParseError{Input: s, Reason: "empty ref before '@'", Kind: ErrMalformed}
		}
		if dig == "" {
			return Revision{}, &ParseError{Input: s, Reason: "missing digest after '@'", Kind: ErrMalformed}
		}
		algo, enc, reason := parseDigest(dig)
		if reason != "" {
			return Revision{}, &ParseError{Input: s, Reason: reason, Kind: ErrMalformed}
		}
		return Revision{Ref: ref, Algorithm: algo, Digest: enc}, nil
	}
	if strings.IndexByte(s, ':') >= 0 {
		algo, enc, reason := parseDigest(s)
		if reason != "" {
			return Revision{}, &ParseError{Input: s, Reason: reason, Kind: ErrMalformed}
		}
		return Revision{Algorithm: algo, Digest: enc}, nil
	}
	return parseLegacy(s)
}

// parseLegacy handles strings with neither '@' nor ':', which are either
// pre-2.0 revisions ("<ref>/<hex>", "HEAD/<hex>", "<hex>") or not digests at
// all. It follows source-controller's own legacy conversion so that both
// spellings of a revision parse to the same value; like source-controller it
// infers the algorithm from the hex length and maps the "HEAD" ref (a
// detached checkout) to no ref.
func parseLegacy(s string) (Revision, error) {
	if algo := algorithmForLength(s); algo != "" {
		return Revision{Algorithm: algo, Digest: s}, nil
	}
	if i := strings.LastIndexByte(s, '/'); i >= 0 {
		ref, hex := s[:i], s[i+1:]
		if algo := algorithmForLength(hex); algo != "" {
			switch ref {
			case "":
				return Revision{}, &ParseError{Input: s, Reason: "empty ref before '/' in legacy revision", Kind: ErrMalformed}
			case "HEAD":
				ref = ""
			}
			return Revision{Ref: ref, Algorithm: algo, Digest: hex}, nil
		}
	}
	return Revision{}, &ParseError{
		Input:  s,
		Reason: "no digest (expected [<ref>@]<algorithm>:<digest>); it may be a chart version",
		Kind:   ErrNotDigest,
	}
}

// algorithmForLength returns the algorithm a legacy bare hex string implies,
// or "" when s is not lowercase hex of a SHA-1 or SHA-256 length. Legacy
// revisions carried no algorithm name, so length is all there is.
func algorithmForLength(s string) string {
	if badHex(s) >= 0 {
		return ""
	}
	switch len(s) {
	case 40:
		return "sha1"
	case 64:
		return "sha256"
	}
	return ""
}

// parseDigest splits "<algorithm>:<encoded>" and validates both halves. It
// returns a non-empty reason instead of an error so Parse can wrap it with
// the full input.
func parseDigest(d string) (algo, enc, reason string) {
	i := strings.IndexByte(d, ':')
	if i < 0 {
		return "", "", fmt.Sprintf("digest %q has no algorithm (expected <algorithm>:<digest>)", d)
	}
	algo, enc = d[:i], d[i+1:]
	if algo == "" {
		return "", "", "empty digest algorithm before ':'"
	}
	if !validAlgorithm(algo) {
		return "", "", fmt.Sprintf("invalid digest algorithm %q: want lowercase letters and digits, optionally joined by '+', '.', '_' or '-'", algo)
	}
	if enc == "" {
		return "", "", fmt.Sprintf("empty %s digest after ':'", algo)
	}
	if want := hexLength(algo); want > 0 {
		if at := badHex(enc); at >= 0 {
			return "", "", fmt.Sprintf("%s digest is not lowercase hex: %q at offset %d", algo, enc[at], at)
		}
		if len(enc) != want {
			return "", "", fmt.Sprintf("%s digest must be %d hex characters, got %d", algo, want, len(enc))
		}
		return algo, enc, ""
	}
	for j := 0; j < len(enc); j++ {
		if !isEncodedChar(enc[j]) {
			return "", "", fmt.Sprintf("%s digest contains %q at offset %d; allowed are letters, digits, '=', '_' and '-'", algo, enc[j], j)
		}
	}
	return algo, enc, ""
}

// hexLength is the hex length of the algorithms whose digests we can check
// strictly; 0 for algorithms we only check loosely.
func hexLength(algo string) int {
	switch algo {
	case "sha1":
		return 40
	case "sha256":
		return 64
	case "sha384":
		return 96
	case "sha512":
		return 128
	}
	return 0
}

// validAlgorithm follows the OCI image-spec algorithm grammar,
// [a-z0-9]+([+._-][a-z0-9]+)*, which is also what source-controller's
// artifact digest validation accepts.
func validAlgorithm(a string) bool {
	prevSep := true // a separator may not start the name
	for i := 0; i < len(a); i++ {
		c := a[i]
		switch {
		case c >= 'a' && c <= 'z', c >= '0' && c <= '9':
			prevSep = false
		case c == '+' || c == '.' || c == '_' || c == '-':
			if prevSep {
				return false
			}
			prevSep = true
		default:
			return false
		}
	}
	return !prevSep
}

func isEncodedChar(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' ||
		c == '=' || c == '_' || c == '-'
}

// badHex returns the offset of the first byte of s that is not lowercase
// hex, or -1. Uppercase is rejected because Flux never writes it and
// accepting it would make String() disagree with the input.
func badHex(s string) int {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= '0' && c <= '9' || c >= 'a' && c <= 'f') {
			return i
		}
	}
	return -1
}

// String encodes r in the canonical Flux v2 form: "<ref>@<algo>:<digest>",
// or "<algo>:<digest>" without a ref. Legacy inputs come back in the v2
// form, which is what current controllers write and compare against. The
// zero Revision encodes as "".
func (r Revision) String() string {
	if r == (Revision{}) {
		return ""
	}
	d := r.Algorithm + ":" + r.Digest
	if r.Ref == "" {
		return d
	}
	return r.Ref + "@" + d
}

// Commit returns the Git commit hash: the digest when the algorithm is sha1
// or sha256 (Git's two object formats), "" otherwise.
//
// The string alone cannot tell a SHA-256 Git commit from an OCI manifest
// digest or a Bucket checksum, which are sha256 too. Only call Commit for
// revisions that came from a GitRepository, or from a Kustomization or
// HelmRelease whose source is one.
func (r Revision) Commit() string {
	switch r.Algorithm {
	case "sha1", "sha256":
		return r.Digest
	}
	return ""
}
