package testbed

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"time"

	"github.com/go-logr/logr"

	"k8s.io/apimachinery/pkg/api/meta"
	"k8s.io/client-go/discovery"
	"k8s.io/client-go/discovery/cached/memory"
	"k8s.io/client-go/dynamic"
	"k8s.io/client-go/rest"
	"k8s.io/client-go/restmapper"
	"sigs.k8s.io/controller-runtime/pkg/envtest"
	ctrllog "sigs.k8s.io/controller-runtime/pkg/log"
)

// Options choose which parts a bed starts.
type Options struct {
	// NoFluxCRDs starts the API server without Flux's CRDs ("Flux is not installed").
	NoFluxCRDs bool
	// Flux starts source-, kustomize- and helm-controller against the API server.
	Flux bool
	// Notification adds notification-controller's CRDs (Alert, Provider, Receiver)
	// and, with Flux, starts notification-controller and points the other
	// controllers' --events-addr at it. Off by default: other tests neither pay for
	// a fourth controller nor see Alerts appear in their traces.
	Notification bool
	// SealedSecrets adds the SealedSecret CRD and starts the sealed-secrets controller
	// (sealed.go), which unseals what Flux applies; Bed.Seal encrypts with its
	// certificate through kubeseal.
	SealedSecrets bool
	// ExternalSecrets adds External Secrets' CRDs (ExternalSecret, SecretStore,
	// ClusterSecretStore). Its controller is not started: built with every provider
	// it takes over six minutes, more than the bed's budget. Bed.SyncExternalSecret
	// makes the Secret and status as the controller does.
	ExternalSecrets bool
	// Dir holds the bed's files (kubeconfig, repos, logs); a temporary folder when empty.
	Dir string
	// ControllerManager starts kube-controller-manager (Deployment and ReplicaSet
	// controllers) against every control plane of the bed.
	ControllerManager bool
}

// Bed is one running test bed.
type Bed struct {
	Assets Assets
	// Dir holds the kubeconfig, the Git repositories, controller storage and logs.
	Dir string
	// Kubeconfig is the path of an admin (system:masters) kubeconfig for the bed.
	Kubeconfig string
	Config     *rest.Config
	Dynamic    dynamic.Interface
	Mapper     meta.ResettableRESTMapper
	Git        *GitServer

	env    *envtest.Environment
	procs  []*process
	ownDir bool
	opts   Options
	// sealedCert is the URL of the sealed-secrets controller's certificate.
	sealedCert string
	// workloads are the extra control planes of a multi-cluster bed.
	workloads []*Workload
}

// New starts a bed. On error everything already started is stopped.
func New(ctx context.Context, opts Options) (_ *Bed, err error) {
	assets, err := FindAssets()
	if err != nil {
		return nil, err
	}
	// envtest logs through controller-runtime's logger, which warns with a stack trace
	// when nobody set it; the bed reports its own errors.
	ctrllog.SetLogger(logr.Discard())
	b := &Bed{Assets: assets, Dir: opts.Dir, opts: opts}
	if b.Dir == "" {
		if b.Dir, err = os.MkdirTemp("", "gitops-bed-"); err != nil {
			return nil, err
		}
		b.ownDir = true
	}
	defer func() {
		if err != nil {
			_ = b.Stop()
		}
	}()
	b.env = &envtest.Environment{
		BinaryAssetsDirectory:    assets.Dir,
		ControlPlaneStartTimeout: 60 * time.Second,
		ControlPlaneStopTimeout:  20 * time.Second,
	}
	if err = b.tieControlPlane(assets); err != nil {
		return nil, err
	}
	if !opts.NoFluxCRDs {
		b.env.CRDDirectoryPaths = assets.CRDDirs(opts)
		b.env.ErrorIfCRDPathMissing = true
	}
	if _, err = b.env.Start(); err != nil {
		return nil, fmt.Errorf("starting etcd and kube-apiserver: %w", err)
	}
	admin, err := b.env.AddUser(envtest.User{Name: "admin", Groups: []string{"system:masters"}}, nil)
	if err != nil {
		return nil, err
	}
	b.Config = admin.Config()
	b.Config.QPS, b.Config.Burst = 200, 400
	if b.Kubeconfig, err = b.writeKubeconfig("admin", admin); err != nil {
		return nil, err
	}
	if b.Dynamic, err = dynamic.NewForConfig(b.Config); err != nil {
		return nil, err
	}
	dc, err := discovery.NewDiscoveryClientForConfig(b.Config)
	if err != nil {
		return nil, err
	}
	b.Mapper = restmapper.NewDeferredDiscoveryRESTMapper(memory.NewMemCacheClient(dc))
	if opts.ControllerManager {
		if err = b.startControllerManager("kube-controller-manager", b.Kubeconfig); err != nil {
			return nil, err
		}
	}
	if b.Git, err = StartGitServer(filepath.Join(b.Dir, "git")); err != nil {
		return nil, err
	}
	if err = os.MkdirAll(filepath.Join(b.Dir, "git", "work"), 0o755); err != nil {
		return nil, err
	}
	if opts.Flux {
		if err = b.startFlux(ctx); err != nil {
			return nil, err
		}
	}
	if opts.SealedSecrets {
		if err = b.startSealedSecrets(ctx); err != nil {
			return nil, err
		}
	}
	return b, nil
}

