package flux

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/client-go/dynamic"

	"github.com/kubectl-gitops/kubectl-gitops/shared/cluster"
	"github.com/kubectl-gitops/kubectl-gitops/shared/exitcode"
)

// Patch is the suite's one write to a Flux object: a JSON merge patch under the
// suite's field manager. With resourceVersion set it carries it as a precondition, so a
// change made by someone else since the object was read fails the write instead of
// being overwritten; with dryRun the API server validates it and changes nothing.
func Patch(ctx context.Context, dyn dynamic.Interface, kind, namespace, name, resourceVersion string, patch map[string]any, dryRun bool) error {
	if resourceVersion != "" {
		meta, _ := patch["metadata"].(map[string]any)
		if meta == nil {
			meta = map[string]any{}
			patch["metadata"] = meta
		}
		meta["resourceVersion"] = resourceVersion
	}
	body, err := json.Marshal(patch)
	if err != nil {
		return err
	}
	ri, err := Resource(dyn, kind, namespace)
	if err != nil {
		return err
	}
	opts := metav1.PatchOptions{FieldManager: cluster.FieldManager}
	if dryRun {
		opts.DryRun = []string{metav1.DryRunAll}
	}
	if _, err := ri.Patch(ctx, name, types.MergePatchType, body, opts); err != nil {
		if apierrors.IsConflict(err) {
			return exitcode.Wrap(exitcode.Failure, &ChangedError{Kind: kind, Namespace: namespace, Name: name})
		}
		return classifyNamed(dyn, err, kind, namespace, name)
	}
	return nil
}

// ChangedError is a write refused because the object changed since it was read: the
// resourceVersion precondition did its job, and nothing was written.
type ChangedError struct{ Kind, Namespace, Name string }

func (e *ChangedError) Error() string {
	return fmt.Sprintf("%s %s/%s changed while this command ran (someone else wrote it): nothing was changed, run it again", e.Kind, e.Namespace, e.Name)
}

// IsChanged reports a write refused by its resourceVersion precondition.
func IsChanged(err error) bool {
	var changed *ChangedError
	return errors.As(err, &changed)
}
