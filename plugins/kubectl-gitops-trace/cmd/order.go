package cmd

import (
	"sort"
	"strings"

	"k8s.io/apimachinery/pkg/api/meta"
	"k8s.io/apimachinery/pkg/runtime/schema"

	"github.com/kubectl-gitops/kubectl-gitops/shared/output"
	"github.com/kubectl-gitops/kubectl-gitops/shared/trace"
)

// inArgumentOrder sorts reports by the argument that named their object, as kubectl get
// prints several names in the order given: the builder reads what exists first and
// reports what does not at the end, and the tracer adds its reports after those.
// Objects no argument names one by one (-l, -A, -f) keep the order they were read in,
// after the named ones.
func (o *TraceOptions) inArgumentOrder(mapper meta.RESTMapper, reports []*trace.Report) {
	type key struct{ group, kind, name string }
	pos := map[key]int{}
	// One mapping per type, not per name: `trace cm NAME…` may name thousands.
	kinds := map[string]schema.GroupKind{}
	add := func(types, name string, i int) {
		for _, typ := range strings.Split(types, ",") {
			gk, known := kinds[typ]
			if !known {
				gk, _ = kindOf(mapper, typ)
				kinds[typ] = gk
			}
			k := key{group: gk.Group, kind: gk.Kind, name: name}
			if _, seen := pos[k]; !seen {
				pos[k] = i
			}
		}
	}
	if len(o.args) > 0 && !strings.Contains(o.args[0], "/") {
		for i, name := range o.args[1:] {
			add(o.args[0], name, i)
		}
	} else {
		for i, a := range o.args {
			if typ, name, ok := strings.Cut(a, "/"); ok {
				add(typ, name, i)
			}
		}
	}
	rank := func(ref output.ObjectRef) int {
		gv, _ := schema.ParseGroupVersion(ref.APIVersion)
		if p, ok := pos[key{gv.Group, ref.Kind, ref.Name}]; ok {
			return p
		}
		if p, ok := pos[key{name: ref.Name}]; ok {
			return p // a type the mapper could not resolve
		}
		return len(o.args)
	}
	sort.SliceStable(reports, func(i, j int) bool { return rank(reports[i].Object) < rank(reports[j].Object) })
}

// kindOf resolves a resource argument ("cm", "deployments.apps", "deploy.v1.apps") to
// its kind, through the mapper's short names.
func kindOf(mapper meta.RESTMapper, typ string) (schema.GroupKind, bool) {
	gvr, gr := schema.ParseResourceArg(strings.ToLower(typ))
	if gvr != nil {
		if gvk, err := mapper.KindFor(*gvr); err == nil {
			return gvk.GroupKind(), true
		}
	}
	gvk, err := mapper.KindFor(gr.WithVersion(""))
	if err != nil {
		return schema.GroupKind{}, false
	}
	return gvk.GroupKind(), true
}
