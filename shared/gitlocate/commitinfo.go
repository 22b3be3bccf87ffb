package gitlocate

import (
	"context"
	"fmt"
	"strings"
	"time"
)

// commitInfo reads the metadata of a commit already known to exist.
func commitInfo(ctx context.Context, gitDir, full string) (Commit, error) {
	// NUL-separated fields survive any subject or name; --no-show-signature
	// keeps a log.showSignature setting from mixing GPG output in.
	out, err := runGit(ctx, gitDir, "show", "-s", "--no-show-signature", "--no-color",
		"--format=%H%x00%s%x00%an%x00%ae%x00%aI", full)
	if err != nil {
		return Commit{}, err
	}
	fields := strings.Split(strings.TrimRight(string(out), "\n"), "\x00")
	if len(fields) != 5 {
		return Commit{}, fmt.Errorf("gitlocate: unexpected git show output %q", out)
	}
	when, err := time.Parse(time.RFC3339, fields[4])
	if err != nil {
		return Commit{}, fmt.Errorf("gitlocate: author date %q: %w", fields[4], err)
	}
	return Commit{
		SHA:         fields[0],
		Subject:     fields[1],
		AuthorName:  fields[2],
		AuthorEmail: fields[3],
		AuthorTime:  when,
	}, nil
}
