package testbed

import (
	"context"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/client-go/dynamic"
)

// startControllerManager starts kube-controller-manager against a control plane with
// only the Deployment and ReplicaSet controllers: Deployments then create real
// ReplicaSets and Pods (Pending: there is no scheduler or kubelet) with real
// ownerReferences and events. The garbage collector stays off, so that tests of
// dangling ownerReferences keep their objects. name tells the logs apart when a bed
// runs several control planes.
func (b *Bed) startControllerManager(name, kubeconfig string) error {
	p, err := b.startProcessEnv(name, "kube-controller-manager", []string{
		"--kubeconfig=" + kubeconfig,
		"--controllers=deployment-controller,replicaset-controller",
		"--leader-elect=false",
		// No HTTPS endpoint: nothing probes it, and it would need a serving certificate.
		"--secure-port=0",
		"--concurrent-deployment-syncs=2", "--concurrent-replicaset-syncs=2",
	}, kubeconfig)
	if err != nil {
		return err
	}
	b.procs = append(b.procs, p)
	return nil
}

// WaitOwned waits until a Pod owned (through a ReplicaSet) by Deployment namespace/name
// exists in the cluster dyn reads, and returns the Pod's and the ReplicaSet's names.
func WaitOwned(ctx context.Context, dyn dynamic.Interface, namespace, deployment string) (pod, replicaSet string, err error) {
	ctx, cancel := context.WithTimeout(ctx, 2*time.Minute)
	defer cancel()
	rsGVR := schema.GroupVersionResource{Group: "apps", Version: "v1", Resource: "replicasets"}
	podGVR := schema.GroupVersionResource{Version: "v1", Resource: "pods"}
	for {
		rss, err := dyn.Resource(rsGVR).Namespace(namespace).List(ctx, metav1.ListOptions{})
		if err == nil {
			for _, rs := range rss.Items {
				if !ownedBy(rs.GetOwnerReferences(), "Deployment", deployment) {
					continue
				}
				pods, err := dyn.Resource(podGVR).Namespace(namespace).List(ctx, metav1.ListOptions{})
				if err != nil {
					break
				}
				for _, p := range pods.Items {
					if ownedBy(p.GetOwnerReferences(), "ReplicaSet", rs.GetName()) {
						return p.GetName(), rs.GetName(), nil
					}
				}
			}
		}
		select {
		case <-ctx.Done():
			return "", "", ctx.Err()
		case <-time.After(200 * time.Millisecond):
		}
	}
}

func ownedBy(refs []metav1.OwnerReference, kind, name string) bool {
	for _, r := range refs {
		if r.Kind == kind && r.Name == name && r.Controller != nil && *r.Controller {
			return true
		}
	}
	return false
}
