package command

import (
	"bytes"
	"context"
	"errors"
	"testing"

	"github.com/spf13/cobra"

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
