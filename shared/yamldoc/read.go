package yamldoc

import (
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
)

// MaxFileSize is the largest manifest file the suite reads: far above any real
// Kubernetes manifest (the API server refuses objects over 1.5 MiB), far below what
// would exhaust memory if a repository pointed a file at /dev/zero.
const MaxFileSize = 16 << 20

// ReadFile reads one manifest file, refusing what is not a regular file (a FIFO that
// would block forever, a device that never ends), a symbolic link leading out of root
// (when root is set), and a file over MaxFileSize. The read itself is bounded too, in
// case the file grows while it is read.
func ReadFile(path, root string) ([]byte, error) {
	fi, err := os.Lstat(path)
	if err != nil {
		return nil, err
	}
	if fi.Mode()&os.ModeSymlink != 0 {
		target, err := filepath.EvalSymlinks(path)
		if err != nil {
			return nil, err
		}
		if root != "" && !within(target, root) {
			return nil, fmt.Errorf("a symbolic link to %s, outside %s: not read", target, root)
		}
		if fi, err = os.Stat(target); err != nil {
			return nil, err
		}
		path = target
	}
	if err := CheckRegular(fi); err != nil {
		return nil, err
	}
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, MaxFileSize+1))
	if err != nil {
		return nil, err
	}
	if len(data) > MaxFileSize {
		return nil, fmt.Errorf("larger than %d MiB: not read", MaxFileSize>>20)
	}
	return data, nil
}

// CheckRegular refuses what is not a regular file of at most MaxFileSize.
func CheckRegular(fi os.FileInfo) error {
	if !fi.Mode().IsRegular() {
		return fmt.Errorf("not a regular file (%s): not read", fi.Mode().Type())
	}
	if fi.Size() > MaxFileSize {
		return fmt.Errorf("larger than %d MiB: not read", MaxFileSize>>20)
	}
	return nil
}

func within(path, root string) bool {
	absRoot, err := filepath.EvalSymlinks(root)
	if err != nil {
		return false
	}
	absRoot, _ = filepath.Abs(absRoot)
	abs, err := filepath.Abs(path)
	if err != nil {
		return false
	}
	rel, err := filepath.Rel(absRoot, abs)
	return err == nil && rel != ".." && !strings.HasPrefix(rel, ".."+string(filepath.Separator))
}
