package gitlocate

import (
	"context"
	"errors"
	"fmt"
	"path"
	"slices"
)

// walker visits the manifests that make up one Flux Kustomization at one
// commit and collects matches for the target plus everything that could
// explain a miss.
type walker struct {
	ctx      context.Context
	snap     *snapshot
	target   target
	maxDepth int

	seen      map[string]bool // kustomization visits, keyed with their scope
	matches   []match
	generated *generatorHit
	charts    []string // Helm charts that may render the target
	remotes   []string // remote bases that were not followed
	problems  []string // refused or unreadable entries, limits hit
	done      bool     // an exact match was found: nothing can beat it
}

// generatorHit is a kustomize generator whose output is the target.
type generatorHit struct {
	gen  generator
	file string
	via  []string
}

func newWalker(ctx context.Context, snap *snapshot, t target, maxDepth int) *walker {
	return &walker{ctx: ctx, snap: snap, target: t, maxDepth: maxDepth, seen: map[string]bool{}}
}

// problem records a note for the final reason.
func (w *walker) problem(format string, args ...any) {
	addOnce(&w.problems, fmt.Sprintf(format, args...))
}

// addOnce appends msg unless present: a base shared by several overlays
// is visited once per overlay and would otherwise repeat its notes.
func addOnce(list *[]string, msg string) {
	if !slices.Contains(*list, msg) {
		*list = append(*list, msg)
	}
}

// tooDeep enforces the depth cap that keeps deeply nested trees and
// kustomization chains from running away. A directory or kustomization
// visited with scope s sits at level s.depth+1; the spec.path root is level 1.
func (w *walker) tooDeep(p string, s scope) bool {
	if s.depth < w.maxDepth {
		return false
	}
	w.problem("stopped at %s: deeper than %d levels", p, w.maxDepth)
	return true
}

// visitDir walks a directory: through its kustomization file if it has one,
// otherwise as the kustomization Flux generates for it.
func (w *walker) visitDir(p string, dir treeEntry, s scope) error {
	entries, err := w.snap.readDir(dir)
	if err != nil {
		return w.unreadable(p, err)
	}
	if k, ok := kustomizationIn(entries); ok {
		return w.visitKustomization(path.Join(p, k.name), k, s)
	}
	return w.generate(p, entries, s)
}

// generate visits what Flux's generated kustomization includes: manifest
// files recursively, and subdirectories with their own kustomization file
// as a whole.
func (w *walker) generate(p string, entries []treeEntry, s scope) error {
	if w.tooDeep(displayPath(p), s) {
		return nil
	}
	for _, e := range entries {
		if w.done {
			return nil
		}
		child := path.Join(p, e.name)
		switch {
		case e.kind == kindDir:
			sub, err := w.snap.readDir(e)
			if err != nil {
				if err := w.unreadable(child, err); err != nil {
					return err
				}
				continue
			}
			deeper := s
			deeper.depth++
			if k, ok := kustomizationIn(sub); ok {
				err = w.visitKustomization(path.Join(child, k.name), k, deeper)
			} else {
				err = w.generate(child, sub, deeper)
			}
			if err != nil {
				return err
			}
		case e.kind == kindFile && isManifestName(e.name):
			if err := w.visitFile(child, e, s); err != nil {
				return err
			}
		}
	}
	return nil
}

// isManifestName reports whether Flux's generated kustomization would
// include a file.
func isManifestName(name string) bool {
	switch path.Ext(name) {
	case ".yaml", ".yml", ".json":
		return true
	}
	return false
}

// visitKustomization follows a kustomization file's resources and
// components, and records its generators and Helm charts.
func (w *walker) visitKustomization(file string, e treeEntry, s scope) error {
	if err := w.ctx.Err(); err != nil {
		return err
	}
	if w.tooDeep(file, s) {
		return nil
	}
	if slices.Contains(s.via, file) {
		w.problem("%s is reached again through its own resources (cycle): not followed", file)
		return nil
	}
	key := file + "\x00" + s.prefix + "\x00" + s.suffix + "\x00" + s.namespace
	if w.seen[key] {
		return nil
	}
	w.seen[key] = true

	data, err := w.snap.readFile(e)
	if err != nil {
		return w.unreadable(file, err)
	}
	k, err := parseKustomization(data)
	if err != nil {
		w.problem("cannot parse %s: %v", file, err)
		return nil
	}
	inner := s.enter(file, k)
	if g, ok := generatedBy(w.target, k, inner); ok && w.generated == nil {
		w.generated = &generatorHit{gen: g, file: file, via: inner.via}
	}
	for _, c := range k.charts {
		addOnce(&w.charts, fmt.Sprintf("Helm chart `%s` (helmCharts in %s:%d)", c.name, file, c.line))
	}
	dir := path.Dir(file)
	if dir == "." {
		dir = ""
	}
	for _, r := range append(slices.Clone(k.resources), k.components...) {
		if w.done {
			return nil
		}
		if err := w.visitRef(file, dir, r, inner); err != nil {
			return err
		}
	}
	return nil
}

// visitRef follows one resources or components entry of file.
func (w *walker) visitRef(file, dir string, r ref, s scope) error {
	if isRemoteSyntax(r.value) {
		addOnce(&w.remotes, fmt.Sprintf("%s (%s:%d)", r.value, file, r.line))
		return nil
	}
	p, ok := joinInRepo(dir, r.value)
	if !ok {
		w.problem("`%s` in %s:%d escapes the repository root: refused", r.value, file, r.line)
		return nil
	}
	e, found, err := w.snap.stat(p)
	if err != nil {
		return w.unreadable(p, err)
	}
	switch {
	case !found && looksLikeHost(r.value):
		addOnce(&w.remotes, fmt.Sprintf("%s (%s:%d)", r.value, file, r.line))
	case !found:
		w.problem("`%s` in %s:%d does not exist at this commit", r.value, file, r.line)
	case e.kind == kindDir:
		entries, err := w.snap.readDir(e)
		if err != nil {
			return w.unreadable(p, err)
		}
		k, ok := kustomizationIn(entries)
		if !ok {
			w.problem("`%s` in %s:%d is a directory without a kustomization file", r.value, file, r.line)
			return nil
		}
		return w.visitKustomization(path.Join(p, k.name), k, s)
	case e.kind == kindFile:
		return w.visitFile(p, e, s)
	default:
		w.problem("`%s` in %s:%d is a symlink or submodule: not followed", r.value, file, r.line)
	}
	return nil
}

// visitFile matches the objects of one manifest file against the target.
func (w *walker) visitFile(file string, e treeEntry, s scope) error {
	if err := w.ctx.Err(); err != nil {
		return err
	}
	data, err := w.snap.readFile(e)
	if err != nil {
		return w.unreadable(file, err)
	}
	for _, obj := range objectsIn(data) {
		m, ok := matchObject(w.target, obj, s)
		if !ok {
			continue
		}
		m.file, m.line, m.via = file, obj.line, s.via
		w.matches = append(w.matches, m)
		if m.tier == tierExact {
			w.done = true
			return nil
		}
	}
	return nil
}

// unreadable turns per-object read failures (oversized, or absent from a
// partial clone) into notes, and lets fatal ones (budget, context, broken
// git) end the walk.
func (w *walker) unreadable(file string, err error) error {
	switch {
	case errors.Is(err, errTooLarge):
		w.problem("skipped %s: larger than %d MiB", file, maxFileSize>>20)
		return nil
	case errors.Is(err, errMissingObject):
		w.problem("skipped %s: object missing from the clone", file)
		return nil
	}
	return err
}
