// Package testbed starts real parts for tests and the demo: etcd and kube-apiserver
// through controller-runtime's envtest with the Flux CRDs of the pinned controller
// modules, a Git smart-HTTP server on 127.0.0.1, and real source-, kustomize- and
// helm-controller processes. Nothing in it fakes the API server or Flux: what a test
// reads from a Kustomization's status is what kustomize-controller wrote.
//
// The binaries come from `make testbin` (hack/testbin.sh), which builds them from pinned
// versions into .cache/testbin/current. Set GITOPS_TESTBIN to use another folder.
package testbed
