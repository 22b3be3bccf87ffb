package testbed

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"time"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/dynamic"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/rest"
	"k8s.io/client-go/tools/clientcmd"
	clientcmdapi "k8s.io/client-go/tools/clientcmd/api"
	"sigs.k8s.io/controller-runtime/pkg/envtest"
)

// ManagementContext is the context of the bed's own cluster (where Flux runs) in the
// kubeconfig FleetKubeconfig writes.
const ManagementContext = "management"

// Workload is a second control plane of the bed: a workload cluster without Flux, that
// the management cluster's Flux applies to through a kubeConfig Secret.
type Workload struct {
	Name string
	// Kubeconfig is an admin kubeconfig of this cluster alone (context "envtest").
	Kubeconfig string
	Config     *rest.Config
	Dynamic    dynamic.Interface
	// Secret is the name of the Secret (in the namespace AddWorkload was given) holding
	// Kubeconfig under the key "value", for a Kustomization's spec.kubeConfig.secretRef.
	Secret string

	env *envtest.Environment
}

// AddWorkload starts another etcd and kube-apiserver (no Flux CRDs: a workload cluster
// runs no Flux), with kube-controller-manager when the bed has one, and writes its
// admin kubeconfig into Secret <namespace>/<name>-kubeconfig of the bed's cluster (the
// namespace is created when missing).
func (b *Bed) AddWorkload(ctx context.Context, name, namespace string) (_ *Workload, err error) {
	w := &Workload{Name: name, Secret: name + "-kubeconfig"}
	w.env = &envtest.Environment{
		BinaryAssetsDirectory:    b.Assets.Dir,
		ControlPlaneStartTimeout: 60 * time.Second,
		ControlPlaneStopTimeout:  20 * time.Second,
	}
	if err := b.tie(w.env, b.Assets); err != nil {
		return nil, err
	}
	if _, err := w.env.Start(); err != nil {
		return nil, fmt.Errorf("starting the workload cluster %s: %w", name, err)
	}
	b.workloads = append(b.workloads, w)
	admin, err := w.env.AddUser(envtest.User{Name: "admin", Groups: []string{"system:masters"}}, nil)
	if err != nil {
		return nil, err
	}
	data, err := admin.KubeConfig()
	if err != nil {
		return nil, err
	}
	w.Kubeconfig = filepath.Join(b.Dir, "kubeconfig-"+name)
	if err := os.WriteFile(w.Kubeconfig, data, 0o600); err != nil {
		return nil, err
	}
	w.Config = admin.Config()
	w.Config.QPS, w.Config.Burst = 200, 400
	if w.Dynamic, err = dynamic.NewForConfig(w.Config); err != nil {
		return nil, err
	}
	if b.opts.ControllerManager {
		if err := b.startControllerManager("kube-controller-manager-"+name, w.Kubeconfig); err != nil {
			return nil, err
		}
	}
	cs, err := kubernetes.NewForConfig(b.Config)
	if err != nil {
		return nil, err
	}
	ns := &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: namespace}}
	if _, err := cs.CoreV1().Namespaces().Create(ctx, ns, metav1.CreateOptions{}); err != nil && !apierrors.IsAlreadyExists(err) {
		return nil, err
	}
	secret := &corev1.Secret{
		ObjectMeta: metav1.ObjectMeta{Name: w.Secret, Namespace: namespace},
		Data:       map[string][]byte{"value": data},
	}
	if _, err := cs.CoreV1().Secrets(namespace).Create(ctx, secret, metav1.CreateOptions{}); err != nil {
		return nil, err
	}
	return w, nil
}

// FleetKubeconfig writes a kubeconfig whose contexts are the bed's cluster
// (ManagementContext), every workload cluster (by name) and extra contexts pointing at
// the given servers (for clusters that are unreachable), with current as its current
// context, and returns its path.
func (b *Bed) FleetKubeconfig(file, current string, extra map[string]string) (string, error) {
	files := map[string]string{ManagementContext: b.Kubeconfig}
	for _, w := range b.workloads {
		files[w.Name] = w.Kubeconfig
	}
	return MergeKubeconfigs(filepath.Join(b.Dir, file), files, current, extra)
}

// MergeKubeconfigs writes to path a kubeconfig with one context per entry of files
// (named by its key, taken from the current context of the file it names) and one per
// entry of extra (a server nothing answers for), with current as its current context,
// and returns path.
func MergeKubeconfigs(path string, files map[string]string, current string, extra map[string]string) (string, error) {
	out := clientcmdapi.NewConfig()
	for name, file := range files {
		cfg, err := clientcmd.LoadFromFile(file)
		if err != nil {
			return "", err
		}
		c := cfg.Contexts[cfg.CurrentContext]
		if c == nil {
			return "", fmt.Errorf("%s has no current context", file)
		}
		out.Clusters[name] = cfg.Clusters[c.Cluster]
		out.AuthInfos[name] = cfg.AuthInfos[c.AuthInfo]
		out.Contexts[name] = &clientcmdapi.Context{Cluster: name, AuthInfo: name}
	}
	for name, server := range extra {
		out.Clusters[name] = &clientcmdapi.Cluster{Server: server, InsecureSkipTLSVerify: true}
		out.AuthInfos[name] = &clientcmdapi.AuthInfo{Token: "unused"}
		out.Contexts[name] = &clientcmdapi.Context{Cluster: name, AuthInfo: name}
	}
	out.CurrentContext = current
	return path, clientcmd.WriteToFile(*out, path)
}
