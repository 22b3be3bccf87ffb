package main

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"

	fluxplugin "github.com/fluxcd/flux2/v2/pkg/plugin"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/krew/pkg/index"
	"sigs.k8s.io/yaml"
)

const homepage = "https://github.com/kubectl-gitops/kubectl-gitops"

// krewPlugin describes one krew plugin: its name, the binary it runs, and its texts.
type krewPlugin struct {
	name, binary, short, description, caveats string
}

func krewPlugins() []krewPlugin {
	return []krewPlugin{
		{"gitops", "kubectl-gitops", "Trace, untangle and roll back what Flux applied",
			`The whole kubectl-gitops suite for clusters run by Flux, as 'kubectl gitops':
  kubectl gitops trace deploy/api -n shop    where an object came from: every Flux hop
                                             up to the source and the exact Git commit
  kubectl gitops deps -A                     why nothing is moving: cycles, missing,
                                             suspended or failing dependencies
  kubectl gitops rollback history|pin|revert|suspend|resume
  kubectl gitops branch show|set|restore     the scripted branch rollback
  kubectl gitops dev start|test|diff|checkpoint|status|finish|abort
                                             a development session handed back to Flux
  kubectl gitops diff apps -n flux-system --git-dir .
                                             what Flux's next apply will change, and
                                             what drifted: a server-side dry run
  kubectl gitops follow main -n flux-system  a pushed commit followed until every
                                             Kustomization and HelmRelease applied it
Writers wait until Flux has applied the result and exit non-zero when it has not.`,
			`Shell completion of 'kubectl gitops' (kubectl 1.26 or newer) needs the
kubectl_complete-gitops helper on your PATH; krew keeps it beside the plugin:
  ln -s "${KREW_ROOT:-$HOME/.krew}"/store/gitops/*/kubectl_complete-gitops "${KREW_ROOT:-$HOME/.krew}/bin/"`},
		{"gitops-trace", "kubectl-gitops-trace", "Trace an object to the Flux Kustomization, source and commit that applied it",
			"'kubectl gitops-trace deploy/api -n shop' walks from any object to the HelmRelease and Kustomization that applied it, through every parent to the root, the source and the commit, with the health of every hop. The same command is in the 'gitops' plugin as 'kubectl gitops trace'.", ""},
		{"gitops-deps", "kubectl-gitops-deps", "Show Flux dependency cycles, missing and blocked dependencies",
			"'kubectl gitops-deps -A' builds the dependsOn graph of Kustomizations and HelmReleases, live or from a directory of manifests, and names cycles, missing dependencies and the root cause of every blocked chain. The same command is in the 'gitops' plugin as 'kubectl gitops deps'.", ""},
		{"gitops-rollback", "kubectl-gitops-rollback", "Roll back what a Flux Kustomization applied and wait until Flux applied it",
			"'kubectl gitops-rollback' lists what a Kustomization or HelmRelease applied, pins its source to an earlier commit, reverts it in Git, and suspends or resumes with a recorded reason, waiting until Flux applied the result. The same command is in the 'gitops' plugin as 'kubectl gitops rollback'.", ""},
		{"gitops-branch", "kubectl-gitops-branch", "Switch and restore the branch a Flux GitRepository tracks",
			"'kubectl gitops-branch set flux-system stable-release -n flux-system' switches the branch a GitRepository tracks, keeps its parent Kustomization from undoing it, waits until every consumer applied it, and 'restore' puts back exactly what was there. The same command is in the 'gitops' plugin as 'kubectl gitops branch'.", ""},
		{"gitops-dev", "kubectl-gitops-dev", "A development session on a Flux cluster, handed back to Flux with nothing left behind",
			"'kubectl gitops-dev start \"feature X\" -k apps' branches from what Flux applies and pauses the Kustomizations you work on; 'test' applies manifests live and records them, 'checkpoint' commits, 'finish' squashes, pushes and hands the cluster back to Flux: resumed, applied again, and what the session created deleted. The session lives in the cluster: 'status' shows it to everyone. The same command is in the 'gitops' plugin as 'kubectl gitops dev'.", ""},
		{"gitops-diff", "kubectl-gitops-diff", "Show what a Flux Kustomization's next apply will change, and what drifted",
			"'kubectl gitops-diff apps -n flux-system --git-dir .' renders a Kustomization as kustomize-controller does and compares it with the cluster through a server-side dry-run apply as the controller: what the next apply creates, changes, recreates or prunes, and what drifted since the last one. Nothing in the cluster is changed, and no Secret's value is shown. The same command is in the 'gitops' plugin as 'kubectl gitops diff'.", ""},
		{"gitops-follow", "kubectl-gitops-follow", "Follow a pushed commit through Flux until every Kustomization and HelmRelease applied it",
			"'kubectl gitops-follow main -n flux-system' asks each GitRepository tracking the branch to fetch its new head, then waits, in dependsOn order, until every Kustomization and HelmRelease built from it applied it: a live view of what applied it, what is applying and what waits on what; exit 1 naming the root cause when something fails, 6 on --timeout. The same command is in the 'gitops' plugin as 'kubectl gitops follow'.", ""},
	}
}

