// Package gitlocate finds the file and line in a Git repository that define
// a Kubernetes object, as of the exact commit Flux applied.
//
// The cluster tells us which Flux Kustomization applied an object, its
// spec.path and the applied revision; the user's local clone may be checked
// out elsewhere, so everything here is read from Git objects at that commit
// (git cat-file), never from the working tree, and the repository is never
// modified.
//
// # Walk rules
//
// The walk mirrors what kustomize-controller builds, kept deliberately simple:
//
//   - A directory with a kustomization file (kustomization.yaml, then
//     kustomization.yml, then Kustomization) is read through that file:
//     its resources (and the deprecated bases) and components are followed
//     in order, relative to the kustomization's directory. A directory entry
//     must itself hold a kustomization file, as kustomize requires.
//   - A directory without one (only the spec.path root, or directories found
//     while scanning such a root) gets what Flux generates: every .yaml, .yml
//     and .json file under it, recursively, in Git tree order; a
//     subdirectory holding a kustomization file is read through that file
//     instead of being scanned.
//   - Remote resources (URLs, git@..., ?ref=..., host/org/repo paths) are
//     not fetched; they are mentioned when nothing local matches.
//   - Paths that leave the repository root, symlinks and submodules are
//     not followed.
//   - namePrefix/nameSuffix accumulate from inner to outer kustomizations and
//     are applied to manifest names (except for Namespace,
//     CustomResourceDefinition and APIService, which kustomize leaves alone);
//     a kustomization's namespace overrides manifest namespaces. Patches,
//     replacements and plugins are ignored.
//   - configMapGenerator/secretGenerator names (with kustomize's hash suffix)
//     and helmCharts explain objects that have no plain manifest.
//
// A match is reported at the first line of the YAML document's content (the
// first line that is not blank, a comment or a "---" separator), which is
// usually the apiVersion line.
package gitlocate
