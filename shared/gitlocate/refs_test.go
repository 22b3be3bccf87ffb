package gitlocate

import "testing"

func TestJoinInRepo(t *testing.T) {
	tests := []struct {
		dir, ref string
		want     string
		ok       bool
	}{
		{"apps/shop", "deploy.yaml", "apps/shop/deploy.yaml", true},
		{"apps/shop", "../../base", "base", true},
		{"apps/shop", "../..", "", true},
		{"apps/shop", "../../../etc", "", false},
		{"", "./x/../../y", "", false},
		{"apps", "/etc/passwd", "", false},
	}
	for _, tt := range tests {
		got, ok := joinInRepo(tt.dir, tt.ref)
		if got != tt.want || ok != tt.ok {
			t.Errorf("joinInRepo(%q, %q) = %q, %v; want %q, %v", tt.dir, tt.ref, got, ok, tt.want, tt.ok)
		}
	}
}

func TestRemoteRefs(t *testing.T) {
	// looksLikeHost is only consulted when isRemoteSyntax is false and the
	// entry is missing locally, so URL rows only pin isRemoteSyntax.
	tests := []struct {
		ref          string
		syntax, host bool
	}{
		{"https://github.com/org/repo//deploy?ref=v1", true, false},
		{"git@github.com:org/repo.git", true, true},
		{"github.com/org/repo/deploy?ref=main", true, true},
		{"github.com/org/repo/deploy", false, true},
		{"deploy.yaml", false, false},
		{"../base", false, false},
		{"config.d", false, false},
	}
	for _, tt := range tests {
		if got := isRemoteSyntax(tt.ref); got != tt.syntax {
			t.Errorf("isRemoteSyntax(%q) = %v", tt.ref, got)
		}
		if got := looksLikeHost(tt.ref); got != tt.host {
			t.Errorf("looksLikeHost(%q) = %v", tt.ref, got)
		}
	}
}

func TestRequestGroup(t *testing.T) {
	tests := map[string]string{
		"":                          "",
		"v1":                        "",
		"apps":                      "apps",
		"apps/v1":                   "apps",
		"networking.k8s.io/v1beta1": "networking.k8s.io",
		"v2beta1":                   "",
		"vault":                     "vault",
		"v1alpha":                   "v1alpha",
	}
	for in, want := range tests {
		if got := requestGroup(in); got != want {
			t.Errorf("requestGroup(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestCleanRoot(t *testing.T) {
	for in, want := range map[string]string{"": "", ".": "", "./": "", "./apps/shop": "apps/shop", "apps/shop/": "apps/shop", "/apps": "apps"} {
		if got, err := cleanRoot(in); err != nil || got != want {
			t.Errorf("cleanRoot(%q) = %q, %v; want %q", in, got, err, want)
		}
	}
	for _, in := range []string{"..", "../x", "./a/../../b", "/../etc"} {
		if _, err := cleanRoot(in); err == nil {
			t.Errorf("cleanRoot(%q) accepted", in)
		}
	}
}