// writeKrew writes one krew manifest per plugin, for every archive.
func writeKrew(dir, version, baseURL string, archives []Archive) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	for _, p := range krewPlugins() {
		plugin := index.Plugin{
			TypeMeta:   metav1.TypeMeta{APIVersion: "krew.googlecontainertools.github.com/v1alpha2", Kind: "Plugin"},
			ObjectMeta: metav1.ObjectMeta{Name: p.name},
			Spec: index.PluginSpec{
				Version: version, Homepage: homepage, ShortDescription: p.short,
				Description: p.description, Caveats: p.caveats,
			},
		}
		for _, a := range archives {
			bin := p.binary
			if a.OS == "windows" {
				bin += ".exe"
			}
			files := []index.FileOperation{{From: bin, To: "."}, {From: "LICENSE", To: "."}}
			if a.OS != "windows" {
				helper := "kubectl_complete-" + strings.TrimPrefix(p.binary, "kubectl-")
				files = append(files, index.FileOperation{From: helper, To: "."})
			}
			plugin.Spec.Platforms = append(plugin.Spec.Platforms, index.Platform{
				URI: baseURL + "/" + a.File, Sha256: a.SHA256, Bin: bin, Files: files,
				Selector: &metav1.LabelSelector{MatchLabels: map[string]string{"os": a.OS, "arch": a.Arch}},
			})
		}
		data, err := yaml.Marshal(plugin)
		if err != nil {
			return err
		}
		// krew's ObjectMeta carries an empty creationTimestamp: not part of a manifest.
		data = []byte(strings.Replace(string(data), "  creationTimestamp: null\n", "", 1))
		if err := os.WriteFile(filepath.Join(dir, p.name+".yaml"), data, 0o644); err != nil {
			return err
		}
	}
	return nil
}

// writeFlux writes the Flux CLI plugin manifest of `gitops` (the suite installed as
// flux-gitops) and the catalog that lists it.
func writeFlux(dir, version, baseURL string, archives []Archive) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	v := fluxplugin.Version{Version: strings.TrimPrefix(version, "v")}
	for _, a := range archives {
		extract := "kubectl-gitops"
		if a.OS == "windows" {
			extract += ".exe"
		}
		v.Platforms = append(v.Platforms, fluxplugin.Platform{OS: a.OS, Arch: a.Arch, URL: baseURL + "/" + a.File, Checksum: "sha256:" + a.SHA256, ExtractPath: extract})
	}
	manifest := fluxplugin.Manifest{
		APIVersion: fluxplugin.APIVersion, Kind: fluxplugin.PluginKind, Name: "gitops",
		Description: "Trace, untangle and roll back what Flux applied (kubectl-gitops)",
		Homepage:    homepage, Source: homepage, Bin: "flux-gitops",
		Versions: []fluxplugin.Version{v},
	}
	catalog := fluxplugin.Catalog{APIVersion: fluxplugin.APIVersion, Kind: fluxplugin.CatalogKind, Plugins: []fluxplugin.CatalogEntry{{
		Name: "gitops", Description: manifest.Description, Homepage: homepage, Source: homepage, License: "Apache-2.0",
	}}}
	// The Flux CLI reads FLUXCD_PLUGIN_CATALOG + "<name>.yaml" and + "catalog.yaml".
	for file, doc := range map[string]any{"gitops.yaml": manifest, "catalog.yaml": catalog} {
		data, err := yaml.Marshal(doc)
		if err != nil {
			return err
		}
		if err := os.WriteFile(filepath.Join(dir, file), data, 0o644); err != nil {
			return fmt.Errorf("%s: %w", file, err)
		}
	}
	return nil
}
