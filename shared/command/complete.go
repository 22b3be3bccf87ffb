package command

import (
	"context"
	"sort"
	"strings"
	"time"

	"github.com/spf13/cobra"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"

	"github.com/kubectl-gitops/kubectl-gitops/shared/cluster"
)

// completionTimeout bounds one completion's requests: a TAB must answer promptly or
// not at all.
const completionTimeout = 5 * time.Second

// The suite completes from the cluster with its own small functions instead of
// k8s.io/kubectl/pkg/util/completion: that package pulls in kubectl's api-resources
// command, whose help texts are rendered at start-up (about 20 ms of every run of
// every binary, completion or not).

// completeNames lists the names of resource (plural, with its group: "pods",
// "deployments.apps") in the command's namespace that start with prefix.
func completeNames(f cluster.Factory, resource, prefix string) []string {
	mapper, err := f.Kubectl().ToRESTMapper()
	if err != nil {
		return nil
	}
	gvk, err := mapper.KindFor(schema.ParseGroupResource(resource).WithVersion(""))
	if err != nil {
		return nil
	}
	mapping, err := mapper.RESTMapping(gvk.GroupKind(), gvk.Version)
	if err != nil {
		return nil
	}
	client, err := f.Client()
	if err != nil {
		return nil
	}
	ctx, cancel := context.WithTimeout(context.Background(), completionTimeout)
	defer cancel()
	ri := client.Dynamic.Resource(mapping.Resource)
	var list *unstructured.UnstructuredList
	if mapping.Scope.Name() == "namespace" {
		ns, _, _ := f.Namespace()
		list, err = ri.Namespace(ns).List(ctx, metav1.ListOptions{})
	} else {
		list, err = ri.List(ctx, metav1.ListOptions{})
	}
	if err != nil {
		return nil
	}
	var out []string
	for _, it := range list.Items {
		if name := it.GetName(); strings.HasPrefix(name, prefix) {
			out = append(out, name)
		}
	}
	return out
}

// completeTypes lists the resource types the server serves and that can be listed,
// as `kubectl api-resources -o name` does: "pods", "deployments.apps".
func completeTypes(f cluster.Factory, prefix string) []string {
	dc, err := f.Kubectl().ToDiscoveryClient()
	if err != nil {
		return nil
	}
	lists, _ := dc.ServerPreferredResources()
	var out []string
	for _, l := range lists {
		gv, err := schema.ParseGroupVersion(l.GroupVersion)
		if err != nil {
			continue
		}
		for _, r := range l.APIResources {
			if strings.Contains(r.Name, "/") || !hasVerb(r.Verbs, "list") {
				continue
			}
			name := r.Name
			if gv.Group != "" {
				name += "." + gv.Group
			}
			if strings.HasPrefix(name, prefix) {
				out = append(out, name)
			}
		}
	}
	sort.Strings(out)
	return out
}

func hasVerb(verbs []string, verb string) bool {
	for _, v := range verbs {
		if v == verb {
			return true
		}
	}
	return false
}

// CompleteTypeAndName completes `TYPE NAME…` and `TYPE/NAME` like `kubectl get`.
func CompleteTypeAndName(f cluster.Factory) cobra.CompletionFunc {
	return func(cmd *cobra.Command, args []string, toComplete string) ([]string, cobra.ShellCompDirective) {
		if len(args) == 0 {
			if typ, name, ok := strings.Cut(toComplete, "/"); ok {
				var out []string
				for _, n := range completeNames(f, typ, name) {
					out = append(out, typ+"/"+n)
				}
				return out, cobra.ShellCompDirectiveNoFileComp
			}
			return completeTypes(f, toComplete), cobra.ShellCompDirectiveNoFileComp | cobra.ShellCompDirectiveNoSpace
		}
		if strings.Contains(args[0], "/") {
			return nil, cobra.ShellCompDirectiveNoFileComp
		}
		return completeNames(f, args[0], toComplete), cobra.ShellCompDirectiveNoFileComp
	}
}

// completeKubeconfig lists the names of contexts, clusters or users in the kubeconfig.
func completeKubeconfig(f cluster.Factory, what string) cobra.CompletionFunc {
	return func(cmd *cobra.Command, args []string, toComplete string) ([]string, cobra.ShellCompDirective) {
		cfg, err := f.Kubectl().ToRawKubeConfigLoader().RawConfig()
		if err != nil {
			return nil, cobra.ShellCompDirectiveNoFileComp
		}
		var names []string
		switch what {
		case "context":
			for n := range cfg.Contexts {
				names = append(names, n)
			}
		case "cluster":
			for n := range cfg.Clusters {
				names = append(names, n)
			}
		case "user":
			for n := range cfg.AuthInfos {
				names = append(names, n)
			}
		}
		var out []string
		for _, n := range names {
			if strings.HasPrefix(n, toComplete) {
				out = append(out, n)
			}
		}
		sort.Strings(out)
		return out, cobra.ShellCompDirectiveNoFileComp
	}
}

// CompleteContexts completes a flag naming another context of the kubeconfig
// (--flux-context, --remote-context) as --context is completed.
func CompleteContexts(f cluster.Factory) cobra.CompletionFunc {
	return completeKubeconfig(f, "context")
}
