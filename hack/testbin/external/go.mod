module github.com/kubectl-gitops/kubectl-gitops/hack/testbin/external

go 1.26.0

// Only the CRDs of External Secrets are read from this module (crds/external): its
// controller, with every provider compiled in, took 6.6 minutes to build, over the
// bed's budget. The bed makes its Secrets as the controller does
// (shared/testbed/externalsecrets.go).
require github.com/external-secrets/external-secrets v0.16.2
