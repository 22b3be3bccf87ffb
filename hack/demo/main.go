// Command demo starts a local control plane, real Flux controllers and a Git server
// holding a small sample fleet, waits until Flux has applied it, prints how to reach it
// and stays up until Ctrl-C. `make demo` runs it.
package main

import (
	"context"
	"fmt"
	"os"
	"os/signal"
	"path/filepath"
	"syscall"
	"time"

	"github.com/kubectl-gitops/kubectl-gitops/shared/testbed"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	err := run(ctx)
	stop()
	switch {
	case err != nil && ctx.Err() != nil:
		// Ctrl-C while starting: what was started is stopped and cleaned up, which is
		// what the user asked for, not a failure.
		fmt.Fprintln(os.Stderr, "demo: interrupted while starting; stopped")
	case err != nil:
		fmt.Fprintf(os.Stderr, "demo: %v\n", err)
		os.Exit(1)
	}
}

// run starts the demo and keeps it up until ctx ends (Ctrl-C or SIGTERM), then stops
// everything it started.
func run(ctx context.Context) error {
	start := time.Now()
	fmt.Fprintln(os.Stderr, "demo: starting etcd, kube-apiserver, kube-controller-manager, source-, kustomize- and helm-controller, and a workload cluster ...")
	startCtx, cancel := context.WithTimeout(ctx, 5*time.Minute)
	defer cancel()
	bed, err := testbed.New(startCtx, testbed.Options{Flux: true, ControllerManager: true})
	if err != nil {
		return err
	}
	defer func() {
		fmt.Fprintln(os.Stderr, "demo: stopping and cleaning up ...")
		if err := bed.Stop(); err != nil {
			fmt.Fprintf(os.Stderr, "demo: %v\n", err)
		}
	}()
	fmt.Fprintln(os.Stderr, "demo: pushing the sample fleet and waiting for Flux to apply it ...")
	fleet, err := bed.StartDemoFleetWith(startCtx, testbed.DemoOptions{Workload: true})
	if err != nil {
		return fmt.Errorf("%w\n%s", err, bed.Logs(20))
	}
	// The Pod the controller manager made of Deployment shop/api, traced by name below.
	pod, _, err := testbed.WaitOwned(startCtx, bed.Dynamic, "shop", "api")
	if err != nil {
		return err
	}
	bin, _ := filepath.Abs("bin")
	if root, err := testbed.RepoRoot(); err == nil {
		bin = filepath.Join(root, "bin")
	}
	kubectl := bed.Assets.Bin("kubectl")
	fmt.Printf(`
Flux applied commit %s of %s in %s, in the management cluster (context
management) and, through Kustomization fleet/workload-apps, in workload-1.

In another terminal:

  export KUBECONFIG=%s
  export PATH=%s:%s:$PATH

  kubectl get kustomizations -A
  kubectl gitops trace deploy/api -n shop
  kubectl gitops trace configmap/web-config -n shop
  kubectl gitops trace clusterrole/shop:reader -o yaml
  kubectl gitops trace pod/%s -n shop
  kubectl gitops trace deploy/gateway -n edge --context workload-1
  kubectl gitops trace kustomization/workload-apps -n fleet
  kubectl gitops trace deploy/api -n shop --timeline --requeue-dependency 5s
  kubectl gitops deps -A
  kubectl gitops deps -A --latency --requeue-dependency 5s
  kubectl gitops diff -A
  kubectl gitops diff hr/web -n shop
  kubectl gitops rollback history apps -n flux-system
  kubectl gitops branch show flux-system -n flux-system
  kubectl gitops branch set flux-system stable-release -n flux-system --yes
  kubectl gitops branch restore flux-system -n flux-system --yes
  kubectl gitops dev status

The fleet's Git repository (push to it to see Flux apply a new commit):

  git clone %s

and after a push, follow it to every Kustomization and HelmRelease:

  kubectl gitops follow main -A

Press Ctrl-C to stop.
`, fleet.Commit, fleet.Repo.URL, time.Since(start).Round(time.Second), fleet.Kubeconfig, bin, filepath.Dir(kubectl), pod, fleet.Repo.URL)
	fmt.Printf("KUBECONFIG=%s\n", fleet.Kubeconfig)
	<-ctx.Done()
	return nil
}
