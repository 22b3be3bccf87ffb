// Package remote reads where a Kustomization or HelmRelease with spec.kubeConfig
// applies (the Secret or ConfigMap it names, the API server it points at) and opens
// that cluster for the user: trace follows an object there, diff dry-runs there.
package remote

import (
	"context"
	"encoding/base64"
	"fmt"
	"net/url"
	"strings"

	"github.com/fluxcd/pkg/apis/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/client-go/dynamic"
	"k8s.io/client-go/tools/clientcmd"

	"github.com/kubectl-gitops/kubectl-gitops/shared/cluster"
	"github.com/kubectl-gitops/kubectl-gitops/shared/exitcode"
	"github.com/kubectl-gitops/kubectl-gitops/shared/redact"
)

// Ref is the cluster a Kustomization applies to when its spec.kubeConfig names
// another one. It names the Secret (or ConfigMap) and, when the user may read it, the
// API server it points at; never anything else of its content.
type Ref struct {
	// Secret is the namespace/name of the Secret holding the kubeconfig, Key its key.
	Secret string `json:"secret,omitempty"`
	Key    string `json:"key,omitempty"`
	// ConfigMap is the namespace/name of the ConfigMap of a workload-identity kubeConfig.
	ConfigMap string `json:"configMap,omitempty"`
	// Server is the API server the kubeconfig points at (userinfo removed).
	Server string `json:"server,omitempty"`
	// ServerNote says why Server is not given (the Secret may not be read, …).
	ServerNote string `json:"serverNote,omitempty"`

	// kubeconfig is the Secret's kubeconfig, kept in memory for --use-kubeconfig-secret
	// and never written anywhere.
	kubeconfig []byte
}

// Kubeconfig returns the kubeconfig of the reference's Secret when it could be read.
func (r *Ref) Kubeconfig() []byte { return r.kubeconfig }

// Via names what the reference reads: "Secret NS/NAME" or "ConfigMap NS/NAME".
func (r *Ref) Via() string {
	if r.ConfigMap != "" {
		return "ConfigMap " + r.ConfigMap
	}
	return "Secret " + r.Secret
}

// secretKeys are the keys kustomize-controller reads a kubeconfig from when
// spec.kubeConfig.secretRef.key is not set, in its order.
var secretKeys = []string{"value", "value.yaml"}

var (
	secretsResource    = schema.GroupVersionResource{Version: "v1", Resource: "secrets"}
	configMapsResource = schema.GroupVersionResource{Version: "v1", Resource: "configmaps"}
)

// Read describes where a Kustomization or HelmRelease of namespace applies, reading
// the Secret or ConfigMap its kubeConfig names when RBAC allows; nil when it applies to
// its own cluster.
func Read(ctx context.Context, dyn dynamic.Interface, namespace string, kc *meta.KubeConfigReference) *Ref {
	if kc == nil {
		return nil
	}
	tg := &Ref{}
	switch {
	case kc.SecretRef != nil:
		tg.Secret, tg.Key = namespace+"/"+kc.SecretRef.Name, kc.SecretRef.Key
		u, err := dyn.Resource(secretsResource).Namespace(namespace).Get(ctx, kc.SecretRef.Name, metav1.GetOptions{})
		if err != nil {
			tg.ServerNote = unreadable("Secret", tg.Secret, err)
			return tg
		}
		data, _, _ := unstructured.NestedStringMap(u.Object, "data")
		keys := secretKeys
		if tg.Key != "" {
			keys = []string{tg.Key}
		}
		for _, k := range keys {
			if v, ok := data[k]; ok {
				tg.kubeconfig, _ = base64.StdEncoding.DecodeString(v)
				break
			}
		}
		if tg.kubeconfig == nil {
			tg.ServerNote = fmt.Sprintf("the Secret has no key %s: kustomize-controller cannot read a kubeconfig from it", strings.Join(keys, " or "))
			return tg
		}
		server, err := kubeconfigServer(tg.kubeconfig)
		if err != nil {
			tg.ServerNote = "the Secret does not hold a kubeconfig kustomize-controller can read: " + err.Error()
			return tg
		}
		tg.Server = server
	case kc.ConfigMapRef != nil:
		tg.ConfigMap = namespace + "/" + kc.ConfigMapRef.Name
		u, err := dyn.Resource(configMapsResource).Namespace(namespace).Get(ctx, kc.ConfigMapRef.Name, metav1.GetOptions{})
		if err != nil {
			tg.ServerNote = unreadable("ConfigMap", tg.ConfigMap, err)
			return tg
		}
		data, _, _ := unstructured.NestedStringMap(u.Object, "data")
		if tg.Server = redact.URL(data["address"]); tg.Server == "" {
			tg.ServerNote = "the ConfigMap names no address: the provider's cluster resource decides"
		}
	}
	return tg
}

// unreadable says why a kubeConfig reference could not be read, without its content.
func unreadable(kind, name string, err error) string {
	switch exitcode.Of(cluster.Classify(err)) {
	case exitcode.Forbidden:
		return fmt.Sprintf("you may not read %s %s: the server it points at is not shown", kind, name)
	case exitcode.NotFound:
		return fmt.Sprintf("%s %s does not exist: kustomize-controller cannot reach the cluster", kind, name)
	}
	return fmt.Sprintf("cannot read %s %s: %s", kind, name, redact.Text(err.Error()))
}

// kubeconfigServer returns the server of a kubeconfig's current context (its only
// cluster when it names none), as kustomize-controller connects to it.
func kubeconfigServer(data []byte) (string, error) {
	cfg, err := clientcmd.Load(data)
	if err != nil {
		return "", err
	}
	if c, ok := cfg.Contexts[cfg.CurrentContext]; ok {
		if cl, ok := cfg.Clusters[c.Cluster]; ok {
			return redact.URL(cl.Server), nil
		}
	}
	if len(cfg.Clusters) == 1 {
		for _, cl := range cfg.Clusters {
			return redact.URL(cl.Server), nil
		}
	}
	return "", fmt.Errorf("no current context names a cluster")
}

// SameServer reports whether two API server URLs name the same endpoint (scheme, host
// and port; a trailing slash or path prefix aside).
func SameServer(a, b string) bool {
	ua, errA := url.Parse(a)
	ub, errB := url.Parse(b)
	if errA != nil || errB != nil || ua.Host == "" {
		return false
	}
	return strings.EqualFold(ua.Scheme, ub.Scheme) && strings.EqualFold(withPort(ua), withPort(ub))
}

func withPort(u *url.URL) string {
	if u.Port() != "" {
		return u.Host
	}
	if u.Scheme == "http" {
		return u.Host + ":80"
	}
	return u.Host + ":443"
}
