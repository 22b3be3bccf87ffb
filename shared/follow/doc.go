// Package follow follows one pushed revision through a Flux fleet: every GitRepository
// tracking the branch it is on fetches it, then every Kustomization and HelmRelease built
// from those sources applies it, in dependsOn order. After a push, "is it live yet, and
// if not, what holds it" is the question; answering it means reading the same status and
// dependency graph as 'deps' and waiting as 'rollback' does, so this package only
// combines shared/reconcile (the requests and waits) with shared/deps (the graph and its
// root causes) and decides, one snapshot at a time, when the revision is everywhere,
// when it never will be, and why.
package follow
