// Package cluster is the client layer every plugin shares: one place that turns
// kubectl's global flags into a REST config, a dynamic client and a RESTMapper that
// knows short names and CRDs, and that turns API errors into our exit codes.
package cluster

import (
	"fmt"
	"net/http"

	"k8s.io/apimachinery/pkg/api/meta"
	"k8s.io/cli-runtime/pkg/genericclioptions"
	"k8s.io/cli-runtime/pkg/resource"
	"k8s.io/client-go/discovery"
	"k8s.io/client-go/dynamic"
	"k8s.io/client-go/rest"
	cmdutil "k8s.io/kubectl/pkg/cmd/util"

	"github.com/kubectl-gitops/kubectl-gitops/shared/exitcode"
)

// Factory builds clients from kubectl's global flags, lazily: --help and --version must
// work without a kubeconfig, and a bad kubeconfig must surface as one clear error.
type Factory struct {
	flags   *genericclioptions.ConfigFlags
	kubectl cmdutil.Factory
	// wrap, when set, wraps every HTTP transport the factory builds; tests use it to
	// count the requests a command makes.
	wrap func(http.RoundTripper) http.RoundTripper
}

// NewFactory returns a factory over flags.
func NewFactory(flags *genericclioptions.ConfigFlags) *Factory {
	f := &Factory{flags: flags}
	flags.WrapConfigFn = func(c *rest.Config) *rest.Config {
		if f.wrap != nil {
			c.Wrap(f.wrap)
		}
		return c
	}
	f.kubectl = cmdutil.NewFactory(flags)
	return f
}

// WrapTransport installs a round-tripper wrapper on every client built after the call.
func (f *Factory) WrapTransport(w func(http.RoundTripper) http.RoundTripper) { f.wrap = w }

// Flags returns the kubectl global flags the factory reads.
func (f *Factory) Flags() *genericclioptions.ConfigFlags { return f.flags }

// Kubectl returns kubectl's own factory (for completion and resource builders).
func (f *Factory) Kubectl() cmdutil.Factory { return f.kubectl }

// Namespace returns the namespace from -n or the kubeconfig context, and whether -n was
// given explicitly.
func (f *Factory) Namespace() (string, bool, error) {
	ns, explicit, err := f.kubectl.ToRawKubeConfigLoader().Namespace()
	if err != nil {
		return "", false, exitcode.Wrap(exitcode.Usage, fmt.Errorf("cannot read the kubeconfig: %w (check --kubeconfig, --context or KUBECONFIG)", err))
	}
	return ns, explicit, nil
}

// Builder returns cli-runtime's resource builder, which understands TYPE/NAME, TYPE
// NAME, short names, CRDs, -l and -f like kubectl get does.
func (f *Factory) Builder() *resource.Builder { return f.kubectl.NewBuilder() }

// Client is the set of clients a command needs against one cluster.
type Client struct {
	Config    *rest.Config
	Dynamic   dynamic.Interface
	Mapper    meta.RESTMapper
	Discovery discovery.CachedDiscoveryInterface
}

// Client builds the clients. Discovery goes through kubectl's disk cache, so a warm
// cache costs no requests, exactly as for kubectl itself.
func (f *Factory) Client() (*Client, error) {
	cfg, err := f.kubectl.ToRESTConfig()
	if err != nil {
		return nil, Classify(fmt.Errorf("cannot build a client from the kubeconfig: %w", err))
	}
	dyn, err := dynamic.NewForConfig(cfg)
	if err != nil {
		return nil, Classify(err)
	}
	mapper, err := f.kubectl.ToRESTMapper()
	if err != nil {
		return nil, Classify(err)
	}
	disc, err := f.kubectl.ToDiscoveryClient()
	if err != nil {
		return nil, Classify(err)
	}
	return &Client{Config: cfg, Dynamic: dyn, Mapper: mapper, Discovery: disc}, nil
}
