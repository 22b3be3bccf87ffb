package gitlocate

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"io"
	"os/exec"
	"strconv"
	"strings"

	"github.com/kubectl-gitops/kubectl-gitops/shared/git"
)

// condition is an error kind declared as a constant, so that sentinels
// cannot be reassigned the way package-level error variables can.
type condition string

func (c condition) Error() string { return string(c) }

// errMissingObject and errTooLarge are conditions a walk skips past rather
// than failing on.
const (
	errMissingObject condition = "object missing"
	errTooLarge      condition = "object too large"
)

// catFile keeps one `git cat-file --batch` process for all reads of a
// Locate call: spawning git per file would dominate the run time on real
// fleets with hundreds of manifests.
type catFile struct {
	ctx    context.Context
	cmd    *exec.Cmd
	stdin  io.WriteCloser
	stdout *bufio.Reader
	stderr *bytes.Buffer
	closed bool
}

func startCatFile(ctx context.Context, dir string) (*catFile, error) {
	cmd := git.Command(ctx, dir, "cat-file", "--batch")
	stdin, err := cmd.StdinPipe()
	if err != nil {
		return nil, err
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		return nil, err
	}
	stderr := &bytes.Buffer{}
	cmd.Stderr = stderr
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("gitlocate: starting git cat-file: %w", err)
	}
	return &catFile{ctx: ctx, cmd: cmd, stdin: stdin, stdout: bufio.NewReader(stdout), stderr: stderr}, nil
}

// read returns the type and content of the object named by oid, a hex
// object name (never a path, so that odd file names cannot break the line
// protocol). Objects over limit bytes are drained and reported as
// errTooLarge.
func (c *catFile) read(oid string, limit int64) (string, []byte, error) {
	if !isHex(oid) {
		return "", nil, fmt.Errorf("gitlocate: bad object name %q", oid)
	}
	if _, err := io.WriteString(c.stdin, oid+"\n"); err != nil {
		return "", nil, c.failure(err)
	}
	header, err := c.stdout.ReadString('\n')
	if err != nil {
		return "", nil, c.failure(err)
	}
	fields := strings.Fields(header)
	if len(fields) == 2 && fields[1] == "missing" {
		return "", nil, errMissingObject
	}
	if len(fields) != 3 {
		return "", nil, fmt.Errorf("gitlocate: unexpected cat-file header %q", header)
	}
	size, err := strconv.ParseInt(fields[2], 10, 64)
	if err != nil || size < 0 {
		return "", nil, fmt.Errorf("gitlocate: unexpected cat-file header %q", header)
	}
	if size > limit {
		if _, err := io.CopyN(io.Discard, c.stdout, size+1); err != nil {
			return "", nil, c.failure(err)
		}
		return fields[1], nil, errTooLarge
	}
	buf := make([]byte, size+1)
	if _, err := io.ReadFull(c.stdout, buf); err != nil {
		return "", nil, c.failure(err)
	}
	return fields[1], buf[:size], nil
}

// failure prefers the context's error, then git's own complaint, to a bare
// broken-pipe error. It stops the process first: stderr may only be read
// once git has exited.
func (c *catFile) failure(err error) error {
	c.close()
	if c.ctx.Err() != nil {
		return c.ctx.Err()
	}
	if msg := strings.TrimSpace(c.stderr.String()); msg != "" {
		return fmt.Errorf("gitlocate: git cat-file: %s", msg)
	}
	return fmt.Errorf("gitlocate: git cat-file: %w", err)
}

// close ends the batch process; its exit status is irrelevant once reads
// are done. It is safe to call more than once.
func (c *catFile) close() {
	if c.closed {
		return
	}
	c.closed = true
	_ = c.stdin.Close()
	_ = c.cmd.Wait()
}
