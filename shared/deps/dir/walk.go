package dir

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"maps"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"time"

	kustomizev1 "github.com/fluxcd/kustomize-controller/api/v1"
	fluxkustomize "github.com/fluxcd/pkg/kustomize"
	securefs "github.com/fluxcd/pkg/kustomize/filesys"
	"github.com/fluxcd/pkg/sourceignore"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"sigs.k8s.io/kustomize/api/krusty"
	"sigs.k8s.io/kustomize/api/resmap"
	kustypes "sigs.k8s.io/kustomize/api/types"
	"sigs.k8s.io/yaml"

	"github.com/kubectl-gitops/kubectl-gitops/shared/deps"
	"github.com/kubectl-gitops/kubectl-gitops/shared/flux"
	"github.com/kubectl-gitops/kubectl-gitops/shared/yamldoc"
)

// maxArtifact bounds the copy a walk makes of a repository: far above a fleet's
// manifests, far below what would fill a CI runner's disk.
const maxArtifact = 1 << 30

// Cluster is one cluster of a repository as its Flux sees it: what the root
// Kustomization applies from its sync path, and every Kustomization below it on the
// same source, each built the way kustomize-controller builds it.
type Cluster struct {
	// Path is the sync path the walk started from (clusters/production).
	Path string
	// Source is the source the repository is to its Flux at this sync path
	// ("GitRepository/flux-system/flux-system"); "" when unknown. A HelmRelease whose
	// chart comes from it has its chart in this repository.
	Source string
	// Nodes are the Kustomizations and HelmReleases Flux would create.
	Nodes  []deps.Node
	Errors []*FileError
	// Unrendered names the Kustomizations whose source is not this repository: what
	// they apply is not known offline.
	Unrendered []string
	// Unknown names the post-build variables whose value cannot be known offline (a
	// substituteFrom ConfigMap or Secret that is not in the repository, or encrypted).
	Unknown []string
	// Warnings are problems of the walk itself that do not touch what it found (a
	// temporary copy that could not be removed): shown, never a failed check.
	Warnings []string
	// Rendered are the objects each Kustomization renders, in walk order, when
	// Options.KeepObjects asks for them (rendered.go).
	Rendered []Rendered
	// SourceIntervals are the spec.interval of the sources the walk rendered (for
	// the latency budget; set on the nodes too).
	SourceIntervals map[deps.SourceRef]time.Duration
	// Receivers are the notification-controller Receivers the walk rendered.
	Receivers []deps.Receiver
}

// Walk renders what Flux applies from path of the repository at repo, as
// source-controller packs it (regular files, minus .git and what .sourceignore
// excludes) and kustomize-controller builds it (fluxcd/pkg/kustomize's generator and
// build: a kustomization.yaml generated where there is none, the Kustomization's
// targetNamespace, patches, components and images; then its post-build variables,
// inline and from the ConfigMaps and Secrets the walk rendered), following every child
// Kustomization that reads the same source.
//
// ctx stops the copy and the walk between two Kustomizations (Ctrl-C, a deadline): the
// error is then ctx's, and no partial Cluster is returned.
func Walk(ctx context.Context, repo, path string, opts Options) (*Cluster, error) {
	if opts.DefaultNamespace == "" {
		opts.DefaultNamespace = DefaultNamespace
	}
	cl := &Cluster{Path: cleanRel(path)}
	sync := syncOf(repo, cl.Path, opts)
	art, err := newArtifact(ctx, repo, cl, sync.ignore)
	if err != nil {
		return nil, err
	}
	w := &walker{ctx: ctx, repo: repo, art: art, arts: map[string]string{}, opts: opts, cl: cl, seen: map[string]bool{}, vars: map[string]map[string]string{}, declared: sync.source}
	// The copies live in the temporary folder: one left behind costs disk, not the
	// result, so it is a warning and not an error.
	defer func() {
		for _, a := range append([]string{art}, slices.Sorted(maps.Values(w.arts))...) {
			if rmErr := os.RemoveAll(a); rmErr != nil {
				cl.Warnings = append(cl.Warnings, fmt.Sprintf("the temporary copy %s was not removed: %v", a, rmErr))
			}
		}
	}()
	w.origins = originsOf(repo, opts)
	if _, err := os.Stat(filepath.Join(art, filepath.FromSlash(cl.Path))); err != nil {
		return nil, fmt.Errorf("path %s is not in %s (or is excluded by .sourceignore)", cl.Path, repo)
	}
	root := &unstructured.Unstructured{Object: map[string]any{"apiVersion": kustomizev1.GroupVersion.String(), "kind": flux.KindKustomization,
		"metadata": map[string]any{"name": "", "namespace": opts.DefaultNamespace}, "spec": map[string]any{"path": cl.Path}}}
	w.queue = append(w.queue, root)
	for len(w.queue) > 0 {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		k := w.queue[0]
		w.queue = w.queue[1:]
		w.build(k)
	}
	for _, i := range w.fromRoot {
		if w.rootID != cl.Nodes[i].ID() {
			cl.Nodes[i].AppliedBy = w.rootID
		}
	}
	w.finishRendered()
	deps.SetSourceIntervals(cl.Nodes, cl.SourceIntervals)
	deps.SetSourceReceivers(cl.Nodes, cl.Receivers)
	cl.Source = w.source
	slices.Sort(cl.Unknown)
	cl.Unknown = slices.Compact(cl.Unknown)
	return cl, nil
}