func (b *Bed) writeKubeconfig(name string, u *envtest.AuthenticatedUser) (string, error) {
	data, err := u.KubeConfig()
	if err != nil {
		return "", err
	}
	path := filepath.Join(b.Dir, "kubeconfig-"+name)
	return path, os.WriteFile(path, data, 0o600)
}

// AddUser creates a user with the given groups (RBAC is enforced for anyone outside
// system:masters) and returns the path of a kubeconfig for it.
func (b *Bed) AddUser(name string, groups ...string) (string, error) {
	u, err := b.env.AddUser(envtest.User{Name: name, Groups: groups}, nil)
	if err != nil {
		return "", err
	}
	return b.writeKubeconfig(name, u)
}

// Stop stops the controllers, the Git server and the control plane, and removes the
// bed's folder if it made one. It is safe to call more than once.
func (b *Bed) Stop() error {
	var errs []error
	for i := len(b.procs) - 1; i >= 0; i-- {
		errs = append(errs, b.procs[i].stop())
	}
	b.procs = nil
	for i := len(b.workloads) - 1; i >= 0; i-- {
		errs = append(errs, b.workloads[i].env.Stop())
	}
	b.workloads = nil
	if b.Git != nil {
		errs = append(errs, b.Git.Stop())
		b.Git = nil
	}
	if b.env != nil {
		errs = append(errs, b.env.Stop())
		b.env = nil
	}
	if b.ownDir && os.Getenv("GITOPS_TESTBED_KEEP") == "" {
		errs = append(errs, os.RemoveAll(b.Dir))
		b.ownDir = false
	}
	return errors.Join(errs...)
}

// tieControlPlane makes etcd and kube-apiserver die with the process that started the
// bed, as the controllers do: envtest starts them without a parent-death signal, so a
// test binary or `make demo` killed with SIGKILL would leave them running. Each is
// started through a two-line wrapper that asks the kernel (setpriv --pdeathsig, from
// util-linux) for SIGKILL when its parent dies, then execs the real binary.
func (b *Bed) tieControlPlane(assets Assets) error {
	return b.tie(b.env, assets)
}

// tie wraps env's etcd and kube-apiserver as tieControlPlane says.
func (b *Bed) tie(env *envtest.Environment, assets Assets) error {
	setpriv, err := exec.LookPath("setpriv")
	if err != nil {
		return nil // without util-linux the bed still works; Stop cleans up as before
	}
	dir := filepath.Join(b.Dir, "bin")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	wrap := func(name string) (string, error) {
		path := filepath.Join(dir, name)
		script := fmt.Sprintf("#!/bin/sh\nexec %q --pdeathsig KILL -- %q \"$@\"\n", setpriv, assets.Bin(name))
		return path, os.WriteFile(path, []byte(script), 0o755)
	}
	etcd, err := wrap("etcd")
	if err != nil {
		return err
	}
	apiserver, err := wrap("kube-apiserver")
	if err != nil {
		return err
	}
	env.ControlPlane.Etcd = &envtest.Etcd{Path: etcd}
	env.ControlPlane.APIServer = &envtest.APIServer{Path: apiserver}
	return nil
}
