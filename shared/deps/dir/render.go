package dir

import (
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"

	"sigs.k8s.io/kustomize/api/krusty"
	"sigs.k8s.io/kustomize/kyaml/filesys"
	"sigs.k8s.io/yaml"

	"github.com/kubectl-gitops/kubectl-gitops/shared/deps"
	"github.com/kubectl-gitops/kubectl-gitops/shared/yamldoc"
)

// kustomizationNames are the file names kustomize reads in a folder, in its order.
func kustomizationNames() []string {
	return []string{"kustomization.yaml", "kustomization.yml", "Kustomization"}
}

// kustomizationFile returns the kustomization file of folder, "" when it has none.
func kustomizationFile(folder string) string {
	for _, name := range kustomizationNames() {
		p := filepath.Join(folder, name)
		if fi, err := os.Lstat(p); err == nil && fi.Mode().IsRegular() {
			return p
		}
	}
	return ""
}

// localRefs lists what a kustomization file pulls in from disk (resources,
// components, bases), as cleaned absolute paths; remote URLs are skipped.
func localRefs(file string) ([]string, error) {
	data, err := yamldoc.ReadFile(file, filepath.Dir(file))
	if err != nil {
		return nil, err
	}
	var k struct {
		Resources  []string `json:"resources"`
		Components []string `json:"components"`
		Bases      []string `json:"bases"`
	}
	if err := yaml.Unmarshal(data, &k); err != nil {
		return nil, err
	}
	var out []string
	for _, ref := range append(append(k.Resources, k.Components...), k.Bases...) {
		if ref == "" || strings.Contains(ref, "://") || strings.HasPrefix(ref, "github.com/") || strings.HasPrefix(ref, "git@") {
			continue
		}
		out = append(out, filepath.Clean(filepath.Join(filepath.Dir(file), ref)))
	}
	return out, nil
}

// defaultVar matches Flux's post-build variable with a default: ${VAR:=default} or
// ${VAR:-default}. Offline, the parent's substitutions are unknown; the default is
// what the manifest itself says.
func defaultVar() *regexp.Regexp {
	return regexp.MustCompile(`\$\{[A-Za-z_][A-Za-z0-9_]*:?[=-]([^}]*)\}`)
}

// render builds every kustomization root under root the way kustomize-controller
// does (kustomize's own build: namespace:, components and patches applied) and puts
// its Kustomizations and HelmReleases in place of the ones read from the files it
// covers. Files in a covered folder that the build does not list are objects Flux
// never creates, and are dropped. A root whose files did not pass the reader's checks,
// or that reaches outside root, is left as read, and a build error is recorded.
func (res *Result) render(root string, kdirs []string, bad map[string]bool, opts Options) {
	absRoot, err := filepath.Abs(root)
	if err != nil {
		return
	}
	refsOf := map[string][]string{}
	referenced := map[string]bool{}
	for _, d := range kdirs {
		refs, err := localRefs(kustomizationFile(d))
		if err != nil {
			continue // kustomize reports it when the root is built
		}
		refsOf[d] = refs
		for _, r := range refs {
			referenced[r] = true
		}
	}
	var roots []string
	for _, d := range kdirs {
		if !referenced[d] {
			roots = append(roots, d)
		}
	}
	sort.Strings(roots)
	for _, r := range roots {
		res.renderRoot(absRoot, r, refsOf, bad, opts)
	}
}

