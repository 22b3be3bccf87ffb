package cmd

import (
	"context"
	"strings"

	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"

	"github.com/kubectl-gitops/kubectl-gitops/shared/cluster"
	"github.com/kubectl-gitops/kubectl-gitops/shared/flux"
	"github.com/kubectl-gitops/kubectl-gitops/shared/trace"
)

// listMetadata lists every object of one resource type (`trace cm -n bulk`, `trace
// deploy -A -l app=x`, or the list behind many names) as metadata only, when that
// traces exactly as the whole objects would (trace.MetadataSuffices), and hands each to
// keep. cli-runtime's builder decodes each object whole and maps and builds a client
// for each listed object; for 10,000 ConfigMaps that was most of the time and memory
// of the trace. It returns false, having read nothing, when the builder must read the
// objects: several types, a Flux kind or Secrets, or a type the RESTMapper does not
// resolve as a resource (the builder then resolves it as a kind, or says why not).
func (o *TraceOptions) listMetadata(ctx context.Context, client *cluster.Client, typ string, keep func(*unstructured.Unstructured)) (bool, error) {
	if client.Metadata == nil || strings.ContainsAny(typ, "/,") {
		return false, nil
	}
	mapping, ok := resourceMapping(client.Mapper, typ)
	if !ok || !trace.MetadataSuffices(mapping.GroupVersionKind) {
		return false, nil
	}
	namespace := ""
	if mapping.Scope.Name() == meta.RESTScopeNameNamespace && !o.AllNamespaces {
		namespace = o.namespace
	}
	return true, cluster.ListMetadata(ctx, client.Metadata, mapping.Resource, namespace, o.Selector, flux.PageSize, func(m *metav1.PartialObjectMetadata) error {
		u, err := trace.SlimMetadata(mapping.GroupVersionKind, m)
		if err != nil {
			return err
		}
		keep(u)
		return nil
	})
}

// resourceMapping resolves a resource argument ("cm", "deployments.apps",
// "deployments.v1.apps") as cli-runtime's builder does first: as a resource, through
// the RESTMapper's short names.
func resourceMapping(mapper meta.RESTMapper, arg string) (*meta.RESTMapping, bool) {
	full, gr := schema.ParseResourceArg(arg)
	var gvk schema.GroupVersionKind
	if full != nil {
		gvk, _ = mapper.KindFor(*full)
	}
	if gvk.Empty() {
		gvk, _ = mapper.KindFor(gr.WithVersion(""))
	}
	if gvk.Empty() {
		return nil, false
	}
	mapping, err := mapper.RESTMapping(gvk.GroupKind(), gvk.Version)
	return mapping, err == nil
}
