package gitlocate

import (
	"errors"
	"fmt"
	"path"
	"strings"
	"time"
)

// Default limits, chosen so that a hostile or huge repository cannot keep
// the command busy for long while leaving plenty of room for real fleets.
const (
	// DefaultMaxFiles caps the Git objects (files and directories) read per
	// Locate call.
	DefaultMaxFiles = 10000
	// DefaultMaxDepth caps the nesting of kustomizations and directories.
	DefaultMaxDepth = 32
	// maxFileSize skips blobs larger than this: no manifest is that big and
	// reading one would only waste memory.
	maxFileSize = 8 << 20
)

// Request names an object and the Flux source it was built from.
type Request struct {
	// GitDir is a clone (work tree or bare) of the source repository.
	GitDir string
	// Commit is the applied revision, a full hex SHA.
	Commit string
	// Path is the Kustomization's spec.path, relative to the repository
	// root; "", "." and "./" mean the root and a leading "./" is optional.
	Path string

	// APIVersion is the object's group ("apps") or full apiVersion
	// ("apps/v1"); "" and "v1" mean the core group.
	APIVersion string
	// Kind is the object's kind, e.g. "Deployment".
	Kind string
	// Namespace is empty for cluster-scoped objects.
	Namespace string
	// Name is the object's name in the cluster.
	Name string

	// MaxFiles and MaxDepth override DefaultMaxFiles and DefaultMaxDepth
	// when positive.
	MaxFiles int
	MaxDepth int
}

// Result says where the object is defined, or why that is unknown.
type Result struct {
	// Found is true when a manifest document defining the object was found;
	// File and Line are set only then.
	Found bool
	// File is the manifest's path relative to the repository root.
	File string
	// Line is the 1-based first content line of the YAML document.
	Line int
	// Reason explains a miss, or carries caveats about a match (name
	// transforms, namespace assumptions, duplicates).
	Reason string
	// Via lists the kustomization files, outermost first, that led to File
	// (or to the generator named in Reason).
	Via []string
	// Commit describes the applied commit.
	Commit *Commit
}

// Commit is the metadata printed next to a location.
type Commit struct {
	SHA         string
	Subject     string
	AuthorName  string
	AuthorEmail string
	AuthorTime  time.Time
}

// target is the normalized identity being searched for.
type target struct {
	group     string
	kind      string
	namespace string
	name      string
}

// String renders the object as "Kind namespace/name" or "Kind name".
func (t target) String() string {
	if t.namespace == "" {
		return t.kind + " " + t.name
	}
	return t.kind + " " + t.namespace + "/" + t.name
}

func (r Request) target() (target, error) {
	if r.Kind == "" || r.Name == "" {
		return target{}, errors.New("gitlocate: Kind and Name are required")
	}
	return target{
		group:     requestGroup(r.APIVersion),
		kind:      r.Kind,
		namespace: r.Namespace,
		name:      r.Name,
	}, nil
}

func (r Request) maxFiles() int {
	if r.MaxFiles > 0 {
		return r.MaxFiles
	}
	return DefaultMaxFiles
}

func (r Request) maxDepth() int {
	if r.MaxDepth > 0 {
		return r.MaxDepth
	}
	return DefaultMaxDepth
}

// requestGroup accepts either a group or an apiVersion, because callers have
// one or the other depending on where they got the object from.
func requestGroup(s string) string {
	if i := strings.LastIndex(s, "/"); i >= 0 {
		return s[:i]
	}
	if s == "" || isVersion(s) {
		return ""
	}
	return s
}

// manifestGroup returns the group of a manifest's apiVersion.
func manifestGroup(apiVersion string) string {
	if i := strings.LastIndex(apiVersion, "/"); i >= 0 {
		return apiVersion[:i]
	}
	return ""
}

// isVersion reports whether s looks like a Kubernetes API version (v1,
// v2beta1, v1alpha3) rather than a group name.
func isVersion(s string) bool {
	if len(s) < 2 || s[0] != 'v' {
		return false
	}
	rest := strings.TrimLeft(s[1:], "0123456789")
	if len(rest) == len(s)-1 {
		return false
	}
	for _, stage := range []string{"alpha", "beta"} {
		if after, ok := strings.CutPrefix(rest, stage); ok {
			return after != "" && strings.Trim(after, "0123456789") == ""
		}
	}
	return rest == ""
}

// cleanRoot turns spec.path into a clean repository-relative directory ("" for
// the root), refusing paths that leave the repository.
func cleanRoot(p string) (string, error) {
	trimmed := strings.TrimLeft(strings.TrimSpace(p), "/")
	c := path.Clean("./" + trimmed)
	if c == ".." || strings.HasPrefix(c, "../") {
		return "", fmt.Errorf("gitlocate: path %q escapes the repository root", p)
	}
	if c == "." {
		return "", nil
	}
	return c, nil
}

// displayPath renders a clean repository path the way Flux users write
// spec.path.
func displayPath(clean string) string {
	return "./" + clean
}