type walker struct {
	// ctx is Walk's: the post-build substitution runs under it.
	ctx       context.Context
	repo, art string
	// arts are the artifacts of the other sources --source maps to a checkout, by
	// source key.
	arts  map[string]string
	opts  Options
	cl    *Cluster
	queue []*unstructured.Unstructured
	// seen holds the Kustomizations already queued, "namespace/name".
	seen map[string]bool
	// source is the root's source, "Kind/namespace/name", once known; declared is
	// what the repository's manifests say of it (syncOf), before any rendering.
	source, declared string
	// vars holds the data of every ConfigMap and Secret rendered, by "namespace/name"
	// and kind, for substituteFrom.
	vars    map[string]map[string]string
	origins map[string][]deps.Node
	// fromRoot are the indices of the nodes the sync path itself rendered: the root
	// Kustomization (the one whose path is the sync path) applies them.
	fromRoot []int
	rootID   deps.NodeID
	// rendered are what each Kustomization rendered, with Options.KeepObjects.
	rendered []*Rendered
}

// build renders one Kustomization's path and queues its children.
func (w *walker) build(k *unstructured.Unstructured) {
	path, _, _ := unstructured.NestedString(k.Object, "spec", "path")
	rel := cleanRel(path)
	art := w.artifactOf(k)
	dir := filepath.Join(art, filepath.FromSlash(rel))
	if !within(dir, art) {
		w.fail(rel, fmt.Errorf("path %s of Kustomization %s/%s leaves the repository", path, k.GetNamespace(), k.GetName()))
		return
	}
	// Flux builds each Kustomization from a fresh copy of its artifact; the walk builds
	// them all in one copy, so the generator keeps the folder's own kustomization.yaml
	// aside (.original) and CleanDirectory puts it back (or removes the one it created)
	// before the next build: several Kustomizations often build one folder with
	// components or patches of their own, or a folder another reads as ../base.
	kept := w.keep(k, rel)
	gen := fluxkustomize.NewGeneratorWithIgnore(art, "", *k)
	action, err := gen.WriteFile(dir, fluxkustomize.WithSaveOriginalKustomization())
	if err != nil {
		w.failBuild(kept, rel, fmt.Errorf("generating the kustomization of %s: %w", rel, err))
		return
	}
	resMap, err := kustomize(art, dir)
	if cleanErr := fluxkustomize.CleanDirectory(dir, action); cleanErr != nil {
		w.fail(rel, fmt.Errorf("restoring the kustomization of %s: %w", rel, cleanErr))
	}
	if err != nil {
		w.failBuild(kept, rel, fmt.Errorf("kustomize build of %s: %w", rel, err))
		return
	}
	postBuild, hasPostBuild, _ := unstructured.NestedMap(k.Object, "spec", "postBuild")
	var objects []*unstructured.Unstructured
	for _, res := range resMap.Resources() {
		if hasPostBuild {
			vk := w.substitution(k, postBuild, art)
			out, err := fluxkustomize.SubstituteVariables(w.ctx, nil, *vk, res, fluxkustomize.SubstituteWithDryRun(true))
			if err != nil {
				w.failBuild(kept, rel, fmt.Errorf("post-build substitution in %s: %w", rel, err))
				continue
			}
			if out == nil {
				out = res // substitution disabled on it
			}
			res = out
		}
		m, err := res.Map()
		if err != nil {
			continue
		}
		objects = append(objects, &unstructured.Unstructured{Object: m})
	}
	if kept != nil {
		kept.Objects = jsonObjects(objects)
	}
	// ConfigMaps and Secrets first: a sibling's substituteFrom may name them.
	for _, u := range objects {
		w.remember(u)
	}
	if k.GetName() == "" {
		w.source = rootSource(objects, w.cl.Path, w.declared)
	}
	for _, u := range objects {
		w.take(k, rel, u)
	}
}

