package gitlocate

import (
	"bytes"
	"context"
	"fmt"
	"strings"
)

// errBudget stops a walk that has read as many objects as allowed.
const errBudget condition = "read budget exhausted"

// snapshot reads the repository as of one commit. Every read goes through
// object names resolved from the commit's root tree, so the working tree,
// the index and HEAD never matter.
type snapshot struct {
	cat      *catFile
	commit   string
	root     string
	hashLen  int
	trees    map[string][]treeEntry
	reads    int
	maxReads int
}

// openSnapshot starts the batch reader and resolves the commit's root tree.
func openSnapshot(ctx context.Context, gitDir, commit string, maxReads int) (*snapshot, error) {
	cat, err := startCatFile(ctx, gitDir)
	if err != nil {
		return nil, err
	}
	typ, data, err := cat.read(commit, maxFileSize)
	if err == nil && typ != "commit" {
		err = fmt.Errorf("gitlocate: %s is a %s, not a commit", shortSHA(commit), typ)
	}
	if err != nil {
		cat.close()
		return nil, err
	}
	header, _, _ := bytes.Cut(data, []byte("\n"))
	root, ok := strings.CutPrefix(string(header), "tree ")
	if !ok || !isHex(root) {
		cat.close()
		return nil, fmt.Errorf("gitlocate: commit %s has no tree header", shortSHA(commit))
	}
	return &snapshot{
		cat: cat, commit: commit, root: root, hashLen: len(root) / 2,
		trees: map[string][]treeEntry{}, maxReads: maxReads,
	}, nil
}

func (s *snapshot) close() { s.cat.close() }

// charge counts one object read against the budget.
func (s *snapshot) charge() error {
	if s.reads >= s.maxReads {
		return errBudget
	}
	s.reads++
	return nil
}

// tree returns the entries of the tree object oid, cached because
// kustomizations routinely share bases.
func (s *snapshot) tree(oid string) ([]treeEntry, error) {
	if entries, ok := s.trees[oid]; ok {
		return entries, nil
	}
	if err := s.charge(); err != nil {
		return nil, err
	}
	typ, data, err := s.cat.read(oid, maxFileSize)
	if err != nil {
		return nil, err
	}
	if typ != "tree" {
		return nil, fmt.Errorf("gitlocate: object %s is a %s, not a tree", oid, typ)
	}
	entries, err := parseTree(data, s.hashLen)
	if err != nil {
		return nil, err
	}
	s.trees[oid] = entries
	return entries, nil
}

// stat resolves a clean repository-relative path ("" is the root). A path
// through a symlink or a file is reported as missing.
func (s *snapshot) stat(p string) (treeEntry, bool, error) {
	cur := treeEntry{kind: kindDir, oid: s.root}
	if p == "" {
		return cur, true, nil
	}
	for _, name := range strings.Split(p, "/") {
		if cur.kind != kindDir {
			return treeEntry{}, false, nil
		}
		entries, err := s.tree(cur.oid)
		if err != nil {
			return treeEntry{}, false, err
		}
		next, ok := find(entries, name)
		if !ok {
			return treeEntry{}, false, nil
		}
		cur = next
	}
	return cur, true, nil
}

// readDir lists a directory entry returned by stat.
func (s *snapshot) readDir(dir treeEntry) ([]treeEntry, error) {
	return s.tree(dir.oid)
}

// readFile returns the content of a file entry returned by stat.
func (s *snapshot) readFile(file treeEntry) ([]byte, error) {
	if err := s.charge(); err != nil {
		return nil, err
	}
	typ, data, err := s.cat.read(file.oid, maxFileSize)
	if err != nil {
		return nil, err
	}
	if typ != "blob" {
		return nil, fmt.Errorf("gitlocate: object %s is a %s, not a file", file.oid, typ)
	}
	return data, nil
}
