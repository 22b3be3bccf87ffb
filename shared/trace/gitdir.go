package trace

import (
	"context"
	"fmt"
	"os"
	"strconv"
	"strings"

	yaml "go.yaml.in/yaml/v3"

	"github.com/kubectl-gitops/kubectl-gitops/shared/exitcode"
	"github.com/kubectl-gitops/kubectl-gitops/shared/flux"
	"github.com/kubectl-gitops/kubectl-gitops/shared/git"
	"github.com/kubectl-gitops/kubectl-gitops/shared/gitlocate"
	"github.com/kubectl-gitops/kubectl-gitops/shared/output"
	"github.com/kubectl-gitops/kubectl-gitops/shared/revision"
	"github.com/kubectl-gitops/kubectl-gitops/shared/yamldoc"
)

// CheckGitDir refuses a --git-dir that is not a directory holding a git repository, as
// a usage error before anything is traced: a typo would otherwise surface as a note
// under every trace.
func CheckGitDir(ctx context.Context, dir string) error {
	fi, err := os.Stat(dir)
	switch {
	case err != nil && os.IsNotExist(err):
		return exitcode.New(exitcode.Usage, "--git-dir %s does not exist: give the path of a local clone of the source repository", dir)
	case err != nil:
		return exitcode.New(exitcode.Usage, "--git-dir %s cannot be read: %v", dir, err)
	case !fi.IsDir():
		return exitcode.New(exitcode.Usage, "--git-dir %s is not a directory: give the path of a local clone of the source repository", dir)
	}
	if _, err := git.Run(ctx, dir, "rev-parse", "--git-dir"); err != nil {
		if ctx.Err() != nil {
			return ctx.Err()
		}
		return exitcode.New(exitcode.Usage, "--git-dir %s is not a git clone: give the path of a local clone of the source repository", dir)
	}
	return nil
}

// LocateInGit fills r.Commit.Git from a local clone: where the object (or, for an
// object rendered by a HelmRelease, the HelmRelease) is defined at the commit its
// Kustomization applied, that commit's subject and author, and the commit that last
// changed that file. Problems (a clone of another repository, a clone without the
// commit) become a note rather than an error: the trace itself stands without them.
func (r *Report) LocateInGit(ctx context.Context, gitDir string) {
	if r.Commit == nil {
		return
	}
	target, ks := definedObject(r)
	if ks == nil {
		return
	}
	// The file is read at the Kustomization's applied commit: for a HelmRelease's
	// objects the report's commit is the chart's, which need not be the one the
	// HelmRelease itself was applied from.
	rev, err := revision.Parse(ks.LastAppliedRevision)
	if err != nil || rev.Commit() == "" {
		return
	}
	sha := rev.Commit()
	g := &GitLocation{}
	r.Commit.Git = g
	if src := sourceOf(r, ks); src != nil && src.Ref.Kind == flux.KindGitRepository && src.URL != "" {
		// A clone of another repository would be told to fetch a commit it never
		// will hold: say what it is instead.
		if _, err := git.RemoteFor(ctx, gitDir, src.URL); err != nil {
			g.Note = fmt.Sprintf("%s is a clone of another repository (%v): give --git-dir a clone of %s", gitDir, err, src.URL)
			return
		}
	}
	req := gitlocate.Request{
		GitDir: gitDir, Commit: sha, Path: ks.Path,
		APIVersion: target.APIVersion, Kind: target.Kind, Namespace: target.Namespace, Name: target.Name,
	}
	res, from, err := locate(ctx, req, r.origin)
	if err != nil {
		g.Note = err.Error()
		return
	}
	if res.Found || from == FileFromOrigin {
		g.FileFrom = from
	}
	if res.Found {
		g.File, g.Line = res.File, res.Line
	}
	g.Note = res.Reason
	if target != r.Object {
		note := r.Object.String() + " is rendered from a Helm chart; this is where " + target.String() + " is defined"
		g.Note = strings.TrimSpace(note + ". " + g.Note)
	}
	if res.Commit != nil {
		g.Subject = res.Commit.Subject
		g.Author = res.Commit.AuthorName + " <" + res.Commit.AuthorEmail + ">"
	}
	if g.File != "" {
		g.LastChange = lastChange(ctx, gitDir, sha, g.File)
		if target.Kind == "Secret" && target.APIVersion == "v1" {
			var why string
			g.Encrypted, why = sopsState(ctx, gitDir, sha, g.File, g.Line)
			if why != "" {
				g.Note = strings.TrimSpace(g.Note + " Whether " + g.File + " is SOPS-encrypted could not be read: " + why + ".")
			}
		}
	}
}

// GitLocation.Encrypted: what the Secret's file says of SOPS.
const (
	// EncryptedSOPS: the Secret's document carries SOPS metadata.
	EncryptedSOPS = "sops"
	// EncryptedNone: the document was read and carries none: Git holds the Secret in
	// the clear.
	EncryptedNone = "none"
	// EncryptedUnknown: the file could not be read or the document not found in it
	// (too large, git failed, a document that does not parse); Note says why.
	EncryptedUnknown = "unknown"
)

// maxSOPSFile bounds the file read to look for SOPS metadata: a manifest of Secrets.
const maxSOPSFile = 1 << 20

