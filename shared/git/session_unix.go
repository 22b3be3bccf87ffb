//go:build !windows

package git

import (
	"os/exec"
	"syscall"
)

// ownSession starts cmd in a session of its own and makes ctx's end kill its whole
// process group. A fetch downloads through git's children (git-remote-https,
// index-pack), which go on after git itself is killed; and without a controlling
// terminal ssh fails at once instead of stopping, unseen, to ask for a passphrase or
// to accept a host key.
func ownSession(cmd *exec.Cmd) {
	cmd.SysProcAttr = &syscall.SysProcAttr{Setsid: true}
	cmd.Cancel = func() error { return syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL) }
}