// artifactOf is the artifact a Kustomization builds from: the repository's, or the
// checkout --source maps its source to.
func (w *walker) artifactOf(k *unstructured.Unstructured) string {
	kind, _, _ := unstructured.NestedString(k.Object, "spec", "sourceRef", "kind")
	name, _, _ := unstructured.NestedString(k.Object, "spec", "sourceRef", "name")
	ns, _, _ := unstructured.NestedString(k.Object, "spec", "sourceRef", "namespace")
	if a, ok := w.arts[kind+"/"+orDefault(ns, k.GetNamespace())+"/"+name]; ok {
		return a
	}
	return w.art
}

// kustomize builds dir as kustomize-controller does (fluxcd/pkg/kustomize: a file
// system that refuses to leave the artifact, files from outside the folder allowed,
// built-in plugins only). Flux's Build re-parses kustomize's OpenAPI schema on every
// build (about 75 ms) so that a kustomization's own openapi: schema cannot leak into
// the next one; the walk does that only for a kustomization that declares one.
func kustomize(art, dir string) (resmap.ResMap, error) {
	if usesOpenAPI(dir) {
		return fluxkustomize.SecureBuild(art, dir, false)
	}
	fsys, err := securefs.MakeFsOnDiskSecure(art)
	if err != nil {
		return nil, err
	}
	return krusty.MakeKustomizer(&krusty.Options{
		LoadRestrictions: kustypes.LoadRestrictionsNone,
		PluginConfig:     kustypes.DisabledPluginConfig(),
	}).Run(fsys, dir)
}

// usesOpenAPI reports whether a kustomization file of dir declares an openapi schema.
func usesOpenAPI(dir string) bool {
	for _, name := range kustomizationNames() {
		if data, err := os.ReadFile(filepath.Join(dir, name)); err == nil && strings.Contains(string(data), "openapi:") {
			return true
		}
	}
	return false
}

// substitution returns a copy of k whose inline variables are those of its
// substituteFrom ConfigMaps and Secrets, overridden by its own, as the controller
// merges them; a variable that cannot be known offline keeps its ${NAME} form.
func (w *walker) substitution(k *unstructured.Unstructured, postBuild map[string]any, art string) *unstructured.Unstructured {
	vars := map[string]string{}
	unresolved := false
	from, _, _ := unstructured.NestedSlice(postBuild, "substituteFrom")
	for _, f := range from {
		ref, _ := f.(map[string]any)
		kind, _ := ref["kind"].(string)
		name, _ := ref["name"].(string)
		optional, _ := ref["optional"].(bool)
		data, ok := w.vars[kind+"/"+k.GetNamespace()+"/"+name]
		if !ok {
			if !optional {
				unresolved = true
			}
			continue
		}
		for key, v := range data {
			vars[key] = strings.ReplaceAll(v, "\n", "")
		}
	}
	inline, _, _ := unstructured.NestedStringMap(postBuild, "substitute")
	for key, v := range inline {
		vars[key] = v
	}
	if unresolved {
		w.markUnknown(k, vars, art)
	}
	out := k.DeepCopy()
	_ = unstructured.SetNestedStringMap(out.Object, vars, "spec", "postBuild", "substitute")
	return out
}

// bareVar matches ${NAME} without a default: the form that needs a value.
var bareVar = regexp.MustCompile(`\$\{([A-Za-z_][A-Za-z0-9_]*)\}`)

// markUnknown keeps ${NAME} as it stands for the variables of k's manifests that no
// known source defines: the names holding one are unknown, never missing. A file it
// cannot read is a file error: a variable in it would otherwise read as missing.
func (w *walker) markUnknown(k *unstructured.Unstructured, vars map[string]string, art string) {
	path, _, _ := unstructured.NestedString(k.Object, "spec", "path")
	rel := cleanRel(path)
	err := filepath.WalkDir(filepath.Join(art, filepath.FromSlash(rel)), func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() || !isYAML(d.Name()) {
			return nil
		}
		content, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		for _, m := range bareVar.FindAllSubmatch(content, -1) {
			name := string(m[1])
			if _, ok := vars[name]; !ok {
				vars[name] = "${" + name + "}"
				w.cl.Unknown = append(w.cl.Unknown, name)
			}
		}
		return nil
	})
	if err != nil {
		w.fail(rel, fmt.Errorf("looking for the variables of Kustomization %s/%s: %w", k.GetNamespace(), k.GetName(), err))
	}
}

