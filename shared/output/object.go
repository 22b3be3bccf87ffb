package output

// ObjectRef names one Kubernetes object in every document the suite prints: the
// object a command acted on, a hop of a trace, what a session applied. One type, so
// that a script reads the same four keys from every command's output. APIVersion is
// left out where the kind alone is unambiguous (Flux's own kinds); namespace is left
// out for a cluster-scoped object.
type ObjectRef struct {
	APIVersion string `json:"apiVersion,omitempty"`
	Kind       string `json:"kind"`
	Namespace  string `json:"namespace,omitempty"`
	Name       string `json:"name"`
}

// String is the object as Name renders it for humans.
func (o ObjectRef) String() string { return Name(o.Kind, o.Namespace, o.Name) }
