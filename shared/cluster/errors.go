package cluster

import (
	"context"
	"errors"
	"fmt"
	"net"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/meta"
	"k8s.io/client-go/tools/clientcmd"

	"github.com/kubectl-gitops/kubectl-gitops/shared/exitcode"
)

// Classify attaches the exit code an API error stands for. Errors that already carry a
// code keep it.
func Classify(err error) error {
	if err == nil {
		return nil
	}
	var coded *exitcode.Error
	if errors.As(err, &coded) {
		return err
	}
	switch {
	case apierrors.IsForbidden(err), apierrors.IsUnauthorized(err):
		return exitcode.Wrap(exitcode.Forbidden, err)
	case meta.IsNoMatchError(err):
		return exitcode.Wrap(exitcode.NotFound, fmt.Errorf("%w: check the type with 'kubectl api-resources'", err))
	case apierrors.IsNotFound(err):
		return exitcode.Wrap(exitcode.NotFound, err)
	case errors.Is(err, context.DeadlineExceeded), apierrors.IsTimeout(err), apierrors.IsServerTimeout(err):
		return exitcode.Wrap(exitcode.Timeout, err)
	case IsUnreachable(err):
		return exitcode.Wrap(exitcode.Failure, fmt.Errorf("cannot reach the Kubernetes API server: %w (check --kubeconfig, --context or --server)", err))
	case clientcmd.IsConfigurationInvalid(err), clientcmd.IsEmptyConfig(err):
		return exitcode.Wrap(exitcode.Usage, fmt.Errorf("%w: pass --kubeconfig or --context, or set KUBECONFIG", err))
	}
	return err
}

// IsUnreachable reports a network failure before any HTTP answer: connection refused,
// unknown host.
func IsUnreachable(err error) bool {
	var op *net.OpError
	var dns *net.DNSError
	return errors.As(err, &op) || errors.As(err, &dns)
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
