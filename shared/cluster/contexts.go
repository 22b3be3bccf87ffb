package cluster

import (
	"fmt"
	"sort"
	"time"

	"k8s.io/cli-runtime/pkg/genericclioptions"
	"k8s.io/client-go/discovery"
	"k8s.io/client-go/discovery/cached/memory"
	"k8s.io/client-go/dynamic"
	"k8s.io/client-go/restmapper"
	"k8s.io/client-go/tools/clientcmd"

	"github.com/kubectl-gitops/kubectl-gitops/shared/exitcode"
)

// Context names the kubeconfig context in use: --context, else the kubeconfig's
// current context. A trace that crosses clusters names every hop's cluster this way.
func (f *ConfigFactory) Context() string {
	if f.flags.Context != nil && *f.flags.Context != "" {
		return *f.flags.Context
	}
	raw, err := f.kubectl.ToRawKubeConfigLoader().RawConfig()
	if err != nil {
		return ""
	}
	return raw.CurrentContext
}

// Contexts lists the contexts of the kubeconfig in use, in name order.
func (f *ConfigFactory) Contexts() ([]string, error) {
	raw, err := f.kubectl.ToRawKubeConfigLoader().RawConfig()
	if err != nil {
		return nil, exitcode.Wrap(exitcode.Usage, fmt.Errorf("cannot read the kubeconfig: %w (check --kubeconfig or KUBECONFIG)", err))
	}
	names := make([]string, 0, len(raw.Contexts))
	for name := range raw.Contexts {
		names = append(names, name)
	}
	sort.Strings(names)
	return names, nil
}

// ForContext returns a factory over another cluster: context of kubeconfig (the
// user's own kubeconfig when empty; its current context when context is empty). The
// user's identity flags (--as, --token, …) are not carried over: they are about the
// cluster the command was pointed at, and another cluster has its own users in the
// kubeconfig. timeout bounds every request when positive.
func (f *ConfigFactory) ForContext(kubeconfig, context string, timeout time.Duration) (Factory, error) {
	flags := genericclioptions.NewConfigFlags(true)
	kc := kubeconfig
	if kc == "" && f.flags.KubeConfig != nil {
		kc = *f.flags.KubeConfig
	}
	flags.KubeConfig = &kc
	flags.Context = &context
	flags.CacheDir = f.flags.CacheDir
	if timeout > 0 {
		s := timeout.String()
		flags.Timeout = &s
	} else {
		flags.Timeout = f.flags.Timeout
	}
	if context != "" {
		raw, err := flags.ToRawKubeConfigLoader().RawConfig()
		if err != nil {
			return nil, exitcode.Wrap(exitcode.Usage, fmt.Errorf("cannot read the kubeconfig %s: %w", orUser(kubeconfig), err))
		}
		if _, ok := raw.Contexts[context]; !ok {
			return nil, exitcode.New(exitcode.Usage, "context %q is not in the kubeconfig %s: `kubectl config get-contexts` lists them", context, orUser(kubeconfig))
		}
	} else if kubeconfig != "" {
		if _, err := clientcmd.LoadFromFile(kubeconfig); err != nil {
			return nil, exitcode.Wrap(exitcode.Usage, fmt.Errorf("cannot read the kubeconfig %s: %w", kubeconfig, err))
		}
	}
	other := NewFactory(flags)
	other.wrap = f.wrap
	return other, nil
}

func orUser(kubeconfig string) string {
	if kubeconfig == "" {
		return "in use"
	}
	return kubeconfig
}

// ClientFromKubeconfig builds the clients of the cluster a kubeconfig (a Flux
// kubeConfig Secret's, read with the user's consent) points at. A kubeconfig that
// would run a command (exec or auth-provider) is refused: its content comes from the
// cluster, and reading a Secret must not execute what it says.
func ClientFromKubeconfig(data []byte, timeout time.Duration) (*Client, error) {
	raw, err := clientcmd.Load(data)
	if err != nil {
		return nil, exitcode.New(exitcode.Failure, "the kubeconfig cannot be read: %v", err)
	}
	for name, a := range raw.AuthInfos {
		if a.Exec != nil || a.AuthProvider != nil {
			return nil, exitcode.New(exitcode.Usage, "the kubeconfig's user %q runs a credential plugin: refused (use a context of your own kubeconfig with --remote-context)", name)
		}
	}
	cfg, err := clientcmd.NewDefaultClientConfig(*raw, &clientcmd.ConfigOverrides{}).ClientConfig()
	if err != nil {
		return nil, exitcode.New(exitcode.Failure, "the kubeconfig cannot be used: %v", err)
	}
	cfg.Timeout = timeout
	dyn, err := dynamic.NewForConfig(cfg)
	if err != nil {
		return nil, Classify(err)
	}
	dc, err := discovery.NewDiscoveryClientForConfig(cfg)
	if err != nil {
		return nil, Classify(err)
	}
	cached := memory.NewMemCacheClient(dc)
	return &Client{Config: cfg, Dynamic: WithDiscovery(dyn, dc), Mapper: restmapper.NewDeferredDiscoveryRESTMapper(cached), Discovery: cached}, nil
}
