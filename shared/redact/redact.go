// Package redact removes credentials from every string the suite prints that came from
// a cluster or a repository: source URLs, and the free text around them (Flux's
// condition messages repeat the URL they failed to clone, with its password).
//
// It fails closed. A URL is never parsed and re-encoded: parsing fails on exactly the
// strings that need care (a bad percent escape or a space in a password), and a parser
// that gives up returns the input. Instead anything shaped like userinfo is cut, and
// every query value is replaced, whatever its key is called: a signed URL's signature
// may be named anything.
package redact

import (
	"regexp"
	"strings"
	"sync"
)

// Mask replaces every query value.
const Mask = "REDACTED"

// URL returns raw without userinfo and with every query value masked. It accepts URLs
// with a scheme (https://user:pass@host/path?token=x), scp-style Git addresses
// (user:pass@host:org/repo.git, git@host:org/repo) and anything else, which is returned
// with the same rules applied.
func URL(raw string) string {
	scheme, rest, ok := strings.Cut(raw, "://")
	if !ok || !validScheme().MatchString(scheme) {
		scheme, rest = "", raw
	} else {
		scheme += "://"
	}
	return scheme + dropUserinfo(maskQuery(rest))
}

// dropUserinfo cuts everything up to the last '@'. A password may hold '@', '/', '?',
// '#' or blanks unescaped, so no rule that finds the end of a well-formed authority is
// safe; an '@' further on in a path (rare in Git, OCI, Helm and bucket addresses) costs
// some of the address, never a secret.
func dropUserinfo(s string) string {
	if at := strings.LastIndexByte(s, '@'); at >= 0 {
		return s[at+1:]
	}
	return s
}

// maskQuery replaces the value of every query parameter.
func maskQuery(s string) string {
	base, query, ok := strings.Cut(s, "?")
	if !ok {
		return s
	}
	query, fragment, hasFragment := strings.Cut(query, "#")
	params := strings.Split(query, "&")
	for i, p := range params {
		if k, v, ok := strings.Cut(p, "="); ok && v != "" && !apiParam(k) {
			params[i] = k + "=" + Mask
		}
	}
	out := base + "?" + strings.Join(params, "&")
	if hasFragment {
		out += "#" + fragment
	}
	return out
}

// validScheme is RFC 3986's scheme: what stands before "://" in anything else is
// userinfo or host, and is redacted as such.
//
// This package's expressions are compiled on first use: every command imports the
// package, most never redact, and compiling them at start-up cost each command about
// 0.5 ms (authorityInText's bounded repeat is 256 copies of its class).
var validScheme = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^[A-Za-z][A-Za-z0-9+.-]*$`) })

// apiParam reports the query parameters of Kubernetes API requests, which client
// errors repeat and which carry no credential: masking them only hides what timed out.
func apiParam(key string) bool {
	switch key {
	case "timeout", "limit", "continue", "labelSelector", "fieldSelector", "watch", "resourceVersion", "allowWatchBookmarks":
		return true
	}
	return false
}

// urlInText finds URLs with a scheme inside free text: up to the first blank, quote or
// bracket, which is where Git, Helm and the controllers end them in their messages.
var urlInText = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`[A-Za-z][A-Za-z0-9+.-]*://[^\s'"<>()\[\]{}]+`) })

// quotedURL finds a URL in quotes, as Git and the Flux controllers quote the address
// they failed to reach: inside the quotes the whole address is known, blanks and all.
var quotedURL = sync.OnceValue(func() *regexp.Regexp {
	return regexp.MustCompile(`'[A-Za-z][A-Za-z0-9+.-]*://[^'\n]*'|"[A-Za-z][A-Za-z0-9+.-]*://[^"\n]*"`)
})

// authorityInText finds a URL's userinfo inside free text even when the password holds
// blanks, which end a URL for urlInText: from "://" to the first '@' with no '/', quote
// or line break between.
var authorityInText = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`://[^/'"<>\n]{0,256}@`) })

// queryInText finds a query parameter's value in free text, wherever the URL around it
// starts.
var queryInText = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`([?&][^\n'"<>?&=#]+=)[^\s'"<>&#]+`) })

// userinfoInText finds scp-style user:password@ before a host inside free text.
var userinfoInText = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`[^\s'"<>()\[\]{}/@:]+:[^\s'"]*@`) })

// Text masks credentials wherever they stand in a message: every URL in it goes
// through URL, and a bare user:password@ is cut.
func Text(s string) string {
	if !strings.ContainsAny(s, "@?") {
		return s
	}
	// Each expression runs only when the text holds what it cannot match without:
	// Flux revisions ("main@sha1:…") hold an '@' and are printed for every object of
	// a bulk trace, where the expressions cost more than the rest of the view.
	if strings.Contains(s, "://") {
		s = quotedURL().ReplaceAllStringFunc(s, func(q string) string { return q[:1] + URL(q[1:len(q)-1]) + q[:1] })
		s = authorityInText().ReplaceAllString(s, "://")
		s = urlInText().ReplaceAllStringFunc(s, URL)
	}
	if strings.ContainsAny(s, "?&") && strings.Contains(s, "=") {
		s = queryInText().ReplaceAllStringFunc(s, func(m string) string {
			key := m[1:strings.IndexByte(m, '=')]
			if apiParam(key) {
				return m
			}
			return m[:strings.IndexByte(m, '=')+1] + Mask
		})
	}
	if mayHoldUserinfo(s) {
		s = userinfoInText().ReplaceAllString(s, "")
	}
	return s
}

// mayHoldUserinfo reports whether userinfoInText can match s: some '@' has a ':'
// before it with no blank or quote between (the expression's `:[^\s'"]*@`). One pass:
// a blank or quote forgets the ':' seen, an '@' after one that is not forgotten can match.
func mayHoldUserinfo(s string) bool {
	colon := false
	for i := 0; i < len(s); i++ {
		switch s[i] {
		case ':':
			colon = true
		case '@':
			if colon {
				return true
			}
		case ' ', '\t', '\n', '\f', '\r', '\'', '"':
			colon = false
		}
	}
	return false
}
