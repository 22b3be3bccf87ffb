package testbed

import (
	"context"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"
)

// Measured is one run of a binary: its wall time and peak resident set size.
type Measured struct {
	Wall     time.Duration
	PeakMiB  float64
	ExitCode int
}

// RunMeasured runs bin with args and env (added to this process's environment)
// through the small peakrss program (see its doc for why not directly), output
// discarded, and returns its wall time and peak RSS. It fails tb when the program
// cannot be built or run.
func RunMeasured(ctx context.Context, tb testing.TB, env []string, bin string, args ...string) Measured {
	tb.Helper()
	dir := tb.TempDir()
	root, err := RepoRoot()
	if err != nil {
		tb.Fatal(err)
	}
	runner := filepath.Join(dir, "peakrss")
	build := exec.CommandContext(ctx, "go", "build", "-o", runner, "./peakrss")
	build.Dir = filepath.Join(root, "shared", "testbed")
	build.Env = append(os.Environ(), "CGO_ENABLED=0")
	if out, err := build.CombinedOutput(); err != nil {
		tb.Fatalf("building peakrss: %v\n%s", err, out)
	}
	result := filepath.Join(dir, "result.json")
	cmd := exec.CommandContext(ctx, runner, append([]string{"-o", result, bin}, args...)...)
	cmd.Env = append(os.Environ(), env...)
	var stderr limitedBuffer
	cmd.Stderr = &stderr
	if err := cmd.Run(); err != nil {
		if _, ok := err.(*exec.ExitError); !ok {
			tb.Fatalf("%s: %v", cmd, err)
		}
	}
	var r struct {
		WallSeconds float64 `json:"wallSeconds"`
		PeakRSSKiB  int64   `json:"peakRSSKiB"`
		ExitCode    int     `json:"exitCode"`
	}
	b, err := os.ReadFile(result)
	if err == nil {
		err = json.Unmarshal(b, &r)
	}
	if err != nil {
		tb.Fatalf("%s: no result (%v)\n%s", cmd, err, stderr.String())
	}
	if r.ExitCode != 0 {
		tb.Logf("%s exited %d:\n%s", bin, r.ExitCode, stderr.String())
	}
	return Measured{Wall: time.Duration(r.WallSeconds * float64(time.Second)), PeakMiB: float64(r.PeakRSSKiB) / 1024, ExitCode: r.ExitCode}
}

// limitedBuffer keeps the first 64 KiB written to it: a binary's stderr, for a failure
// message.
type limitedBuffer struct{ b []byte }

func (l *limitedBuffer) Write(p []byte) (int, error) {
	if room := 64<<10 - len(l.b); room > 0 {
		l.b = append(l.b, p[:min(room, len(p))]...)
	}
	return len(p), nil
}

func (l *limitedBuffer) String() string { return string(l.b) }