// sopsState reads whether the document at line of file (every document when line is
// 0, the file named by an origin annotation alone) carries SOPS's top-level `sops`
// metadata at commit sha: the file kustomize-controller decrypts. An item of a List
// is encrypted with its List, whose document holds the metadata. It is
// EncryptedUnknown, with why, unless the file was read and the document found: only
// a document read and found without metadata is in the clear. Only the key's
// presence is read; nothing of the document is kept.
func sopsState(ctx context.Context, gitDir, sha, file string, line int) (state, why string) {
	obj := sha + ":" + file
	// The size first: a large blob is not read at all.
	size, err := git.Line(ctx, gitDir, "cat-file", "-s", obj)
	if err != nil {
		return EncryptedUnknown, err.Error()
	}
	n, err := strconv.ParseInt(size, 10, 64)
	switch {
	case err != nil:
		return EncryptedUnknown, fmt.Sprintf("git cat-file -s gave no size (%q)", size)
	case n > maxSOPSFile:
		return EncryptedUnknown, fmt.Sprintf("it is larger than %d MiB (%d bytes)", maxSOPSFile>>20, n)
	}
	data, err := git.Run(ctx, gitDir, "cat-file", "blob", obj)
	if err != nil {
		return EncryptedUnknown, err.Error()
	}
	found, unparsed := false, false
	for _, doc := range yamldoc.Split(data) {
		root, err := doc.Root()
		if err != nil {
			unparsed = true
			continue
		}
		if root == nil || (line != 0 && !holdsLine(doc, root, line)) {
			continue
		}
		found = true
		if m := yamldoc.MapValue(root, "sops"); m != nil && yamldoc.MapValue(m, "mac") != nil {
			return EncryptedSOPS, ""
		}
	}
	switch {
	case line == 0 && unparsed:
		return EncryptedUnknown, "a document of it does not parse"
	case line != 0 && !found:
		return EncryptedUnknown, fmt.Sprintf("no document of it starts at line %d", line)
	}
	return EncryptedNone, ""
}

// holdsLine reports whether the object at line is root, the document's, or one of its
// items when root is a List: found as gitlocate finds objects.
func holdsLine(doc yamldoc.Document, root *yaml.Node, line int) bool {
	if doc.FileLine(root) == line {
		return true
	}
	items := yamldoc.MapValue(root, "items")
	if !strings.HasSuffix(yamldoc.Scalar(yamldoc.MapValue(root, "kind")), "List") || items == nil || items.Kind != yaml.SequenceNode {
		return false
	}
	for _, item := range items.Content {
		if doc.FileLine(item) == line {
			return true
		}
	}
	return false
}

// locate finds the object's file: the one its origin annotation names when it has one
// (a single file read, no walk of the tree), else by walking the Kustomization's path.
// An origin naming a file the commit does not hold is walked as without one. from is
// FileFromOrigin or FileFromScan.
func locate(ctx context.Context, req gitlocate.Request, o *originPlace) (gitlocate.Result, string, error) {
	switch {
	case o == nil:
	case o.File == "":
		// A remote base or a generator: the origin says so, no file of this clone to read.
		info, err := gitlocate.CommitInfo(ctx, req.GitDir, req.Commit)
		if err != nil {
			return gitlocate.Result{}, "", err
		}
		return gitlocate.Result{Reason: o.Note, Commit: &info}, FileFromOrigin, nil
	default:
		res, err := gitlocate.LocateFile(ctx, req, o.File)
		if err != nil {
			return res, "", err
		}
		if res.Found {
			return res, FileFromOrigin, nil
		}
	}
	res, err := gitlocate.Locate(ctx, req)
	return res, FileFromScan, err
}

// lastChange is the commit that last changed file as of sha (`git log -1 SHA -- FILE`):
// the applied commit usually changed something else entirely.
func lastChange(ctx context.Context, gitDir, sha, file string) *GitCommit {
	line, err := git.Line(ctx, gitDir, "log", "-1", "--no-show-signature", "--format=%H%x00%s%x00%an <%ae>", sha, "--", file)
	if err != nil || line == "" {
		return nil
	}
	f := strings.SplitN(line, "\x00", 3)
	if len(f) != 3 {
		return nil
	}
	return &GitCommit{SHA: f[0], Subject: f[1], Author: f[2]}
}

// sourceOf returns the source hop of a Kustomization hop.
func sourceOf(r *Report, ks *Hop) *Hop {
	if ks.SourceRef == nil {
		return nil
	}
	for i := range r.Hops {
		h := &r.Hops[i]
		if h.Role == RoleSource && h.Cluster == ks.Cluster && h.Ref.Kind == ks.SourceRef.Kind && h.Ref.Namespace == ks.SourceRef.Namespace && h.Ref.Name == ks.SourceRef.Name {
			return h
		}
	}
	return nil
}

// definedObject returns the object a Kustomization applied from Git (the traced object,
// its labelled owner, or the HelmRelease that rendered it) and that Kustomization's hop.
func definedObject(r *Report) (output.ObjectRef, *Hop) {
	target := r.Object
	for i := range r.Hops {
		h := &r.Hops[i]
		switch h.Role {
		case RoleOwner, RoleHelmRelease:
			target = h.Ref
		case RoleKustomization:
			return target, h
		}
	}
	return target, nil
}
