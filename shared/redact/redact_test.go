package redact

import (
	"strings"
	"testing"
	"unicode"
)

const secret = "S3CRETMARK"

func TestURL(t *testing.T) {
	tests := []struct{ in, want string }{
		{"https://github.com/acme/fleet.git", "https://github.com/acme/fleet.git"},
		{"https://user:" + secret + "@github.com/acme/fleet.git", "https://github.com/acme/fleet.git"},
		{"https://user:" + secret + "%zz@host/x.git", "https://host/x.git"},
		{"https://user:pa ss" + secret + "@host/x.git", "https://host/x.git"},
		{"https://user:pa/ss" + secret + "@host/x.git", "https://host/x.git"},
		{"https://" + secret + "@host/x", "https://host/x"},
		{"https://user:p@ss" + secret + "@host:8443/x", "https://host:8443/x"},
		{"ssh://git@github.com/acme/fleet", "ssh://github.com/acme/fleet"},
		{"deploy:" + secret + "@host:org/repo.git", "host:org/repo.git"},
		{"git@github.com:org/repo.git", "github.com:org/repo.git"},
		{"user:" + secret + "@host", "host"},
		{"https://s3.example.com/b?X-Amz-Signature=" + secret + "&access_key=" + secret + "&apikey=" + secret + "&pwd=" + secret, "https://s3.example.com/b?X-Amz-Signature=REDACTED&access_key=REDACTED&apikey=REDACTED&pwd=REDACTED"},
		{"https://host/x?flag&ref=main#frag", "https://host/x?flag&ref=REDACTED#frag"},
		{"oci://ghcr.io/acme/manifests", "oci://ghcr.io/acme/manifests"},
		{"minio.example.com:9000", "minio.example.com:9000"},
		{"", ""},
	}
	for _, tt := range tests {
		if got := URL(tt.in); got != tt.want {
			t.Errorf("URL(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestText(t *testing.T) {
	tests := []struct{ in, want string }{
		{"failed to checkout and determine revision: unable to clone 'https://user:" + secret + "@host/x.git': authentication required",
			"failed to checkout and determine revision: unable to clone 'https://host/x.git': authentication required"},
		{"unable to clone 'https://user:pa ss" + secret + "@host/x.git'", "unable to clone 'https://host/x.git'"},
		{"fetch deploy:" + secret + "@host:org/repo.git failed", "fetch host:org/repo.git failed"},
		{"GET https://b.example.com/o?sig=" + secret + " 403", "GET https://b.example.com/o?sig=REDACTED 403"},
		{`Get "https://127.0.0.1:6443/apis/x?limit=500&timeout=32s&sig=` + secret + `": context deadline exceeded`, `Get "https://127.0.0.1:6443/apis/x?limit=500&timeout=32s&sig=REDACTED": context deadline exceeded`},
		{"Applied revision: main@sha1:5394cb7f48332b2de7c17dd8b8384bbc84b7e738", "Applied revision: main@sha1:5394cb7f48332b2de7c17dd8b8384bbc84b7e738"},
		{"dependency 'flux-system/infra' is not ready", "dependency 'flux-system/infra' is not ready"},
		{"timeout waiting for: [ClusterIssuer/letsencrypt status: 'InProgress']", "timeout waiting for: [ClusterIssuer/letsencrypt status: 'InProgress']"},
	}
	for _, tt := range tests {
		if got := Text(tt.in); got != tt.want {
			t.Errorf("Text(%q)\n = %q\nwant %q", tt.in, got, tt.want)
		}
	}
}

// FuzzRedact puts the marker secret into every credential position of generated URLs
// and messages around them, and proves it never survives URL or Text.
func FuzzRedact(f *testing.F) {
	for _, s := range []string{"", "a", "p@ss", "pa ss", "pa/ss", "%zz", "a:b", "?x=", "'", "\n"} {
		f.Add(s, "host.example.com", "org/repo.git", uint8(0))
	}
	f.Fuzz(func(t *testing.T, noise, host, path string, shape uint8) {
		if strings.ContainsAny(host, "/?#@'\" \t\n<>()[]{}") || host == "" || strings.Contains(noise, secret) || strings.Contains(host, secret) || strings.Contains(path, secret) {
			return
		}
		if blank(host) || blank(path) {
			return // blanks and line breaks in an address are noise, not a password
		}
		if strings.ContainsAny(noise, "'\"<>\n") {
			return // a quote or line break ends a URL in a message; the marker is then prose
		}
		pw := noise + secret
		var u string
		switch shape % 6 {
		case 0:
			u = "https://user:" + pw + "@" + host + "/" + path
		case 1:
			u = "https://" + pw + "@" + host + "/" + path
		case 2:
			if strings.ContainsAny(pw, "/") {
				return
			}
			u = "deploy:" + pw + "@" + host + ":" + path
		case 3:
			if strings.ContainsAny(noise, "&#=") || blank(noise) {
				return // a query value ends at '&', '#' or a blank
			}
			u = "https://" + host + "/" + strings.ReplaceAll(path, "?", "") + "?token=" + pw
		case 4:
			if strings.ContainsAny(noise, "&#=") || blank(noise) {
				return
			}
			u = "https://" + host + "/x?a=1&" + strings.Trim(noise, "?&#=") + "k=" + secret
		case 5:
			u = "ssh://git:" + pw + "@" + host + "/" + path
		}
		if strings.ContainsAny(u, " \t") && shape%6 != 0 && shape%6 != 1 && shape%6 != 5 {
			return
		}
		if got := URL(u); strings.Contains(got, secret) {
			t.Fatalf("URL(%q) = %q keeps the secret", u, got)
		}
		msg := "unable to clone '" + u + "': authentication required"
		if shape%6 == 2 && blank(noise) {
			// Inside prose, a scp-style password ends at the first blank: nothing tells
			// "user:pa ss@host" from "said: pa ss@host". (With a scheme it is found.)
			return
		}
		if got := Text(msg); strings.Contains(got, secret) {
			t.Fatalf("Text(%q) = %q keeps the secret", msg, got)
		}
	})
}

// blank reports a blank or control character, which ends a token in prose.
func blank(s string) bool {
	return strings.IndexFunc(s, func(r rune) bool { return unicode.IsSpace(r) || unicode.IsControl(r) }) >= 0
}