// remember keeps the data of a rendered ConfigMap or Secret for substituteFrom. An
// encrypted Secret (SOPS) is not readable offline: its variables stay unknown.
func (w *walker) remember(u *unstructured.Unstructured) {
	if u.GetAPIVersion() != "v1" || (u.GetKind() != "ConfigMap" && u.GetKind() != "Secret") {
		return
	}
	if _, encrypted := u.Object["sops"]; encrypted {
		return
	}
	data := map[string]string{}
	raw, _, _ := unstructured.NestedStringMap(u.Object, "data")
	for key, v := range raw {
		if u.GetKind() == "Secret" {
			b, err := base64.StdEncoding.DecodeString(v)
			if err != nil {
				continue
			}
			v = string(b)
		}
		data[key] = v
	}
	if u.GetKind() == "Secret" {
		plain, _, _ := unstructured.NestedStringMap(u.Object, "stringData")
		for key, v := range plain {
			data[key] = v
		}
	}
	ns := u.GetNamespace()
	if ns == "" {
		ns = w.opts.DefaultNamespace
	}
	w.vars[u.GetKind()+"/"+ns+"/"+u.GetName()] = data
}

// take turns a rendered object into a node, and queues a child Kustomization.
func (w *walker) take(parent *unstructured.Unstructured, rel string, u *unstructured.Unstructured) {
	group, _, _ := strings.Cut(u.GetAPIVersion(), "/")
	if group == sourceGroup {
		w.sourceInterval(u)
		return
	}
	if group == notificationGroup && u.GetKind() == flux.KindReceiver {
		r := u.DeepCopy()
		r.SetNamespace(orDefault(r.GetNamespace(), w.opts.DefaultNamespace))
		w.cl.Receivers = append(w.cl.Receivers, deps.ReceiverOf(r))
		return
	}
	if !(group == kustomizeGroup && u.GetKind() == flux.KindKustomization) && !(group == helmGroup && u.GetKind() == flux.KindHelmRelease) && !isResourceSet(u.GetAPIVersion(), u.GetKind()) {
		return // the kind decides before anything is converted
	}
	data, err := yaml.Marshal(u.Object)
	if err != nil {
		return
	}
	for _, doc := range yamldoc.Split(data) {
		node, ok, ferr := decode(doc, w.opts)
		if ferr != nil {
			ferr.File = rel
			w.cl.Errors = append(w.cl.Errors, ferr)
			return
		}
		if !ok {
			return
		}
		if o, found := w.origin(node, rel); found {
			node.File, node.Line = o.File, o.Line
		} else {
			node.File = filepath.Join(w.repo, filepath.FromSlash(rel))
		}
		if parent.GetName() != "" {
			kind := deps.KindKustomization
			if parent.GetKind() == string(deps.KindResourceSet) {
				kind = deps.KindResourceSet
			}
			node.AppliedBy = deps.NodeID{Kind: kind, Namespace: parent.GetNamespace(), Name: parent.GetName()}
		} else {
			w.fromRoot = append(w.fromRoot, len(w.cl.Nodes))
		}
		w.cl.Nodes = append(w.cl.Nodes, node)
		if node.Kind == deps.KindResourceSet {
			w.expand(u, node, rel)
			return
		}
		if node.Kind != deps.KindKustomization {
			return
		}
		if parent.GetName() == "" && cleanRel(node.Path) == w.cl.Path && w.rootID == (deps.NodeID{}) {
			// The Kustomization that applies the sync path (flux bootstrap's
			// flux-system): what the walk started from, not rendered twice.
			w.rootID = node.ID()
			w.seen[node.Namespace+"/"+node.Name] = true
			return
		}
		key := node.Namespace + "/" + node.Name
		if w.seen[key] {
			return
		}
		w.seen[key] = true
		if src := node.SourceRef.Key(); src != w.source {
			checkout, mapped := w.opts.Sources[src]
			if !mapped {
				w.cl.Unrendered = append(w.cl.Unrendered, fmt.Sprintf("Kustomization %s reads %s, not this repository: what it applies is not rendered (map it to a checkout with --source %s=DIR)", key, node.SourceRef, src))
				return
			}
			if _, done := w.arts[src]; !done {
				a, err := newArtifact(w.ctx, checkout, w.cl, "")
				if err != nil {
					w.fail(rel, fmt.Errorf("--source %s=%s: %w", src, checkout, err))
					return
				}
				w.arts[src] = a
			}
		}
		child := u.DeepCopy()
		child.SetNamespace(node.Namespace)
		w.queue = append(w.queue, child)
	}
}

