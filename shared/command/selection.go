package command

import (
	"context"
	"strings"

	"github.com/spf13/cobra"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/client-go/dynamic"

	"github.com/kubectl-gitops/kubectl-gitops/shared/cluster"
	"github.com/kubectl-gitops/kubectl-gitops/shared/exitcode"
	"github.com/kubectl-gitops/kubectl-gitops/shared/flux"
)

// Selection is the objects of one Flux kind a command acts on, chosen the way kubectl
// chooses them: names in the namespace, or -l SELECTOR, or -A (with or without -l).
type Selection struct {
	Kind          string
	Names         []string
	Namespace     string
	Selector      string
	AllNamespaces bool
	Cluster       Cluster
	// explicit says -n was given, which -A contradicts.
	explicit bool
}

// AddFlags adds -l and -A.
func (s *Selection) AddFlags(cmd *cobra.Command) {
	cmd.Flags().StringVarP(&s.Selector, "selector", "l", "", "Act on every "+s.Kind+" matching this label selector.")
	cmd.Flags().BoolVarP(&s.AllNamespaces, "all-namespaces", "A", false, "With -l (or alone), in every namespace.")
}

// Complete reads the names, the namespace and the cluster.
func (s *Selection) Complete(f cluster.Factory, names []string) error {
	s.Names = names
	s.Cluster.Complete(f)
	var err error
	s.Namespace, s.explicit, err = f.Namespace()
	return err
}

// Validate rejects names mixed with -l/-A, -A with -n, no choice at all and empty
// names, with an example of a good call.
func (s *Selection) Validate(example string) error {
	fleet := s.Selector != "" || s.AllNamespaces
	switch {
	case fleet && len(s.Names) > 0:
		return exitcode.New(exitcode.Usage, "name %s or select them with -l/-A, not both", plural(s.Kind))
	case s.AllNamespaces && s.explicit:
		return exitcode.New(exitcode.Usage, "--all-namespaces and --namespace cannot be used together")
	case !fleet && len(s.Names) == 0:
		return exitcode.New(exitcode.Usage, "name a %s, or select them with -l or -A, e.g. '%s'", s.Kind, example)
	}
	for _, n := range s.Names {
		if n == "" {
			return exitcode.New(exitcode.Usage, "the %s name is empty: name one, e.g. '%s'", s.Kind, example)
		}
	}
	return nil
}

// plural is a kind's plural as the messages write it: GitRepositories, Kustomizations.
func plural(kind string) string {
	if k, ok := strings.CutSuffix(kind, "y"); ok {
		return k + "ies"
	}
	return kind + "s"
}

// Resolve lists the selected objects: the names as given (each is read later, so a
// missing one gets its own not-found), or what -l/-A match, sorted as the API server
// lists them. A selection that matches nothing is NotFound.
func (s *Selection) Resolve(ctx context.Context, dyn dynamic.Interface) ([]types.NamespacedName, error) {
	var out []types.NamespacedName
	for _, n := range s.Names {
		out = append(out, types.NamespacedName{Namespace: s.Namespace, Name: n})
	}
	if len(out) > 0 {
		return out, nil
	}
	ns := s.Namespace
	if s.AllNamespaces {
		ns = ""
	}
	err := flux.ListSelected(ctx, dyn, s.Kind, ns, s.Selector, func(u *unstructured.Unstructured) error {
		out = append(out, types.NamespacedName{Namespace: u.GetNamespace(), Name: u.GetName()})
		return nil
	})
	if err == nil && len(out) == 0 {
		where := "in namespace " + ns
		if ns == "" {
			where = "in any namespace"
		}
		if s.Selector != "" {
			where = "matches -l " + s.Selector + " " + where
		}
		return nil, exitcode.New(exitcode.NotFound, "no %s %s", s.Kind, where)
	}
	return out, err
}
