package git

import (
	"archive/tar"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path"
	"path/filepath"
	"strings"
)

// maxArchive bounds what is extracted from one commit: a Kustomization's inputs are
// manifests, not the repository's binaries.
const maxArchive = 256 << 20

// Extract writes the files of paths (the whole tree when none) at commit rev of the
// clone dir under dest, through `git archive` and a guarded extraction: regular files
// and folders only, never a link, nothing outside dest, at most 256 MiB. The user's
// working tree is never read.
func Extract(ctx context.Context, dir, rev, dest string, paths ...string) error {
	args := append([]string{"archive", "--format=tar", rev, "--"}, paths...)
	cmd := Command(ctx, dir, args...)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.StdoutPipe()
	if err != nil {
		return err
	}
	if err := cmd.Start(); err != nil {
		return err
	}
	rerr := untar(io.LimitReader(out, maxArchive+1), dest)
	_, _ = io.Copy(io.Discard, out)
	if err := cmd.Wait(); err != nil {
		return &Error{Args: args, Message: strings.TrimSpace(stderr.String())}
	}
	return rerr
}

func untar(r io.Reader, dest string) error {
	tr := tar.NewReader(r)
	var total int64
	for {
		h, err := tr.Next()
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			return err
		}
		name := filepath.FromSlash(cleanPath(h.Name))
		if strings.HasPrefix(name, "..") || filepath.IsAbs(name) {
			return fmt.Errorf("git archive: unexpected path %q", h.Name)
		}
		target := filepath.Join(dest, name)
		switch h.Typeflag {
		case tar.TypeDir:
			if err := os.MkdirAll(target, 0o755); err != nil {
				return err
			}
		case tar.TypeReg:
			total += h.Size
			if total > maxArchive {
				return fmt.Errorf("the Kustomization's inputs exceed %d MiB: not a manifest folder", maxArchive>>20)
			}
			if err := os.MkdirAll(filepath.Dir(target), 0o755); err != nil {
				return err
			}
			f, err := os.OpenFile(target, os.O_CREATE|os.O_WRONLY|os.O_TRUNC, 0o644)
			if err != nil {
				return err
			}
			_, err = io.Copy(f, tr)
			if cerr := f.Close(); err == nil {
				err = cerr
			}
			if err != nil {
				return err
			}
		}
		// Symlinks are not followed: a build check has no business outside the commit.
	}
}

// cleanPath is p relative to the archive's root, "." for the root itself.
func cleanPath(p string) string {
	p = path.Clean(strings.TrimPrefix(p, "/"))
	if p == "" {
		return "."
	}
	return p
}
