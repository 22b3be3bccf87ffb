// Package deps models the dependsOn graph of Flux Kustomizations and
// HelmReleases and explains why it is stuck.
//
// Flux itself only ever says "dependency 'ns/name' is not ready" on the
// first blocked dependent and nothing at all about cycles (the controller
// logs them, status never shows them). This package rebuilds the whole graph
// from a snapshot of the objects, finds every cycle with Tarjan's algorithm,
// every dependsOn entry that points at nothing, and, replaying the checks
// kustomize-controller and helm-controller run before each reconcile, the one
// root cause at the bottom of every blocked chain, so that one broken
// Kustomization in front of forty others is reported once, with forty victims.
//
// The replay follows the controllers' order: a dependency must exist, be
// Ready=True at its current generation and, for Kustomizations built from
// the same source, have applied the source's current revision. A readyExpr
// (CEL) on a dependsOn entry is not evaluated; the built-in check stands in
// for it.
//
// Everything here is pure logic: the caller lists the objects (from a cluster
// or, offline, from manifests on disk) and turns them into Nodes. Analyze is
// linear in nodes plus edges (apart from the final sort for stable output) so
// that it stays fast on fleets of 100k objects.
package deps
