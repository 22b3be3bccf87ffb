package gitlocate

import (
	"fmt"
	"strings"
)

// tier ranks matches: lower is better. Flux's spec.targetNamespace can put
// an object in a namespace its manifest does not name, so namespace
// disagreements weaken a match instead of ruling it out.
type tier int

const (
	// tierExact: group, kind, name and namespace agree (or the object is
	// cluster-scoped and namespaces are not compared).
	tierExact tier = iota
	// tierNoNamespace: the manifest names no namespace.
	tierNoNamespace
	// tierOtherNamespace: the manifest names a different namespace.
	tierOtherNamespace
)

// match is a manifest document that defines the target.
type match struct {
	file    string
	line    int
	via     []string
	tier    tier
	caveats []string
}

// scope is what the kustomizations above a file do to the objects in it.
type scope struct {
	via       []string // kustomization files, outermost first
	prefix    string   // accumulated namePrefix, outermost first
	suffix    string   // accumulated nameSuffix, innermost first
	namespace string   // namespace set by the outermost kustomization that sets one
	naming    []string // where prefix and suffix come from, for caveats
	depth     int
}

// enter returns the scope for the resources of kustomization k at file.
// kustomize transforms inner kustomizations first, so an inner prefix ends up
// closer to the name and an outer namespace wins.
func (s scope) enter(file string, k kustomization) scope {
	next := scope{
		via:       append(append([]string(nil), s.via...), file),
		prefix:    s.prefix + k.namePrefix,
		suffix:    k.nameSuffix + s.suffix,
		namespace: s.namespace,
		naming:    s.naming,
		depth:     s.depth + 1,
	}
	if next.namespace == "" {
		next.namespace = k.namespace
	}
	if k.namePrefix != "" {
		next.naming = append(append([]string(nil), next.naming...), fmt.Sprintf("namePrefix `%s` in %s", k.namePrefix, file))
	}
	if k.nameSuffix != "" {
		next.naming = append(append([]string(nil), next.naming...), fmt.Sprintf("nameSuffix `%s` in %s", k.nameSuffix, file))
	}
	return next
}

// keepsName reports whether kustomize leaves the name of this kind alone
// when applying namePrefix and nameSuffix.
func keepsName(group, kind string) bool {
	switch {
	case kind == "CustomResourceDefinition", kind == "Namespace":
		return true
	case kind == "APIService" && group == "apiregistration.k8s.io":
		return true
	}
	return false
}

// matchObject decides whether obj, seen under scope s, is the target.
func matchObject(t target, obj manifestObject, s scope) (match, bool) {
	if manifestGroup(obj.apiVersion) != t.group || obj.kind != t.kind {
		return match{}, false
	}
	var caveats []string
	if keepsName(t.group, t.kind) || (s.prefix == "" && s.suffix == "") {
		if obj.name != t.name {
			return match{}, false
		}
	} else {
		if s.prefix+obj.name+s.suffix != t.name {
			return match{}, false
		}
		caveats = append(caveats, fmt.Sprintf("the manifest names it `%s`; %s make it `%s`",
			obj.name, strings.Join(s.naming, " and "), t.name))
	}
	m := match{tier: tierExact}
	ns := obj.namespace
	if s.namespace != "" {
		ns = s.namespace
	}
	switch {
	case t.namespace == "" || ns == t.namespace:
	case ns == "":
		m.tier = tierNoNamespace
		caveats = append(caveats, fmt.Sprintf("the manifest sets no namespace; `%s` presumably comes from the Flux Kustomization's spec.targetNamespace", t.namespace))
	default:
		m.tier = tierOtherNamespace
		caveats = append(caveats, fmt.Sprintf("the manifest says namespace `%s`, not `%s`; the Flux Kustomization's spec.targetNamespace presumably overrides it", ns, t.namespace))
	}
	m.caveats = caveats
	return m, true
}

// generatedBy returns the generator that produces the target, if any.
// Generators append a content hash ("app-config-7f8d9c6b5k") after the
// prefix and suffix unless disableNameSuffixHash is set, so both forms match.
func generatedBy(t target, k kustomization, s scope) (generator, bool) {
	field := generatorField(t)
	if field == "" {
		return generator{}, false
	}
	for _, g := range k.generators {
		if g.field != field {
			continue
		}
		full := s.prefix + g.name + s.suffix
		if t.name == full {
			return g, true
		}
		if hash, ok := strings.CutPrefix(t.name, full+"-"); ok && isHashSuffix(hash) {
			return g, true
		}
	}
	return generator{}, false
}

// generatorField names the kustomization field that can generate the
// target's kind, or "" when no generator can.
func generatorField(t target) string {
	switch {
	case t.group == "" && t.kind == "ConfigMap":
		return "configMapGenerator"
	case t.group == "" && t.kind == "Secret":
		return "secretGenerator"
	}
	return ""
}

// isHashSuffix reports whether s could be a kustomize name hash: short,
// lowercase letters and digits.
func isHashSuffix(s string) bool {
	if s == "" || len(s) > 16 {
		return false
	}
	for _, c := range s {
		if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9') {
			return false
		}
	}
	return true
}
