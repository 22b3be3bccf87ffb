package git

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"time"
)

// FetchLimits bound a fetch of a source the user did not clone: a script must not wait
// on a dead remote nor fill the disk with a repository far larger than expected.
type FetchLimits struct {
	// Timeout bounds the whole fetch.
	Timeout time.Duration
	// MaxBytes bounds the repository on disk; the fetch is stopped above it.
	MaxBytes int64
}

// DefaultFetchLimits are two minutes and 1 GiB: far above one commit of a fleet
// repository (a few MiB), far below what would hurt a laptop.
func DefaultFetchLimits() FetchLimits {
	return FetchLimits{Timeout: 2 * time.Minute, MaxBytes: 1 << 30}
}

// ErrTooLarge is a fetch stopped at FetchLimits.MaxBytes.
var ErrTooLarge = errors.New("the repository is larger than the fetch limit")

// FetchCommits fetches commits of the repository at url, with the user's own git and
// credentials, into a new bare repository in a temporary folder, and returns its path
// and the function that removes it (also call it after an error: it is never nil). The
// fetch is shallow, those commits only: servers speaking Git's protocol v2 (all current
// ones) serve any reachable commit by its SHA. When the server refuses (an older
// server, a commit no longer there, an abbreviated SHA), branch (if given) is fetched
// whole instead. The first commit is required; the others are fetched when they can
// be (the caller checks with HasCommit).
func FetchCommits(ctx context.Context, url, branch string, limits FetchLimits, commits ...string) (string, func(), error) {
	if len(commits) == 0 {
		return "", func() {}, errors.New("git: no commit to fetch")
	}
	dir, err := os.MkdirTemp("", "gitops-fetch-")
	if err != nil {
		return "", func() {}, err
	}
	cleanup := func() { _ = os.RemoveAll(dir) }
	ctx, cancel := context.WithTimeoutCause(ctx, limits.Timeout, fmt.Errorf("the fetch took longer than %s", limits.Timeout))
	defer cancel()
	ctx, stop := context.WithCancelCause(ctx)
	defer stop(nil)
	go watchSize(ctx, dir, limits.MaxBytes, stop)

	// curl, under git-remote-http, gives up on a transfer stalled for the whole timeout
	// by itself: killing git does not reach it.
	stall := fmt.Sprint(max(1, int(limits.Timeout.Seconds())))
	fetch := func(args ...string) error {
		_, err := runAlone(ctx, dir, append([]string{"-c", "http.lowSpeedLimit=1", "-c", "http.lowSpeedTime=" + stall,
			"fetch", "--quiet", "--no-tags", "--no-write-fetch-head"}, args...)...)
		if cause := context.Cause(ctx); cause != nil {
			return cause
		}
		return err
	}
	if _, err := Run(ctx, "", "init", "--quiet", "--bare", dir); err != nil {
		return "", cleanup, err
	}
	shallow := func(commits ...string) error {
		return fetch(append([]string{"--depth", "1", "--", url}, commits...)...)
	}
	err = shallow(commits...)
	if err != nil && len(commits) > 1 && context.Cause(ctx) == nil {
		// One of the others may be gone (force-pushed away): the first alone, then each
		// other as it can be.
		if err = shallow(commits[0]); err == nil {
			for _, c := range commits[1:] {
				_ = shallow(c)
			}
		}
	}
	if err != nil && branch != "" && context.Cause(ctx) == nil {
		err = fetch("--", url, "refs/heads/"+branch+":refs/heads/"+branch)
	}
	if err != nil {
		return "", cleanup, err
	}
	if size := sizeOf(dir); size > limits.MaxBytes {
		// Fetched faster than the watcher looked: still over the limit.
		return "", cleanup, tooLarge(limits.MaxBytes)
	}
	if !HasCommit(ctx, dir, commits[0]) {
		return "", cleanup, fmt.Errorf("the remote does not hold commit %s", Short(commits[0]))
	}
	return dir, cleanup, nil
}

// watchSize stops the fetch (through stop) when dir grows above max bytes.
func watchSize(ctx context.Context, dir string, max int64, stop context.CancelCauseFunc) {
	tick := time.NewTicker(200 * time.Millisecond)
	defer tick.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
		}
		size := sizeOf(dir)
		if size > max {
			stop(tooLarge(max))
			return
		}
	}
}

func tooLarge(max int64) error {
	return fmt.Errorf("%w (%d MiB): clone it and pass --git-dir", ErrTooLarge, max>>20)
}

// sizeOf is the size of the files under dir.
func sizeOf(dir string) int64 {
	var size int64
	_ = filepath.WalkDir(dir, func(_ string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			if fi, err := d.Info(); err == nil {
				size += fi.Size()
			}
		}
		return nil
	})
	return size
}