// cleanRel is a Kustomization path as the repository's relative, slash-separated
// folder: "./apps/" and "apps" are both "apps", the top is ".".
func cleanRel(p string) string {
	rel := strings.Trim(filepath.ToSlash(filepath.Clean(strings.TrimPrefix(p, "./"))), "/")
	if rel == "" {
		return "."
	}
	return rel
}

// expand adds what a ResourceSet creates: its Kustomizations and HelmReleases, which
// exist only once it has applied them (and so only once its dependsOn are Ready).
func (w *walker) expand(u *unstructured.Unstructured, node deps.Node, rel string) {
	// Without HTML escaping: the templates' << >> must reach text/template as written.
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(u.Object); err != nil {
		return
	}
	_, rs, err := resourceSetNode(buf.Bytes(), w.opts.DefaultNamespace)
	if err != nil {
		return
	}
	objects, unexpanded, err := rs.expand()
	switch {
	case err != nil:
		w.fail(rel, fmt.Errorf("ResourceSet %s/%s: %w", node.Namespace, node.Name, err))
		return
	case unexpanded != "":
		w.cl.Unrendered = append(w.cl.Unrendered, fmt.Sprintf("ResourceSet %s/%s is not expanded: %s", node.Namespace, node.Name, unexpanded))
		return
	}
	owner := &unstructured.Unstructured{}
	owner.SetName(node.Name)
	owner.SetNamespace(node.Namespace)
	owner.SetKind(string(deps.KindResourceSet))
	for _, o := range objects {
		w.take(owner, rel, o)
	}
}

func (w *walker) fail(rel string, err error) {
	w.cl.Errors = append(w.cl.Errors, &FileError{File: filepath.Join(w.repo, filepath.FromSlash(rel)), Err: err})
}

// originKey identifies a Flux object by kind, name and (when its file says) namespace,
// to find the file and line it is written at.
func originKey(n deps.Node) string { return string(n.Kind) + "/" + n.Name }

// originsOf indexes where each Kustomization and HelmRelease of the repository is
// written, read as the files stand: every place a name is written, since several
// clusters of one repository often define the same names.
func originsOf(repo string, opts Options) map[string][]deps.Node {
	res := &Result{}
	eachManifest(repo, func(p string, data []byte) { res.loadFile(p, data, opts) })
	out := map[string][]deps.Node{}
	for _, n := range res.Nodes {
		out[originKey(n)] = append(out[originKey(n)], n)
	}
	return out
}

// origin is where a rendered object is written: the definition inside the folder
// being rendered when there is one (this cluster's copy), else the first.
func (w *walker) origin(n deps.Node, rel string) (deps.Node, bool) {
	all := w.origins[originKey(n)]
	if len(all) == 0 {
		return deps.Node{}, false
	}
	folder := filepath.Join(w.repo, filepath.FromSlash(rel)) + string(filepath.Separator)
	for _, o := range all {
		if strings.HasPrefix(o.File, folder) {
			return o, true
		}
	}
	return all[0], true
}

