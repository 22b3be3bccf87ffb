package remote

import "testing"

func TestSameServer(t *testing.T) {
	tests := []struct {
		a, b string
		want bool
	}{
		{"https://127.0.0.1:6443", "https://127.0.0.1:6443/", true},
		{"https://api.example.com", "https://API.example.com:443", true},
		{"https://127.0.0.1:6443", "https://127.0.0.1:6444", false},
		{"http://x:80", "https://x:80", false},
		{"", "", false},
		{"not a url", "not a url", false},
	}
	for _, tt := range tests {
		if got := SameServer(tt.a, tt.b); got != tt.want {
			t.Errorf("SameServer(%q, %q) = %v, want %v", tt.a, tt.b, got, tt.want)
		}
	}
}
