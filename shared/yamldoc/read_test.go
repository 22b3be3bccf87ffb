package yamldoc

import (
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

func TestReadFileRefusesWhatIsNotAManifest(t *testing.T) {
	root := t.TempDir()
	outside := t.TempDir()
	write := func(dir, name, text string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	ok := write(root, "ok.yaml", "a: 1\n")
	write(outside, "secret.yaml", "b: 2\n")
	if err := os.Symlink(filepath.Join(outside, "secret.yaml"), filepath.Join(root, "escape.yaml")); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(ok, filepath.Join(root, "inside.yaml")); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink("/dev/zero", filepath.Join(root, "zero.yaml")); err != nil {
		t.Fatal(err)
	}
	if err := syscall.Mkfifo(filepath.Join(root, "fifo.yaml"), 0o644); err != nil {
		t.Fatal(err)
	}
	big := filepath.Join(root, "big.yaml")
	if err := os.WriteFile(big, make([]byte, MaxFileSize+1), 0o644); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name, want string
	}{
		{"ok.yaml", ""},
		{"inside.yaml", ""},
		{"escape.yaml", "outside"},
		{"zero.yaml", "outside"},
		{"fifo.yaml", "not a regular file"},
		{"big.yaml", "larger than 16 MiB"},
	}
	for _, tt := range tests {
		start := time.Now()
		_, err := ReadFile(filepath.Join(root, tt.name), root)
		if (tt.want == "") != (err == nil) || (err != nil && !strings.Contains(err.Error(), tt.want)) {
			t.Errorf("%s: err %v, want %q", tt.name, err, tt.want)
		}
		if time.Since(start) > time.Second {
			t.Errorf("%s took %s", tt.name, time.Since(start))
		}
	}
	if _, err := ReadFile("/dev/zero", ""); err == nil || !strings.Contains(err.Error(), "not a regular file") {
		t.Errorf("/dev/zero: %v", err)
	}
}
