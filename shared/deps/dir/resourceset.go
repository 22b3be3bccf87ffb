package dir

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strings"
	"text/template"

	sprig "github.com/go-task/slim-sprig/v3"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"

	"github.com/kubectl-gitops/kubectl-gitops/shared/deps"
)

// operatorGroup is flux-operator's API group (ResourceSet, FluxInstance).
const operatorGroup = "fluxcd.controlplane.io"

// resourceSet is the part of a flux-operator ResourceSet the dependency check reads.
type resourceSet struct {
	Metadata struct {
		Name      string `json:"name"`
		Namespace string `json:"namespace"`
	} `json:"metadata"`
	Spec struct {
		Inputs            []map[string]any  `json:"inputs"`
		InputsFrom        []json.RawMessage `json:"inputsFrom"`
		Resources         []json.RawMessage `json:"resources"`
		ResourcesTemplate string            `json:"resourcesTemplate"`
		Wait              bool              `json:"wait"`
		DependsOn         []struct {
			APIVersion string `json:"apiVersion"`
			Kind       string `json:"kind"`
			Name       string `json:"name"`
			Namespace  string `json:"namespace"`
			ReadyExpr  string `json:"readyExpr"`
		} `json:"dependsOn"`
	} `json:"spec"`
}

// resourceSetNode is a ResourceSet as a node: its dependsOn on Kustomizations,
// HelmReleases and ResourceSets are edges of the graph (a dependency on another kind,
// a CRD say, is not one Flux objects can wait on each other through).
func resourceSetNode(raw []byte, defaultNamespace string) (deps.Node, *resourceSet, error) {
	var rs resourceSet
	if err := json.Unmarshal(raw, &rs); err != nil {
		return deps.Node{}, nil, fmt.Errorf("invalid ResourceSet: %w", err)
	}
	ns := orDefault(rs.Metadata.Namespace, defaultNamespace)
	n := deps.Node{Kind: deps.KindResourceSet, Namespace: ns, Name: rs.Metadata.Name, WaitsAll: rs.Spec.Wait, Offline: true}
	for _, d := range rs.Spec.DependsOn {
		kind := deps.Kind(d.Kind)
		if kind != deps.KindKustomization && kind != deps.KindHelmRelease && kind != deps.KindResourceSet {
			continue
		}
		n.DependsOn = append(n.DependsOn, deps.DependencyRef{Kind: kind, Name: d.Name, Namespace: orDefault(d.Namespace, ns), ReadyExpr: d.ReadyExpr})
	}
	return n, &rs, nil
}

// expand renders a ResourceSet's resources for each of its inline inputs, as
// flux-operator does: each resource is a text/template with << >> delimiters and the
// sprig functions, executed for each input, which the template reads as inputs. Inputs from providers and a
// resourcesTemplate are not expanded offline: the reason says so.
func (rs *resourceSet) expand() (objects []*unstructured.Unstructured, unexpanded string, err error) {
	switch {
	case len(rs.Spec.InputsFrom) > 0:
		unexpanded = "its inputs come from ResourceSetInputProviders, known only in the cluster"
	case rs.Spec.ResourcesTemplate != "":
		unexpanded = "its resourcesTemplate is not expanded offline"
	}
	if unexpanded != "" {
		return nil, unexpanded, nil
	}
	inputs := rs.Spec.Inputs
	if len(inputs) == 0 {
		inputs = []map[string]any{nil}
	}
	// Templates name the input as a function, << inputs.key >>: it returns the input
	// being rendered.
	var current map[string]any
	funcs := sprig.HermeticTxtFuncMap() // no env, no clock, no randomness: a pull request must not read the CI runner's environment
	funcs["inputs"] = func() map[string]any { return current }
	for _, unbounded := range []string{"until", "untilStep", "repeat"} {
		delete(funcs, unbounded) // a template from a pull request must not take all memory
	}
	for i, res := range rs.Spec.Resources {
		tmpl, err := template.New(fmt.Sprintf("resources[%d]", i)).Delims("<<", ">>").Funcs(funcs).Option("missingkey=error").Parse(string(res))
		if err != nil {
			return nil, "", err
		}
		for _, in := range inputs {
			current = in
			out := &cappedBuffer{limit: maxRendered}
			if err := tmpl.Execute(out, nil); err != nil {
				return nil, "", err
			}
			var obj map[string]any
			if err := json.Unmarshal(out.buf.Bytes(), &obj); err != nil {
				return nil, "", fmt.Errorf("resources[%d] is not an object once rendered: %w", i, err)
			}
			u := &unstructured.Unstructured{Object: obj}
			if u.GetNamespace() == "" {
				u.SetNamespace(orDefault(rs.Metadata.Namespace, DefaultNamespace))
			}
			objects = append(objects, u)
		}
	}
	return objects, "", nil
}

// isResourceSet reports whether apiVersion and kind are flux-operator's ResourceSet.
func isResourceSet(apiVersion, kind string) bool {
	group, _, _ := strings.Cut(apiVersion, "/")
	return group == operatorGroup && kind == "ResourceSet"
}

// maxRendered bounds what one resource template may render to.
const maxRendered = 1 << 20

// cappedBuffer fails the write that would take it past limit, which stops the
// template there.
type cappedBuffer struct {
	buf   bytes.Buffer
	limit int
}

func (c *cappedBuffer) Write(p []byte) (int, error) {
	if c.buf.Len()+len(p) > c.limit {
		return 0, fmt.Errorf("renders to more than %d KiB: not expanded", c.limit>>10)
	}
	return c.buf.Write(p)
}
