package gitlocate

import (
	"context"
	"testing"
	"time"
)

func TestCommitInfo(t *testing.T) {
	repo := newTestRepo(t)
	sha := repo.commit("shop: bump api to v2\n\nLonger body that is not the subject.", map[string]string{"a.txt": "a\n"})

	got, err := CommitInfo(context.Background(), repo.dir, sha)
	if err != nil {
		t.Fatal(err)
	}
	want := Commit{
		SHA:         sha,
		Subject:     "shop: bump api to v2",
		AuthorName:  "Ada Lovelace",
		AuthorEmail: "ada@example.com",
		AuthorTime:  time.Date(2024, 3, 1, 11, 34, 56, 0, time.UTC),
	}
	if got.SHA != want.SHA || got.Subject != want.Subject || got.AuthorName != want.AuthorName ||
		got.AuthorEmail != want.AuthorEmail || !got.AuthorTime.Equal(want.AuthorTime) {
		t.Errorf("CommitInfo = %+v, want %+v", got, want)
	}

	if _, err := CommitInfo(context.Background(), repo.dir, "0123456789abcdef0123456789abcdef01234567"); err == nil {
		t.Error("CommitInfo of an unknown commit succeeded")
	}
}
