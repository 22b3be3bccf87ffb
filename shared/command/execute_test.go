package command

import (
	"bytes"
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/spf13/cobra"

	"github.com/kubectl-gitops/kubectl-gitops/shared/cluster"
	"github.com/kubectl-gitops/kubectl-gitops/shared/exitcode"
)

func TestExecuteErrorLine(t *testing.T) {
	tests := []struct {
		err    error
		code   int
		stderr string
	}{
		{exitcode.New(exitcode.NotFound, "Kustomization a/b\x1b[2J not found\nerror: forged"), 3, "error: Kustomization a/b\\x1b[2J not found\\nerror: forged\n"},
		{exitcode.UsageError(errors.New("bad\nflag"), "kubectl gitops deps"), 2, "error: bad\\nflag\nSee 'kubectl gitops deps --help' for usage.\n"},
		{errors.New("clone 'https://u:secret@h/x' failed"), 1, "error: clone 'https://h/x' failed\n"},
		{Silent(exitcode.ProblemFound), 7, ""},
		{context.Canceled, 1, "error: interrupted\n"},
	}
	for _, tt := range tests {
		var errOut bytes.Buffer
		cmd := &cobra.Command{Use: "x", SilenceErrors: true, SilenceUsage: true, RunE: func(*cobra.Command, []string) error { return tt.err }}
		cmd.SetErr(&errOut)
		if code := Execute(context.Background(), cmd, nil); code != tt.code || errOut.String() != tt.stderr {
			t.Errorf("%v: exit %d, stderr %q; want %d, %q", tt.err, code, errOut.String(), tt.code, tt.stderr)
		}
	}
}

// TestMalformedSelector: a -l the label parser refuses is a usage error naming the
// selector, refused before the command's own Complete runs (no request is made).
func TestMalformedSelector(t *testing.T) {
	tests := []struct {
		selector string
		code     int
		stderr   string
	}{
		{"app in (", 2, "error: -l \"app in (\" is not a valid label selector (found '', expected: ',', ')' or identifier): write it as kubectl takes it, e.g. -l app=api or -l 'tier in (web,api)'\nSee 'x --help' for usage.\n"},
		{"a=b=c", 2, "error: -l \"a=b=c\" is not a valid label selector"},
		{"app=\x1b[2J", 2, `error: -l "app=\x1b[2J" is not a valid label selector`},
		{"app=api,tier!=db", 0, ""},
	}
	for _, tt := range tests {
		t.Run(tt.selector, func(t *testing.T) {
			var errOut bytes.Buffer
			ran := false
			cmd := &cobra.Command{Use: "x", SilenceErrors: true, SilenceUsage: true}
			cmd.Flags().StringP("selector", "l", "", "")
			Bind(cmd, nil, &fakeOptions{run: func() { ran = true }})
			cmd.SetErr(&errOut)
			code := Execute(context.Background(), cmd, []string{"-l", tt.selector})
			if code != tt.code || !strings.HasPrefix(errOut.String(), tt.stderr) || ran != (tt.code == 0) {
				t.Errorf("-l %q: exit %d, ran %v, stderr %q; want %d, %q", tt.selector, code, ran, errOut.String(), tt.code, tt.stderr)
			}
		})
	}
}

type fakeOptions struct{ run func() }

func (o *fakeOptions) Complete(cluster.Factory, *cobra.Command, []string) error { return nil }
func (o *fakeOptions) Validate() error                                          { return nil }
func (o *fakeOptions) Run(context.Context) error                                { o.run(); return nil }
