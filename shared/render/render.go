// Package render builds one Flux Kustomization from a source tree as kustomize-controller
// v1.9.5 does: the tree packed as source-controller packs an artifact (.sourceignore,
// the GitRepository's spec.ignore, no links), kustomization.yaml generated or amended
// from the Kustomization's spec (targetNamespace, namePrefix/Suffix, patches,
// components, images, commonMetadata is applied later by the caller as apply does),
// fluxcd/pkg/kustomize's SecureBuild, then postBuild substitution with the variables of
// substituteFrom read from the live cluster.
//
// It is the one place that knows how the controller renders, so that diff and the
// offline deps walker agree with it and with each other.
package render

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"

	kustomizev1 "github.com/fluxcd/kustomize-controller/api/v1"
	fluxkustomize "github.com/fluxcd/pkg/kustomize"
	"github.com/fluxcd/pkg/sourceignore"
	ssautil "github.com/fluxcd/pkg/ssa/utils"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/types"
	"sigs.k8s.io/controller-runtime/pkg/client"
)

// MaxTree bounds what is copied from a tree: manifests, not a repository's binaries.
const MaxTree = 256 << 20

// Request is one Kustomization to build.
type Request struct {
	// Kustomization is the object as read from the cluster.
	Kustomization *kustomizev1.Kustomization
	// Tree is the folder holding the source's root (an extracted commit or a folder
	// the user named). It is copied first and never changed.
	Tree string
	// Ignore is the GitRepository's spec.ignore: left out of the tree as
	// source-controller leaves it out of the artifact.
	Ignore string
	// Client reads the ConfigMaps and Secrets of postBuild.substituteFrom. Nil builds
	// offline: only the inline postBuild.substitute variables are known.
	Client client.Client
	// NoRemoteBases refuses remote bases, as the controller's --no-remote-bases does
	// (off by default: remote bases are fetched).
	NoRemoteBases bool
}

// Result is what the controller would apply.
type Result struct {
	// Objects are the rendered objects, in the build's order, as the controller reads
	// them back (ssa's ReadObjects: Kustomize's own Kustomization kind left out).
	Objects []*unstructured.Unstructured
	// Sensitive names the objects ("Kind/namespace/name") into which a variable of a
	// substituteFrom Secret was substituted: their content must not be shown.
	Sensitive map[string]bool
	// Encrypted names the SOPS-encrypted objects: the controller decrypts them with
	// keys this build does not have.
	Encrypted map[string]bool
	// SecretValues are the values of the substituteFrom Secrets, for masking what is
	// shown; never print them.
	SecretValues []string
}

// Key is the name Result's sets use for an object: Kind/namespace/name.
func Key(kind, namespace, name string) string { return kind + "/" + namespace + "/" + name }

// Build renders req.Kustomization from req.Tree.
func Build(ctx context.Context, req Request) (*Result, error) {
	k := req.Kustomization
	uk, err := runtime.DefaultUnstructuredConverter.ToUnstructured(k)
	if err != nil {
		return nil, err
	}
	u := unstructured.Unstructured{Object: uk}
	work, err := os.MkdirTemp("", "gitops-render-")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(work)
	if err := CopyTree(req.Tree, work, req.Ignore); err != nil {
		return nil, err
	}
	// securejoin.SecureJoin as the controller joins: ".." stops at the root (the copy
	// holds no links to resolve).
	dirPath := filepath.Join(work, filepath.FromSlash(filepath.ToSlash(filepath.Clean("/"+k.Spec.Path))))
	if _, err := os.Stat(dirPath); err != nil {
		return nil, fmt.Errorf("kustomization path not found: %s: %w", k.Spec.Path, fs.ErrNotExist)
	}
	if _, err := fluxkustomize.NewGenerator(work, u).WriteFile(dirPath); err != nil {
		return nil, err
	}
	m, err := fluxkustomize.SecureBuild(work, dirPath, !req.NoRemoteBases)
	if err != nil {
		return nil, fmt.Errorf("kustomize build failed: %w", err)
	}
	res := &Result{Sensitive: map[string]bool{}, Encrypted: map[string]bool{}}
	var secretVars map[string]bool
	if k.Spec.PostBuild != nil {
		secretVars, res.SecretValues, err = secretVariables(ctx, req.Client, k)
		if err != nil {
			return nil, err
		}
	}
	for _, r := range m.Resources() {
		if r.GetName() == "" || r.GetKind() == "" || r.GetApiVersion() == "" {
			return nil, fmt.Errorf("failed to decode Kubernetes apiVersion, kind and name from: %v", r.String())
		}
		key := Key(r.GetKind(), r.GetNamespace(), r.GetName())
		if fm, err := r.Map(); err == nil && fm["sops"] != nil {
			res.Encrypted[key] = true
		}
		if k.Spec.PostBuild == nil {
			continue
		}
		if len(secretVars) > 0 {
			if data, err := r.AsYAML(); err == nil && usesAny(data, secretVars) {
				res.Sensitive[key] = true
			}
		}
		opts := []fluxkustomize.SubstituteOption{
			fluxkustomize.SubstituteWithStrict(false),
			fluxkustomize.SubstituteWithAlways(k.GetSubstituteStrategy() == kustomizev1.SubstituteStrategyAlways),
		}
		if req.Client == nil {
			opts = append(opts, fluxkustomize.SubstituteWithDryRun(true))
		}
		out, err := fluxkustomize.SubstituteVariables(ctx, req.Client, u, r, opts...)
		if err != nil {
			return nil, fmt.Errorf("post build failed for '%s/%s': %w", r.GetGvk(), r.GetName(), err)
		}
		if out != nil {
			if _, err := m.Replace(r); err != nil {
				return nil, err
			}
		}
	}
	data, err := m.AsYaml()
	if err != nil {
		return nil, fmt.Errorf("kustomize build failed: %w", err)
	}
	res.Objects, err = ssautil.ReadObjects(bytes.NewReader(data))
	if err != nil {
		return nil, err
	}
	return res, nil
}

