package command

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/spf13/cobra"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/meta"
	"k8s.io/apimachinery/pkg/runtime/schema"

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
		{&cluster.InterruptedError{While: "waiting for Kustomization a/b"}, 1, "error: interrupted while waiting for Kustomization a/b\n"},
		{errors.New("unknown command \"x\" for \"kubectl gitops\""), 2, "error: unknown command \"x\" for \"kubectl gitops\"\n"},
		// Errors a call site forgot to classify: the safety net gives them the codes
		// cluster.Classify documents.
		{apierrors.NewNotFound(schema.GroupResource{Resource: "configmaps"}, "cfg"), 3, "error: configmaps \"cfg\" not found\n"},
		{fmt.Errorf("reading: %w", apierrors.NewForbidden(schema.GroupResource{Resource: "secrets"}, "s", errors.New("no"))), 5, "error: reading: secrets \"s\" is forbidden: no\n"},
		{apierrors.NewUnauthorized("bad token"), 5, "error: the API server rejected your credentials (bad token): log in again, or check --token, --user and the kubeconfig\n"},
		{fmt.Errorf("listing: %w", context.DeadlineExceeded), 1, "error: cannot reach the Kubernetes API server: listing: context deadline exceeded (check --kubeconfig, --context or --server, and --request-timeout)\n"},
		{&meta.NoKindMatchError{GroupKind: schema.GroupKind{Kind: "Widget"}}, 2, "error: no matches for kind \"Widget\" in group \"\": list the served types with 'kubectl api-resources'\n"},
		// A plain error that merely reads like a network failure keeps its words.
		{errors.New("git push: connection refused"), 1, "error: git push: connection refused\n"},
		// An error with a code keeps it, even over an API status inside.
		{exitcode.Wrap(exitcode.ProblemFound, apierrors.NewNotFound(schema.GroupResource{Resource: "configmaps"}, "cfg")), 7, "error: configmaps \"cfg\" not found\n"},
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
