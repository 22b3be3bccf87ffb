package cluster

import (
	"context"
	"crypto/x509"
	"errors"
	"fmt"
	"net"
	"net/url"
	"strings"
	"testing"
	"time"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/meta"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/client-go/tools/clientcmd"

	"github.com/kubectl-gitops/kubectl-gitops/shared/exitcode"
)

// TestClassify is the table of the suite's one decision per error class.
func TestClassify(t *testing.T) {
	gr := schema.GroupResource{Group: "apps", Resource: "deployments"}
	refused := &url.Error{Op: "Get", URL: "https://127.0.0.1:6443/api", Err: &net.OpError{Op: "dial", Net: "tcp", Err: errors.New("connect: connection refused")}}
	tests := []struct {
		name string
		err  error
		code exitcode.Code
		msg  string
	}{
		{"forbidden", apierrors.NewForbidden(gr, "api", errors.New("RBAC")), exitcode.Forbidden, "forbidden"},
		{"credentials rejected", apierrors.NewUnauthorized("Unauthorized"), exitcode.Forbidden, "log in again"},
		{"object not found", apierrors.NewNotFound(gr, "api"), exitcode.NotFound, `"api" not found`},
		{"type not served", apierrors.NewNotFound(gr, ""), exitcode.Usage, "kubectl api-resources"},
		{"no REST mapping", &meta.NoKindMatchError{GroupKind: schema.GroupKind{Kind: "Widget"}}, exitcode.Usage, "kubectl api-resources"},
		{"builder's unknown type", errors.New(`the server doesn't have a resource type "dpes"`), exitcode.Usage, "kubectl api-resources"},
		{"connection refused", refused, exitcode.Failure, "cannot reach the Kubernetes API server"},
		{"unknown host", &net.DNSError{Err: "no such host", Name: "k8s.example"}, exitcode.Failure, "cannot reach"},
		{"unknown certificate authority", &url.Error{Op: "Get", URL: "https://x", Err: x509.UnknownAuthorityError{}}, exitcode.Failure, "cannot reach"},
		{"TLS handshake timeout", errors.New("net/http: TLS handshake timeout"), exitcode.Failure, "cannot reach"},
		{"request timeout", &url.Error{Op: "Get", URL: "https://x", Err: context.DeadlineExceeded}, exitcode.Failure, "cannot reach"},
		{"server timeout", apierrors.NewTimeoutError("slow", 1), exitcode.Failure, "cannot reach"},
		{"interrupted", fmt.Errorf("listing: %w", context.Canceled), exitcode.Failure, "interrupted"},
		{"invalid kubeconfig", clientcmd.ErrEmptyConfig, exitcode.Usage, "--kubeconfig"},
		{"missing context", errors.New(`context was not found for specified context: nope`), exitcode.Usage, "--context"},
		{"missing context, as the client builder says it", errors.New(`context "nope" does not exist`), exitcode.Usage, "--context"},
		{"bad --request-timeout", errors.New("Invalid timeout value. Timeout must be a single integer in seconds"), exitcode.Usage, "Invalid timeout value"},
		{"already classified", exitcode.New(exitcode.NotManaged, "not managed"), exitcode.NotManaged, "not managed"},
		{"anything else", errors.New("boom"), exitcode.Failure, "boom"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := Classify(tt.err)
			if exitcode.Of(got) != tt.code {
				t.Errorf("code = %d, want %d (%v)", exitcode.Of(got), tt.code, got)
			}
			if !strings.Contains(got.Error(), tt.msg) {
				t.Errorf("message %q lacks %q", got.Error(), tt.msg)
			}
		})
	}
	if Classify(nil) != nil {
		t.Error("Classify(nil) != nil")
	}
}

func TestClientFromKubeconfigRefusesPlugins(t *testing.T) {
	base := "apiVersion: v1\nkind: Config\nclusters:\n- name: c\n  cluster: {server: 'https://127.0.0.1:6443'}\ncontexts:\n- name: c\n  context: {cluster: c, user: u}\ncurrent-context: c\nusers:\n- name: u\n  user:\n"
	tests := []struct {
		name, user string
		refused    bool
	}{
		{"token", "    token: abc\n", false},
		{"exec plugin", "    exec: {apiVersion: client.authentication.k8s.io/v1, command: /bin/sh, args: [-c, 'touch /tmp/pwned']}\n", true},
		{"auth provider", "    auth-provider: {name: oidc, config: {}}\n", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := ClientFromKubeconfig([]byte(base+tt.user), time.Second)
			if (err != nil) != tt.refused {
				t.Errorf("err = %v, refused want %v", err, tt.refused)
			}
		})
	}
}
