package command

import (
	"bytes"
	"context"
	"flag"
	"strings"
	"testing"

	"github.com/spf13/cobra"
	"k8s.io/cli-runtime/pkg/genericiooptions"
	"k8s.io/klog/v2"
)

// TestVerbosityFlag: -v/--v is kubectl's log level in a plugin's binary and in the
// suite, never --version; --version still prints the version; the request log is
// masked like every other line on stderr.
func TestVerbosityFlag(t *testing.T) {
	t.Cleanup(func() {
		var fs flag.FlagSet
		klog.InitFlags(&fs)
		_ = fs.Set("v", "0")
		klog.ClearLogger()
	})
	newPlugin := func(out, errOut *bytes.Buffer, seen *int) *cobra.Command {
		root, f := NewRoot(Root{Name: "kubectl gitops deps", Version: "v1.2.3"}, genericiooptions.IOStreams{Out: out, ErrOut: errOut})
		Bind(root, f, &fakeOptions{run: func() {
			*seen = 0
			for l := 1; l <= 10; l++ {
				if klog.V(klog.Level(l)).Enabled() {
					*seen = l
				}
			}
			klog.FromContext(context.Background()).V(6).Info("Response", "verb", "GET", "url", "https://u:secret@h/apis?token=abc", "status", "200 OK\x1b[2J")
		}})
		return root
	}
	tests := []struct {
		name      string
		suite     bool
		args      []string
		code      int
		level     int
		stdout    string
		stderr    []string
		noStderr  []string
		notRunYet bool
	}{
		{name: "-v=6", args: []string{"-v=6"}, level: 6, stderr: []string{`Response verb="GET" url="https://h/apis?token=REDACTED" status="200 OK\x1b[2J"`}, noStderr: []string{"secret", "abc"}},
		{name: "--v 6", args: []string{"--v", "6"}, level: 6, stderr: []string{"Response"}},
		{name: "-v 9 is capped", args: []string{"-v", "9"}, level: MaxVerbosity},
		{name: "no -v logs nothing", args: nil, level: 0, noStderr: []string{"Response"}},
		{name: "--version", args: []string{"--version"}, stdout: "kubectl gitops deps v1.2.3\n", notRunYet: true},
		{name: "-v without a level is a usage error", args: []string{"-v"}, code: 2, stderr: []string{"error: flag needs an argument"}, notRunYet: true},
		{name: "suite: deps -v=6", suite: true, args: []string{"deps", "-v=6"}, level: 6, stderr: []string{"Response"}},
		{name: "suite: deps --version", suite: true, args: []string{"deps", "--version"}, stdout: "kubectl gitops deps v1.2.3\n", notRunYet: true},
		{name: "suite: --version", suite: true, args: []string{"--version"}, stdout: "kubectl gitops v1.2.3\n", notRunYet: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var fs flag.FlagSet
			klog.InitFlags(&fs)
			_ = fs.Set("v", "0")
			klog.ClearLogger()
			var out, errOut bytes.Buffer
			seen := -1
			cmd := newPlugin(&out, &errOut, &seen)
			if tt.suite {
				cmd = NewSuite(genericiooptions.IOStreams{Out: &out, ErrOut: &errOut}, "v1.2.3", cmd)
			}
			code := Execute(context.Background(), cmd, tt.args)
			if code != tt.code {
				t.Fatalf("exit %d, want %d\nstdout %s\nstderr %s", code, tt.code, out.String(), errOut.String())
			}
			if tt.notRunYet != (seen == -1) || (!tt.notRunYet && seen != tt.level) {
				t.Errorf("klog level seen by the command %d, want %d (ran: %v)", seen, tt.level, !tt.notRunYet)
			}
			if tt.stdout != "" && out.String() != tt.stdout {
				t.Errorf("stdout %q, want %q", out.String(), tt.stdout)
			}
			for _, w := range tt.stderr {
				if !strings.Contains(errOut.String(), w) {
					t.Errorf("stderr lacks %q:\n%s", w, errOut.String())
				}
			}
			for _, w := range tt.noStderr {
				if strings.Contains(errOut.String(), w) {
					t.Errorf("stderr has %q:\n%s", w, errOut.String())
				}
			}
		})
	}
}
