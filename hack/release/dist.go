package main

import (
	"archive/tar"
	"archive/zip"
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"time"
)

// binaries are what each archive holds: the suite and one binary per command, each
// built from its own module (package path relative to the repository).
func binaries() []string {
	return []string{"kubectl-gitops", "kubectl-gitops-trace", "kubectl-gitops-deps", "kubectl-gitops-rollback", "kubectl-gitops-branch", "kubectl-gitops-dev", "kubectl-gitops-diff", "kubectl-gitops-follow"}
}

// epoch is the time every archive entry carries: archives of one commit are the same
// bytes whenever and wherever they are built.
func epoch() time.Time { return time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC) }

// Archive is one platform's release archive.
type Archive struct {
	OS, Arch string
	File     string
	SHA256   string
}

// dist builds every binary for each platform with flags that make the build
// reproducible (-trimpath, no build id, no VCS stamp, no cgo), packs them with the
// LICENSE, the README and, outside Windows, kubectl's completion helpers, and writes
// checksums.txt.
func dist(root, out, version string, platforms []string) ([]Archive, error) {
	if err := os.MkdirAll(out, 0o755); err != nil {
		return nil, err
	}
	var archives []Archive
	for _, p := range platforms {
		goos, goarch, ok := strings.Cut(p, "/")
		if !ok {
			return nil, fmt.Errorf("platform %q: want OS/ARCH, e.g. linux/amd64", p)
		}
		build, err := os.MkdirTemp("", "gitops-dist-")
		if err != nil {
			return nil, err
		}
		defer os.RemoveAll(build)
		var files []entry
		for _, name := range binaries() {
			exe := name
			if goos == "windows" {
				exe += ".exe"
			}
			target := filepath.Join(build, exe)
			cmd := exec.Command("go", "build", "-trimpath", "-buildvcs=false",
				"-ldflags", "-s -w -buildid= -X main.version="+version, "-o", target, ".")
			cmd.Dir = filepath.Join(root, "plugins", name)
			cmd.Env = append(os.Environ(), "CGO_ENABLED=0", "GOOS="+goos, "GOARCH="+goarch, "GOFLAGS=-mod=readonly")
			if msg, err := cmd.CombinedOutput(); err != nil {
				return nil, fmt.Errorf("building %s for %s: %v\n%s", name, p, err, msg)
			}
			files = append(files, entry{name: exe, path: target, mode: 0o755})
			if goos != "windows" {
				// kubectl completes `kubectl gitops …` through kubectl_complete-gitops…
				// on PATH: a link to the binary, which answers as its completion helper.
				// A script, not a link: krew cannot unpack links.
				helper := "kubectl_complete-" + strings.TrimPrefix(name, "kubectl-")
				script := "#!/bin/sh\n# kubectl runs this to complete `" + strings.ReplaceAll(name, "-", " ") + " …`.\nexec " + name + " __complete \"$@\"\n"
				files = append(files, entry{name: helper, content: []byte(script), mode: 0o755})
			}
		}
		files = append(files, entry{name: "LICENSE", path: filepath.Join(root, "LICENSE"), mode: 0o644},
			entry{name: "README.md", path: filepath.Join(root, "README.md"), mode: 0o644})
		sort.Slice(files, func(i, j int) bool { return files[i].name < files[j].name })
		a := Archive{OS: goos, Arch: goarch, File: fmt.Sprintf("kubectl-gitops_%s_%s_%s.tar.gz", strings.TrimPrefix(version, "v"), goos, goarch)}
		var data []byte
		if goos == "windows" {
			a.File = strings.TrimSuffix(a.File, ".tar.gz") + ".zip"
			data, err = zipOf(files)
		} else {
			data, err = tarGzOf(files)
		}
		if err != nil {
			return nil, err
		}
		if err := os.WriteFile(filepath.Join(out, a.File), data, 0o644); err != nil {
			return nil, err
		}
		sum := sha256.Sum256(data)
		a.SHA256 = hex.EncodeToString(sum[:])
		archives = append(archives, a)
	}
	var sums bytes.Buffer
	for _, a := range archives {
		fmt.Fprintf(&sums, "%s  %s\n", a.SHA256, a.File)
	}
	return archives, os.WriteFile(filepath.Join(out, "checksums.txt"), sums.Bytes(), 0o644)
}

// entry is one file of an archive: a file on disk, or content.
type entry struct {
	name, path string
	content    []byte
	mode       int64
}

func (e entry) read() ([]byte, error) {
	if e.content != nil {
		return e.content, nil
	}
	return os.ReadFile(e.path)
}

func tarGzOf(files []entry) ([]byte, error) {
	var buf bytes.Buffer
	gz, _ := gzip.NewWriterLevel(&buf, gzip.DefaultCompression)
	gz.ModTime = epoch() // the header of gzip itself: no name, a fixed time
	tw := tar.NewWriter(gz)
	for _, f := range files {
		h := &tar.Header{Name: f.name, ModTime: epoch(), Mode: f.mode, Format: tar.FormatPAX}
		data, err := f.read()
		if err != nil {
			return nil, err
		}
		h.Typeflag, h.Size = tar.TypeReg, int64(len(data))
		if err := tw.WriteHeader(h); err != nil {
			return nil, err
		}
		if _, err := tw.Write(data); err != nil {
			return nil, err
		}
	}
	if err := tw.Close(); err != nil {
		return nil, err
	}
	if err := gz.Close(); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

func zipOf(files []entry) ([]byte, error) {
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for _, f := range files {
		h := &zip.FileHeader{Name: f.name, Method: zip.Deflate, Modified: epoch()}
		h.SetMode(os.FileMode(f.mode))
		w, err := zw.CreateHeader(h)
		if err != nil {
			return nil, err
		}
		data, err := f.read()
		if err != nil {
			return nil, err
		}
		if _, err := w.Write(data); err != nil {
			return nil, err
		}
	}
	if err := zw.Close(); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}