// newArtifact copies the repository as source-controller packs it into an artifact:
// regular files within the size cap, without .git and what the default exclusions
// and .sourceignore files exclude. Links, FIFOs and devices are left out (a FIFO named
// .yaml is recorded), so no build can hang on one or follow one out. A folder or file
// that cannot be read is recorded too: what it holds is missing from every build.
// ctx stops the copy.
func newArtifact(ctx context.Context, repo string, cl *Cluster, ignore string) (string, error) {
	abs, err := filepath.Abs(repo)
	if err != nil {
		return "", err
	}
	patterns, err := sourceignore.LoadIgnorePatterns(abs, nil)
	if err != nil {
		return "", err
	}
	if ignore != "" {
		patterns = append(patterns, sourceignore.ReadPatterns(strings.NewReader(ignore), nil)...)
	}
	matcher := sourceignore.NewDefaultMatcher(patterns, nil)
	tmp, err := os.MkdirTemp("", "gitops-artifact-")
	if err != nil {
		return "", err
	}
	var total int64
	err = filepath.WalkDir(abs, func(p string, d fs.DirEntry, err error) error {
		if ctxErr := ctx.Err(); ctxErr != nil {
			return ctxErr
		}
		if err != nil {
			if p == abs {
				return err
			}
			cl.Errors = append(cl.Errors, &FileError{File: p, Err: fmt.Errorf("not read: %w", err)})
			if d != nil && d.IsDir() {
				return fs.SkipDir
			}
			return nil
		}
		rel, _ := filepath.Rel(abs, p)
		if rel == "." {
			return nil
		}
		parts := strings.Split(filepath.ToSlash(rel), "/")
		if matcher.Match(parts, d.IsDir()) {
			if d.IsDir() {
				return fs.SkipDir
			}
			return nil
		}
		dst := filepath.Join(tmp, rel)
		if d.IsDir() {
			return os.MkdirAll(dst, 0o755)
		}
		fi, err := d.Info()
		if err != nil || !fi.Mode().IsRegular() || fi.Size() > yamldoc.MaxFileSize {
			if isYAML(d.Name()) {
				reason := "not a regular file"
				if err == nil && fi.Mode().IsRegular() {
					reason = fmt.Sprintf("larger than %d MiB", yamldoc.MaxFileSize>>20)
				}
				cl.Errors = append(cl.Errors, &FileError{File: p, Err: fmt.Errorf("%s: not read", reason)})
			}
			return nil
		}
		if total += fi.Size(); total > maxArtifact {
			return fmt.Errorf("the repository holds more than %d MiB of files: not copied", maxArtifact>>20)
		}
		if err := copyRegular(p, dst); err != nil {
			if !errors.Is(err, errUnreadable) {
				return err
			}
			cl.Errors = append(cl.Errors, &FileError{File: p, Err: err})
		}
		return nil
	})
	if err != nil {
		return "", errors.Join(err, os.RemoveAll(tmp))
	}
	return tmp, nil
}

// errUnreadable marks a source file copyRegular could not open: a problem of that file
// (recorded, the copy goes on), not of the copy (which stops).
var errUnreadable = errors.New("not read")

// copyRegular copies src to dst, at most yamldoc.MaxFileSize bytes of it.
func copyRegular(src, dst string) error {
	in, err := os.Open(src)
	if err != nil {
		return fmt.Errorf("%w: %w", errUnreadable, err)
	}
	defer in.Close()
	out, err := os.Create(dst)
	if err != nil {
		return err
	}
	if _, err := io.Copy(out, io.LimitReader(in, yamldoc.MaxFileSize)); err != nil {
		out.Close()
		return err
	}
	return out.Close()
}

// within reports whether path is root or below it.
func within(path, root string) bool {
	rel, err := filepath.Rel(root, path)
	return err == nil && rel != ".." && !strings.HasPrefix(rel, ".."+string(filepath.Separator))
}

// eachManifest hands fn every manifest file of repo as Load reads them: .yaml, .yml
// and .json files, hidden folders and Helm charts skipped, regular files within the
// size cap only. What it cannot read it skips without a word on purpose: it only
// indexes (origins, spec.ignore, roots), and the same files are reported by whatever
// reads them for the result (Walk's artifact copy, or Load).
func eachManifest(repo string, fn func(path string, data []byte)) {
	_ = filepath.WalkDir(repo, func(p string, d fs.DirEntry, err error) error {
		switch {
		case err != nil:
			return nil
		case d.IsDir() && p != repo && skipDir(p, d.Name()):
			return fs.SkipDir
		case d.IsDir() || !isYAML(d.Name()):
			return nil
		}
		if data, err := yamldoc.ReadFile(p, repo); err == nil {
			fn(p, data)
		}
		return nil
	})
}

// sourceInterval records a rendered source's spec.interval: how long a push may wait
// before Flux sees it (the latency budget).
func (w *walker) sourceInterval(u *unstructured.Unstructured) {
	iv, _, _ := unstructured.NestedString(u.Object, "spec", "interval")
	d, err := time.ParseDuration(iv)
	if err != nil {
		return
	}
	if w.cl.SourceIntervals == nil {
		w.cl.SourceIntervals = map[deps.SourceRef]time.Duration{}
	}
	w.cl.SourceIntervals[deps.SourceRef{Kind: u.GetKind(), Namespace: orDefault(u.GetNamespace(), w.opts.DefaultNamespace), Name: u.GetName()}] = d
}
