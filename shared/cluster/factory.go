// Package cluster is the client layer every plugin shares: one place that turns
// kubectl's global flags into a REST config, a dynamic client and a RESTMapper that
// knows short names and CRDs, and that turns API errors into our exit codes.
package cluster

import (
	"fmt"
	"net/http"
	"sync"
	"time"

	"k8s.io/apimachinery/pkg/api/meta"
	"k8s.io/cli-runtime/pkg/genericclioptions"
	"k8s.io/cli-runtime/pkg/resource"
	"k8s.io/client-go/discovery"
	"k8s.io/client-go/dynamic"
	"k8s.io/client-go/metadata"
	"k8s.io/client-go/rest"
	cmdutil "k8s.io/kubectl/pkg/cmd/util"

	"github.com/kubectl-gitops/kubectl-gitops/shared/exitcode"
)

// Factory is what a command's Complete needs from the cluster, as kubectl's
// cmdutil.Factory is for kubectl's commands: an interface, so that option parsing and
// the logic behind it are unit-tested with in-memory clients.
type Factory interface {
	// Namespace returns the namespace from -n or the kubeconfig context, and whether -n
	// was given explicitly.
	Namespace() (string, bool, error)
	// Client builds the clients of one cluster.
	Client() (*Client, error)
	// Builder returns cli-runtime's resource builder (TYPE/NAME, -l, -f like kubectl get).
	Builder() *resource.Builder
	// Kubectl returns kubectl's own factory, for shell completion from the cluster.
	Kubectl() cmdutil.Factory
	// Lost receives the first error of a request the server never answered; nil when
	// nothing watches.
	Lost() <-chan error
	// Context names the kubeconfig context in use ("" when there is none).
	Context() string
	// Contexts lists every context of the kubeconfig, for commands that look across
	// clusters.
	Contexts() ([]string, error)
	// ForContext returns a factory over another context (of another kubeconfig file
	// when kubeconfig is set), whose requests time out after timeout when positive.
	ForContext(kubeconfig, context string, timeout time.Duration) (Factory, error)
}

// ConfigFactory builds clients from kubectl's global flags, lazily: --help and
// --version must work without a kubeconfig, and a bad kubeconfig must surface as one
// clear error.
type ConfigFactory struct {
	flags   *genericclioptions.ConfigFlags
	kubectl cmdutil.Factory
	// wrap, when set, wraps every HTTP transport the factory builds; tests use it to
	// count the requests a command makes.
	wrap func(http.RoundTripper) http.RoundTripper
	lost *lostWatch
}

// NewFactory returns a factory over flags.
func NewFactory(flags *genericclioptions.ConfigFlags) *ConfigFactory {
	f := &ConfigFactory{flags: flags, lost: newLostWatch()}
	flags.WrapConfigFn = func(c *rest.Config) *rest.Config {
		c.Wrap(f.lost.wrap)
		if f.wrap != nil {
			c.Wrap(f.wrap)
		}
		return c
	}
	f.kubectl = cmdutil.NewFactory(flags)
	return f
}

// WrapTransport installs a round-tripper wrapper on every client built after the call.
func (f *ConfigFactory) WrapTransport(w func(http.RoundTripper) http.RoundTripper) { f.wrap = w }

// Flags returns the kubectl global flags the factory reads.
func (f *ConfigFactory) Flags() *genericclioptions.ConfigFlags { return f.flags }

// Kubectl returns kubectl's own factory (for completion and resource builders).
func (f *ConfigFactory) Kubectl() cmdutil.Factory { return f.kubectl }

// Lost implements Factory.
func (f *ConfigFactory) Lost() <-chan error { return f.lost.lost }

// Namespace implements Factory.
func (f *ConfigFactory) Namespace() (string, bool, error) {
	ns, explicit, err := f.kubectl.ToRawKubeConfigLoader().Namespace()
	if err != nil {
		return "", false, exitcode.Wrap(exitcode.Usage, fmt.Errorf("cannot read the kubeconfig: %w (check --kubeconfig, --context or KUBECONFIG)", err))
	}
	return ns, explicit, nil
}

// Builder returns cli-runtime's resource builder, which understands TYPE/NAME, TYPE
// NAME, short names, CRDs, -l and -f like kubectl get does. Its REST config is built
// once per builder (see onceConfig).
func (f *ConfigFactory) Builder() *resource.Builder {
	return resource.NewBuilder(&onceConfig{RESTClientGetter: f.kubectl})
}

// onceConfig is a RESTClientGetter that builds the REST config once. cli-runtime's
// builder asks for a client for every object of a list it flattens, and each
// ToRESTConfig merges the kubeconfig again: for a list of 10,000 ConfigMaps that was
// 1.4 s and 390 MB of allocation, more than reading the list. Every caller gets its
// own copy, as the builder sets the content type and group version on it.
type onceConfig struct {
	genericclioptions.RESTClientGetter
	once sync.Once
	cfg  *rest.Config
	err  error
}

// ToRESTConfig implements genericclioptions.RESTClientGetter.
func (c *onceConfig) ToRESTConfig() (*rest.Config, error) {
	c.once.Do(func() { c.cfg, c.err = c.RESTClientGetter.ToRESTConfig() })
	if c.err != nil {
		return nil, c.err
	}
	return rest.CopyConfig(c.cfg), nil
}

// Client is the set of clients a command needs against one cluster.
type Client struct {
	Config    *rest.Config
	Dynamic   dynamic.Interface
	Mapper    meta.RESTMapper
	Discovery discovery.CachedDiscoveryInterface
	// Metadata lists objects without their bodies (PartialObjectMetadata): for a trace of
	// thousands of objects, of which only the metadata is read.
	Metadata metadata.Interface
}

// Client builds the clients. Discovery goes through kubectl's disk cache, so a warm
// cache costs no requests, exactly as for kubectl itself. The dynamic client also
// carries a live discovery client (see WithDiscovery), which makes no request until a
// NotFound needs it.
func (f *ConfigFactory) Client() (*Client, error) {
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
	md, err := metadata.NewForConfig(cfg)
	if err != nil {
		return nil, Classify(err)
	}
	live, err := discovery.NewDiscoveryClientForConfig(cfg)
	if err != nil {
		return nil, Classify(err)
	}
	return &Client{Config: cfg, Dynamic: WithDiscovery(dyn, live), Mapper: mapper, Discovery: disc, Metadata: md}, nil
}

// FieldManager is the field manager of every write the suite makes. It must not start
// with "kubectl": kustomize-controller takes over, and on its next apply removes, fields
// owned by managers with that prefix, which would silently undo a suspend or a pin. Left
// unset, the API server would name the manager after the binary, kubectl-gitops-….
const FieldManager = "gitops"
