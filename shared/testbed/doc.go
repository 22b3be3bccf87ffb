// Package testbed starts real parts for tests and the demo: etcd and kube-apiserver
// through controller-runtime's envtest with the Flux CRDs of the pinned controller
// modules, a Git smart-HTTP server on 127.0.0.1, and real source-, kustomize- and
// helm-controller processes. Nothing in it fakes the API server or Flux: what a test
// reads from a Kustomization's status is what kustomize-controller wrote.
//
// The binaries come from `make testbin` (hack/testbin.sh), which builds them from pinned
// versions into .cache/testbin/current. Set GITOPS_TESTBIN to use another folder.
//
// It is a module of its own (shared/testbed/go.mod), not a package of the shared module:
// the plugins import the shared module, and a test bed in it would put envtest and the
// testing helpers in their dependency set. Only tests (in the plugin modules) and
// hack/demo require this one; `make check-deps` fails if the shared module imports it.
package testbed