// varRef matches a variable reference in the forms envsubst reads: ${NAME…} and $NAME.
var varRef = regexp.MustCompile(`\$\{?([_a-zA-Z][_a-zA-Z0-9]*)`)

func usesAny(data []byte, names map[string]bool) bool {
	for _, m := range varRef.FindAllSubmatch(data, -1) {
		if names[string(m[1])] {
			return true
		}
	}
	return false
}

// secretVariables returns the variables k takes from Secrets (those an inline
// substitute does not override) and every value of those Secrets, read as the
// controller reads them. A missing Secret is left to the substitution to report.
func secretVariables(ctx context.Context, c client.Client, k *kustomizev1.Kustomization) (map[string]bool, []string, error) {
	if c == nil {
		return nil, nil, nil
	}
	names := map[string]bool{}
	var values []string
	for _, ref := range k.Spec.PostBuild.SubstituteFrom {
		if ref.Kind != "Secret" {
			continue
		}
		var s corev1.Secret
		if err := c.Get(ctx, types.NamespacedName{Namespace: k.Namespace, Name: ref.Name}, &s); err != nil {
			if apierrors.IsNotFound(err) {
				continue
			}
			return nil, nil, fmt.Errorf("substitute from 'Secret/%s' error: %w", ref.Name, err)
		}
		for key, v := range s.Data {
			names[key] = true
			values = append(values, string(v), strings.ReplaceAll(string(v), "\n", ""))
		}
	}
	for key := range k.Spec.PostBuild.Substitute {
		delete(names, key)
	}
	// Longest first, so that masking a value never leaves the tail of a longer one.
	sort.Slice(values, func(i, j int) bool { return len(values[i]) > len(values[j]) })
	return names, values, nil
}

// CopyTree copies the regular files and folders of src under dst as source-controller
// packs an artifact: without what .sourceignore files, its default exclusions (.git and
// other VCS folders) and ignore (the GitRepository's spec.ignore) exclude, without
// links, FIFOs or devices, and at most MaxTree bytes in all.
func CopyTree(src, dst, ignore string) error {
	abs, err := filepath.Abs(src)
	if err != nil {
		return err
	}
	patterns, err := sourceignore.LoadIgnorePatterns(abs, nil)
	if err != nil {
		return err
	}
	if ignore != "" {
		patterns = append(patterns, sourceignore.ReadPatterns(strings.NewReader(ignore), nil)...)
	}
	matcher := sourceignore.NewDefaultMatcher(patterns, nil)
	var total int64
	return filepath.WalkDir(abs, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(abs, p)
		if rel == "." {
			return nil
		}
		if matcher.Match(strings.Split(filepath.ToSlash(rel), "/"), d.IsDir()) {
			if d.IsDir() {
				return fs.SkipDir
			}
			return nil
		}
		target := filepath.Join(dst, rel)
		if d.IsDir() {
			return os.MkdirAll(target, 0o755)
		}
		if !d.Type().IsRegular() {
			return nil
		}
		fi, err := d.Info()
		if err != nil {
			return err
		}
		if total += fi.Size(); total > MaxTree {
			return fmt.Errorf("%s holds more than %d MiB of files: not a manifest tree", src, MaxTree>>20)
		}
		return copyFile(p, target)
	})
}

func copyFile(src, dst string) error {
	in, err := os.Open(src)
	if err != nil {
		return err
	}
	defer in.Close()
	out, err := os.OpenFile(dst, os.O_CREATE|os.O_WRONLY|os.O_TRUNC, 0o644)
	if err != nil {
		return err
	}
	if _, err := io.Copy(out, in); err != nil {
		out.Close()
		return err
	}
	return out.Close()
}
