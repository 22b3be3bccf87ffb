package gitlocate

import (
	"bytes"
	"encoding/hex"
	"fmt"
)

// entryKind distinguishes what a tree entry points at; only files and
// directories are followed.
type entryKind int

const (
	kindFile entryKind = iota
	kindDir
	kindSymlink
	kindSubmodule
)

// treeEntry is one name in a Git tree object.
type treeEntry struct {
	name string
	kind entryKind
	oid  string
}

// parseTree decodes a raw tree object: repeated "<octal mode> <name>\0"
// followed by a binary object name of hashLen bytes (20 for SHA-1, 32 for
// SHA-256 repositories).
func parseTree(data []byte, hashLen int) ([]treeEntry, error) {
	var entries []treeEntry
	for len(data) > 0 {
		sp := bytes.IndexByte(data, ' ')
		nul := bytes.IndexByte(data, 0)
		if sp < 0 || nul < sp || len(data) < nul+1+hashLen {
			return nil, fmt.Errorf("gitlocate: malformed tree object")
		}
		mode := string(data[:sp])
		entries = append(entries, treeEntry{
			name: string(data[sp+1 : nul]),
			kind: modeKind(mode),
			oid:  hex.EncodeToString(data[nul+1 : nul+1+hashLen]),
		})
		data = data[nul+1+hashLen:]
	}
	return entries, nil
}

// modeKind maps a Git file mode to the kind of entry.
func modeKind(mode string) entryKind {
	switch mode {
	case "40000", "040000":
		return kindDir
	case "120000":
		return kindSymlink
	case "160000":
		return kindSubmodule
	default:
		return kindFile
	}
}

// find returns the entry called name.
func find(entries []treeEntry, name string) (treeEntry, bool) {
	for _, e := range entries {
		if e.name == name {
			return e, true
		}
	}
	return treeEntry{}, false
}
