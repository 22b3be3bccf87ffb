package rollback

import (
	"context"
	"path"
	"sort"
	"strings"

	"sigs.k8s.io/yaml"

	"github.com/kubectl-gitops/kubectl-gitops/shared/git"
)

// kustomizationFiles are the names kustomize reads in a folder, in its order.
func kustomizationFiles() []string {
	return []string{"kustomization.yaml", "kustomization.yml", "Kustomization"}
}

// localRefs are the fields of a kustomization.yaml that name files or folders it pulls
// in; remote URLs among them are skipped.
type localRefs struct {
	Resources             []string `json:"resources"`
	Bases                 []string `json:"bases"`
	Components            []string `json:"components"`
	Crds                  []string `json:"crds"`
	PatchesStrategicMerge []string `json:"patchesStrategicMerge"`
	Patches               []struct {
		Path string `json:"path"`
	} `json:"patches"`
	PatchesJSON6902 []struct {
		Path string `json:"path"`
	} `json:"patchesJson6902"`
	ConfigMapGenerator []generator `json:"configMapGenerator"`
	SecretGenerator    []generator `json:"secretGenerator"`
}

type generator struct {
	Files []string `json:"files"`
	Envs  []string `json:"envs"`
	Env   string   `json:"env"`
}

func (r localRefs) all() []string {
	out := append(append(append(append(append([]string{}, r.Resources...), r.Bases...), r.Components...), r.Crds...), r.PatchesStrategicMerge...)
	for _, p := range r.Patches {
		out = append(out, p.Path)
	}
	for _, p := range r.PatchesJSON6902 {
		out = append(out, p.Path)
	}
	for _, g := range append(append([]generator{}, r.ConfigMapGenerator...), r.SecretGenerator...) {
		for _, f := range g.Files {
			// key=path
			if _, p, ok := strings.Cut(f, "="); ok {
				f = p
			}
			out = append(out, f)
		}
		out = append(append(out, g.Envs...), g.Env)
	}
	return out
}

// Inputs lists the repository paths whose content decides what a Kustomization with
// spec.path root builds at commit rev: root itself, and every file or folder outside it
// that its kustomization.yaml files pull in (../base, components, patches), followed
// transitively. Paths are relative to the repository, without "./"; nested ones are
// dropped.
func Inputs(ctx context.Context, dir, rev, root string) ([]string, error) {
	root = clean(root)
	seen := map[string]bool{}
	var walk func(folder string) error
	walk = func(folder string) error {
		if seen[folder] {
			return nil
		}
		seen[folder] = true
		for _, name := range kustomizationFiles() {
			file := join(folder, name)
			if git.Kind(ctx, dir, rev, file) != "blob" {
				continue
			}
			data, err := git.Show(ctx, dir, rev, file)
			if err != nil {
				return err
			}
			var refs localRefs
			if err := yaml.Unmarshal(data, &refs); err != nil {
				// kustomize would fail on it too; the build check says so.
				return nil
			}
			for _, ref := range refs.all() {
				if ref == "" || strings.Contains(ref, "://") || strings.HasPrefix(ref, "github.com/") || strings.HasPrefix(ref, "git@") {
					continue
				}
				p := join(folder, ref)
				if strings.HasPrefix(p, "../") || p == ".." {
					continue // outside the repository
				}
				switch git.Kind(ctx, dir, rev, p) {
				case "tree":
					if err := walk(p); err != nil {
						return err
					}
				case "blob":
					seen[p] = true
				}
			}
			break
		}
		return nil
	}
	if err := walk(root); err != nil {
		return nil, err
	}
	return outermost(seen), nil
}

// outermost keeps the paths no other path contains.
func outermost(set map[string]bool) []string {
	all := make([]string, 0, len(set))
	for p := range set {
		all = append(all, p)
	}
	sort.Strings(all)
	var out []string
	for _, p := range all {
		covered := false
		for _, o := range out {
			if o == "." || p == o || strings.HasPrefix(p, o+"/") {
				covered = true
				break
			}
		}
		if !covered {
			out = append(out, p)
		}
	}
	return out
}

func clean(p string) string {
	p = path.Clean(strings.TrimPrefix(p, "/"))
	if p == "" {
		return "."
	}
	return p
}

func join(folder, ref string) string {
	return clean(path.Join(folder, ref))
}

// union merges path lists, keeping the outermost.
func union(lists ...[]string) []string {
	set := map[string]bool{}
	for _, l := range lists {
		for _, p := range l {
			set[p] = true
		}
	}
	return outermost(set)
}
