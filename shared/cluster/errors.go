package cluster

import (
	"context"
	"crypto/x509"
	"errors"
	"fmt"
	"net"
	"net/url"
	"strings"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/meta"
	"k8s.io/client-go/tools/clientcmd"

	"github.com/kubectl-gitops/kubectl-gitops/shared/exitcode"
)

// Classify is the suite's one decision about what an error from the API server, the
// network or the kubeconfig means for the user, and with which exit code the command
// ends. Every command and every library package sends its errors through it; an error
// that already carries a code keeps it. The decisions, one per class:
//
//   - RBAC denied the request (403): Forbidden (5), with what was denied.
//   - The credentials were rejected (401): Forbidden (5), with a hint to log in again.
//   - The type is not served (no REST mapping, or "doesn't have a resource type"): Usage
//     (2): the user named a type this cluster does not know; nothing was read.
//   - The object does not exist (404 naming an object): NotFound (3).
//   - No answer from the server (refused, unknown host, TLS failure, a request timeout,
//     a server that never replies): Failure (1), "cannot reach the Kubernetes API
//     server". Timeout (6) is reserved for waits on Flux, which report it themselves.
//   - A kubeconfig that cannot be read or names a context that does not exist: Usage
//     (2): the flags or the configuration are wrong, nothing was read.
//   - Ctrl-C or SIGTERM: Failure (1), "interrupted".
//   - Anything else: Failure (1), the error as the server said it.
func Classify(err error) error {
	if err == nil {
		return nil
	}
	var coded *exitcode.Error
	if errors.As(err, &coded) {
		return err
	}
	switch {
	case apierrors.IsForbidden(err):
		return exitcode.Wrap(exitcode.Forbidden, err)
	case apierrors.IsUnauthorized(err):
		return exitcode.Wrap(exitcode.Forbidden, fmt.Errorf("the API server rejected your credentials (%w): log in again, or check --token, --user and the kubeconfig", err))
	case IsTypeMissing(err) && !meta.IsNoMatchError(err) && !isUnknownType(err):
		// A 404 for a whole resource path: the type's API is not served.
		return exitcode.Wrap(exitcode.Usage, fmt.Errorf("%w: list the served types with 'kubectl api-resources'", err))
	case meta.IsNoMatchError(err), isUnknownType(err):
		return exitcode.Wrap(exitcode.Usage, fmt.Errorf("%w: list the served types with 'kubectl api-resources'", err))
	case apierrors.IsNotFound(err):
		return exitcode.Wrap(exitcode.NotFound, err)
	case errors.Is(err, context.Canceled):
		return exitcode.Wrap(exitcode.Failure, &InterruptedError{})
	case IsUnreachable(err):
		return exitcode.Wrap(exitcode.Failure, fmt.Errorf("cannot reach the Kubernetes API server: %w (check --kubeconfig, --context or --server, and --request-timeout)", err))
	case clientcmd.IsConfigurationInvalid(err), clientcmd.IsEmptyConfig(err), isMissingContext(err), isBadFlag(err):
		return exitcode.Wrap(exitcode.Usage, fmt.Errorf("%w: pass --kubeconfig or --context, or set KUBECONFIG", err))
	}
	return exitcode.Wrap(exitcode.Failure, err)
}

// InterruptedError is Ctrl-C or SIGTERM ending a request or a wait: exit 1, said as
// an interruption and never as a timeout, with what was going on. It counts as
// context.Canceled for errors.Is.
type InterruptedError struct {
	// While says what was interrupted ("waiting for Kustomization flux-system/apps").
	While string
}

func (e *InterruptedError) Error() string {
	if e.While == "" {
		return "interrupted"
	}
	return "interrupted while " + e.While
}

// Is makes an InterruptedError match context.Canceled.
func (e *InterruptedError) Is(target error) bool { return target == context.Canceled }

// IsInterrupted reports whether err ends a command the user stopped (Ctrl-C, SIGTERM).
func IsInterrupted(err error) bool { return errors.Is(err, context.Canceled) }

// IsUnreachable reports a failure to get any HTTP answer from the server: connection
// refused or reset, unknown host, a TLS handshake that failed or timed out, an unknown
// certificate authority, or a request that timed out.
func IsUnreachable(err error) bool {
	if err == nil {
		return false
	}
	var op *net.OpError
	var dns *net.DNSError
	var unknownCA x509.UnknownAuthorityError
	var hostname x509.HostnameError
	var invalid x509.CertificateInvalidError
	var ue *url.Error
	switch {
	case errors.As(err, &op), errors.As(err, &dns), errors.As(err, &unknownCA), errors.As(err, &hostname), errors.As(err, &invalid):
		return true
	case errors.As(err, &ue) && (ue.Timeout() || errors.Is(ue.Err, context.DeadlineExceeded)):
		return true
	case errors.Is(err, context.DeadlineExceeded), apierrors.IsTimeout(err), apierrors.IsServerTimeout(err):
		return true
	}
	msg := err.Error()
	return strings.Contains(msg, "TLS handshake timeout") || strings.Contains(msg, "Client.Timeout exceeded") ||
		strings.Contains(msg, "connection refused") || strings.Contains(msg, "tls: ")
}

// IsTypeMissing reports whether err says the API server does not serve the requested
// resource type at all (a 404 with no object name), as opposed to a missing object.
func IsTypeMissing(err error) bool {
	if meta.IsNoMatchError(err) {
		return true
	}
	var status apierrors.APIStatus
	if !errors.As(err, &status) || !apierrors.IsNotFound(err) {
		return false
	}
	d := status.Status().Details
	return d == nil || d.Name == ""
}

// isUnknownType matches cli-runtime's resource builder, which reports an unknown type
// as a plain error.
func isUnknownType(err error) bool {
	return strings.Contains(err.Error(), "doesn't have a resource type")
}

// isBadFlag matches client-go's error for a malformed --request-timeout.
func isBadFlag(err error) bool { return strings.Contains(err.Error(), "Invalid timeout value") }

// isMissingContext matches clientcmd's error for a --context the kubeconfig lacks.
func isMissingContext(err error) bool {
	msg := err.Error()
	return strings.Contains(msg, "context was not found for specified context") || strings.Contains(msg, "no context exists with the name") ||
		(strings.Contains(msg, "context \"") && strings.Contains(msg, "\" does not exist"))
}