func (res *Result) renderRoot(absRoot, rootDir string, refsOf map[string][]string, bad map[string]bool, opts Options) {
	// What the build reads: the root's folder and everything it references, followed.
	covered := map[string]bool{}
	var walk func(p string) bool
	walk = func(p string) bool {
		if covered[p] {
			return true
		}
		abs, err := filepath.Abs(p)
		if err != nil || (abs != absRoot && !strings.HasPrefix(abs, absRoot+string(filepath.Separator))) {
			return false // outside the tree: not built offline
		}
		covered[p] = true
		for _, r := range refsOf[p] {
			if !walk(r) {
				return false
			}
		}
		return true
	}
	if !walk(rootDir) {
		return
	}
	// A file belongs to the nearest folder above it with a kustomization file: Flux
	// reaches it only through that kustomization, if it lists it.
	owned := func(file string) bool {
		if covered[file] {
			return true
		}
		for d := filepath.Dir(file); ; d = filepath.Dir(d) {
			if kustomizationFile(d) != "" {
				return covered[d]
			}
			if abs, _ := filepath.Abs(d); abs == absRoot || d == filepath.Dir(d) {
				return false
			}
		}
	}
	for p := range bad {
		if owned(p) {
			return // a file the reader refused: kustomize must not read it either
		}
	}
	for d := range covered {
		if !plainFolder(d) {
			return // a FIFO, device or link kustomize could hang on or follow out
		}
	}
	m, err := krusty.MakeKustomizer(krusty.MakeDefaultOptions()).Run(filesys.MakeFsOnDisk(), rootDir)
	if err != nil {
		res.Errors = append(res.Errors, &FileError{File: kustomizationFile(rootDir), Err: fmt.Errorf("kustomize build: %w", err)})
		return
	}
	out, err := m.AsYaml()
	if err != nil {
		return
	}
	out = defaultVar().ReplaceAll(out, []byte("$1"))
	// The nodes read from covered files give way to the rendered ones, which keep the
	// file and line they were defined at.
	var kept []deps.Node
	defined := map[string]deps.Node{}
	for _, n := range res.Nodes {
		if owned(n.File) {
			defined[string(n.Kind)+"/"+n.Name] = n
			continue
		}
		kept = append(kept, n)
	}
	var rendered []deps.Node
	for _, doc := range yamldoc.Split(out) {
		node, ok, ferr := decode(doc, opts)
		if ferr != nil || !ok {
			continue
		}
		node.File, node.Line = kustomizationFile(rootDir), 1
		if src, ok := defined[string(node.Kind)+"/"+node.Name]; ok {
			node.File, node.Line = src.File, src.Line
		}
		rendered = append(rendered, node)
	}
	res.Nodes = append(kept, rendered...)
}

// plainFolder reports whether path is a regular file, or a folder holding only regular
// files and folders (not followed further: each covered folder is checked).
func plainFolder(path string) bool {
	fi, err := os.Lstat(path)
	if err != nil {
		return false
	}
	if fi.Mode().IsRegular() {
		return true
	}
	if !fi.IsDir() {
		return false
	}
	entries, err := os.ReadDir(path)
	if err != nil {
		return false
	}
	for _, e := range entries {
		if t := e.Type(); !t.IsRegular() && !t.IsDir() {
			return false
		}
	}
	return true
}

// appliers sets, offline, which Kustomization applies each object: the one whose
// spec.path is the deepest folder holding the object's file (paths taken from root,
// the repository's top). It is what the deadlock check's "exists only after" and
// "waits for" edges hang on.
func (res *Result) appliers(root string) {
	type applier struct {
		path string
		id   deps.NodeID
	}
	var all []applier
	for _, n := range res.Nodes {
		if n.Kind == deps.KindKustomization && n.Path != "" {
			p := strings.Trim(filepath.ToSlash(filepath.Clean(strings.TrimPrefix(n.Path, "./"))), "/")
			all = append(all, applier{path: p, id: n.ID()})
		}
	}
	for i := range res.Nodes {
		n := &res.Nodes[i]
		rel, err := filepath.Rel(root, n.File)
		if err != nil || strings.HasPrefix(rel, "..") {
			continue
		}
		rel = filepath.ToSlash(rel)
		best := -1
		for j, a := range all {
			if (a.path == "." || a.path == "" || strings.HasPrefix(rel, a.path+"/")) && (best < 0 || len(a.path) > len(all[best].path)) {
				best = j
			}
		}
		if best >= 0 {
			n.AppliedBy = all[best].id
		}
	}
}
